import pytest
from django.core.management import call_command

from marketplace.accounts.models import User
from marketplace.organisations.models import (
    Employment,
    OfficerTerritory,
    Organisation,
    OrganisationStatus,
    StaffRole,
)
from marketplace.organisations.selectors import agent_eligibility


@pytest.mark.django_db
def test_demo_data_is_complete_and_idempotent(territories, capsys):
    from django.utils import timezone

    call_command("load_demo")
    call_command("load_demo")
    assert "déjà chargée" in capsys.readouterr().out
    validated = Organisation.objects.filter(status=OrganisationStatus.VALIDATED)
    assert validated.count() == 40
    assert validated.values("seat_commune__region").distinct().count() >= 8
    assert OfficerTerritory.objects.values("officer").distinct().count() == 18
    assert OfficerTerritory.objects.count() == 101
    assert (
        StaffRole.objects.filter(role="correspondent", status="active")
        .values("organisation")
        .distinct()
        .count()
        == 40
    )
    assert StaffRole.objects.filter(role="desk", status="active").count() == 40
    assert Employment.objects.filter(status="confirmed").count() == 300
    assert Employment.objects.filter(status="pending").count() >= 3
    today = timezone.localdate()
    assert validated.count() - validated.active_members(today).count() == 1  # one lapsed last month
    for email in ("agent", "correspondant", "accueil", "charge", "admin"):
        user = User.objects.get(email=f"{email}@demo.reciproque.fr")
        assert user.check_password("demo-reciproque")
        assert user.emailaddress_set.get().verified
    assert agent_eligibility(User.objects.get(email="agent@demo.reciproque.fr"), today).eligible
