"""Demo: a swap proposed to agent@demo.reciproque.fr by the Quimper agent whose home wishes to come to Isère
(both households, the same fortnight in two months), waiting for the agent's answer."""

import datetime as dt

from exchanges.models import Home, HomeStatus
from exchanges.swaps import services
from exchanges.swaps.models import SwapProposal
from marketplace.core.demo import DemoContext


def load(context: DemoContext) -> dict[str, int]:
    agent_email = context.email("agent")
    mine = Home.objects.filter(owner__email=agent_email, status=HomeStatus.PUBLISHED).order_by("pk").first()
    theirs = (
        Home.objects.filter(
            commune_id="29232", status=HomeStatus.PUBLISHED, owner__email__endswith=context.domain
        )
        .select_related("owner")
        .order_by("pk")
        .first()
    )
    if mine is None or theirs is None:
        return {}
    # Its own proposal, whatever else the agent was offered (the monthly clearing's demo runs before).
    if SwapProposal.objects.filter(created_by=theirs.owner, parties__user__email=agent_email).exists():
        return {}
    start = context.today + dt.timedelta(days=60)
    end = start + dt.timedelta(days=14)  # the demo homes' summer period (exchanges/demo.py)
    services.proposal_create(
        actor=theirs.owner,
        stays=[
            services.StayIn(guest_home=theirs.pk, host_home=mine.pk, start=start, end=end, guests=4),
            services.StayIn(guest_home=mine.pk, host_home=theirs.pk, start=start, end=end, guests=3),
        ],
        idempotency_key="demo",
    )
    return {"propositions d'échange": 1}
