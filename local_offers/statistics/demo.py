"""Demo uses for the statistics, written through the voucher services: at each agreement in force, seven demo
agents of other employers request a voucher and the venue's desk validates it, so that the officers' map and
the providers' "given" figures pass the 5-agent threshold (most "received" figures stay "< 5", as they would
for a small employer). Seeded, dates relative to today; idempotent."""

from __future__ import annotations

import datetime as dt

from local_offers.exceptions import VoucherNotEligible, VoucherOfferNotFound, VoucherQuotaReached
from local_offers.models import Agreement, AgreementStatus
from local_offers.statistics.anonymity import MIN_AGENTS
from local_offers.vouchers import services
from local_offers.vouchers.models import Voucher, VoucherStatus
from marketplace.accounts.models import User
from marketplace.core.demo import DemoContext
from marketplace.errors import DomainError
from marketplace.organisations.models import Employment, EmploymentStatus, StaffRole, StaffRoleKind

USERS_PER_AGREEMENT = MIN_AGENTS + 2


def load(context: DemoContext) -> dict[str, int]:
    if (
        Voucher.objects.filter(status=VoucherStatus.USED).values("agent").distinct().count()
        >= USERS_PER_AGREEMENT
    ):
        return {}
    today = context.today
    agents = list(
        User.objects.filter(email__startswith="agent-", email__endswith=f"@{context.domain}").order_by("pk")
    )
    employer = dict(
        Employment.objects.filter(status=EmploymentStatus.CONFIRMED, agent__in=agents).values_list(
            "agent_id", "organisation_id"
        )
    )
    used = 0
    for agreement in Agreement.objects.filter(
        status=AgreementStatus.ACTIVE, validity__contains=today
    ).order_by("pk"):
        covered = agreement.covered.order_by("pk").first()
        desk = (
            StaffRole.objects.active()
            .filter(organisation_id=agreement.organisation_id, role=StaffRoleKind.DESK)
            .select_related("user")
            .order_by("pk")
            .first()
        )
        if covered is None or desk is None:
            continue
        others = [a for a in agents if employer.get(a.pk) not in (None, agreement.organisation_id)]
        done = 0
        for agent in context.rng.sample(others, min(len(others), USERS_PER_AGREEMENT * 3)):
            if done == USERS_PER_AGREEMENT:
                break
            try:
                voucher = services.voucher_request(
                    actor=agent,
                    agreement_id=agreement.pk,
                    facility_id=covered.facility_id,
                    first_day=today,
                    last_day=today + dt.timedelta(days=6),
                    party_size=agreement.party_max,
                    today=today,
                )
                services.voucher_validate(venue=services.Venue(user=desk.user), code=voucher.code)
            except (VoucherNotEligible, VoucherOfferNotFound, VoucherQuotaReached, DomainError):
                continue
            done += 1
        used += done
    return {"bons utilisés": used}
