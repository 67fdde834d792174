"""Demo: agent@demo and the demo owners have a balance (the welcome credit), and a home of another demo agent
near agent@demo's takes one-way requests (a period open to any request)."""

import pytest
from django.contrib.gis.measure import D
from django.core.management import call_command

from exchanges.models import AvailabilityMode, Home, HomeStatus
from exchanges.nights.models import NightAccount
from exchanges.nights.services import ledger_check


@pytest.mark.django_db
def test_demo_balances_and_an_open_home_near_the_agent(territories):
    call_command("load_demo")
    agent = NightAccount.objects.get(user__email="agent@demo.reciproque.fr")
    assert agent.balance == 7
    assert NightAccount.objects.filter(kind="agent").count() > 10
    mine = Home.objects.filter(owner__email="agent@demo.reciproque.fr").first()
    assert mine is not None
    assert (
        Home.objects.filter(
            status=HomeStatus.PUBLISHED,
            periods__mode=AvailabilityMode.OPEN,
            point__distance_lte=(mine.point, D(km=150)),
        )
        .exclude(owner=mine.owner)
        .exists()
    )
    call_command("load_demo")  # idempotent: no second welcome credit
    assert NightAccount.objects.get(pk=agent.pk).balance == 7
    assert ledger_check() == {"total": 0, "drifted": 0}
