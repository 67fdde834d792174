"""The demo: its homes opted in, one run, and agent@demo.reciproque.fr with a proposal of the month to answer."""

import pytest
from django.core.management import call_command

from exchanges.clearing.models import ClearingCycle, ClearingRun
from exchanges.clearing.selectors import my_proposals
from marketplace.accounts.models import User


@pytest.mark.django_db
def test_the_demo_agent_gets_a_proposal_of_the_month(territories):
    call_command("load_demo")
    run = ClearingRun.objects.get()
    assert run.pool_size >= 100
    assert run.households >= 2
    assert run.proposals_created == ClearingCycle.objects.filter(proposal__isnull=False).count() >= 1
    agent = User.objects.get(email="agent@demo.reciproque.fr")
    mine = my_proposals(agent)
    assert len(mine) == 1
    assert mine[0]["proposal"].status == "proposed"
    call_command("load_demo")  # idempotent
    assert ClearingRun.objects.count() == 1
