"""Demo vouchers, written through the services: for each agreement in force, `agent@` holds an issued voucher
for the coming week (shown under "Mes bons"), and another demo agent holds one the venue's desk already
validated (a used voucher for the statistics). Dates relative to today; idempotent."""

from __future__ import annotations

import datetime as dt

from local_offers.exceptions import VoucherNotEligible, VoucherOfferNotFound, VoucherQuotaReached
from local_offers.models import Agreement, AgreementStatus
from local_offers.vouchers import services
from local_offers.vouchers.models import Voucher
from marketplace.accounts.models import User
from marketplace.core.demo import DemoContext
from marketplace.organisations.models import StaffRole, StaffRoleKind


def load(context: DemoContext) -> dict[str, int]:
    if Voucher.objects.exists():
        return {}
    today = context.today
    emails = [context.email("agent"), context.email("agent-1")]  # agent@ keeps an unused one
    by_email = {u.email: u for u in User.objects.filter(email__in=emails)}
    agents = [by_email[e] for e in emails if e in by_email]
    created = 0
    for agreement in Agreement.objects.filter(
        status=AgreementStatus.ACTIVE, validity__contains=today
    ).order_by("pk"):
        covered = agreement.covered.order_by("pk").first()
        if covered is None:
            continue
        desk = (
            StaffRole.objects.active()
            .filter(organisation_id=agreement.organisation_id, role=StaffRoleKind.DESK)
            .select_related("user")
            .order_by("pk")
            .first()
        )
        for index, agent in enumerate(agents):
            try:
                voucher = services.voucher_request(
                    actor=agent,
                    agreement_id=agreement.pk,
                    facility_id=covered.facility_id,
                    first_day=today,
                    last_day=today + dt.timedelta(days=6),
                    party_size=agreement.party_min,
                    today=today,
                )
            except (VoucherNotEligible, VoucherOfferNotFound, VoucherQuotaReached):
                continue
            created += 1
            if index == 1 and desk is not None:
                services.voucher_validate(venue=services.Venue(user=desk.user), code=voucher.code)
    return {"bons": created}
