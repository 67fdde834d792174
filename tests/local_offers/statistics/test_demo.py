"""Demo: every agreement in force has uses by at least 5 agents of other employers, so its provider's "given"
figures and its département on the officers' map pass the threshold; loading again adds nothing."""

import pytest
from django.core.management import call_command

from local_offers.models import Agreement, AgreementStatus
from local_offers.statistics import selectors
from local_offers.vouchers.models import Voucher, VoucherStatus
from marketplace.accounts.models import User
from marketplace.organisations.models import StaffRole


@pytest.mark.django_db
def test_demo_uses_pass_the_threshold(territories):
    call_command("load_demo")
    active = list(Agreement.objects.filter(status=AgreementStatus.ACTIVE))
    assert active
    for agreement in active:
        correspondent = (
            StaffRole.objects.active_correspondents().filter(organisation=agreement.organisation).first()
        )
        assert correspondent is not None
        data = selectors.solidarity_statistics(
            actor=correspondent.user, organisation_id=agreement.organisation_id, months=1
        )
        assert isinstance(data["by_month"]["total"]["given"]["agents"], int)
        assert data["by_month"]["total"]["given"]["agents"] >= 5
    officer = User.objects.get(email="charge@demo.reciproque.fr")
    assert selectors.territory_statistics(actor=officer, months=1)["usage_by_departement"]["rows"]
    used = Voucher.objects.filter(status=VoucherStatus.USED).count()
    call_command("load_demo")
    assert Voucher.objects.filter(status=VoucherStatus.USED).count() == used
