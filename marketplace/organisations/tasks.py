"""Daily: employers whose membership lapsed yesterday lose their agents' rights from today."""

import datetime as dt
import logging

from django.db import transaction
from django.utils import timezone
from procrastinate.contrib.django import app

from marketplace.audit.models import AuditEvent
from marketplace.audit.services import audit_record
from marketplace.events import publish
from marketplace.organisations.events import MembershipLapsed
from marketplace.organisations.models import Organisation, StaffRole

logger = logging.getLogger(__name__)
LAPSED = "membership_lapsed"


def memberships_lapse(today: dt.date) -> list[Organisation]:
    """Record, once, each validated employer covered yesterday and not today, and tell its correspondents.

    Rights need no update: eligibility is computed from the periods (`agent_eligibility`), so they stop
    by themselves; later issues pause listings from the event recorded here.
    """
    yesterday = today - dt.timedelta(days=1)
    lapsed = []
    with transaction.atomic():
        candidates = Organisation.objects.active_members(yesterday).exclude(
            pk__in=Organisation.objects.active_members(today).values("pk")
        )
        for organisation in candidates.select_for_update(of=("self",)):
            already = AuditEvent.objects.filter(
                object_type=organisation._meta.label_lower,
                object_id=str(organisation.pk),
                to_state=LAPSED,
                comment=today.isoformat(),
            ).exists()
            if already:
                continue
            audit_record(
                actor=None, obj=organisation, from_state="member", to_state=LAPSED, comment=today.isoformat()
            )
            correspondents = StaffRole.objects.active_correspondents().filter(organisation=organisation)
            publish(
                MembershipLapsed(organisation=organisation.pk),
                to=correspondents.values_list("user_id", flat=True),
            )
            lapsed.append(organisation)
    return lapsed


@app.periodic(cron="5 0 * * *", periodic_id="memberships_lapse")
@app.task(queue="default", queueing_lock="memberships_lapse", pass_context=False)
def memberships_lapse_task(timestamp: int) -> None:
    lapsed = memberships_lapse(timezone.localdate())
    logger.info("memberships lapsed", extra={"count": len(lapsed)})
