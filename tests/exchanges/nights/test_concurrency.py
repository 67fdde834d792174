"""Alice has seven nights and two one-way requests of seven nights each, accepted by their hosts. Confirmed
at the same instant from two connections, exactly one wins and the other gets a 409 naming the balance:
the CHECK on her account row decides (the row updated in both transactions), not a check in Python."""

import threading

from django.db import connection
from django.db.models import Sum

from exchanges.nights import services as nights
from exchanges.nights.models import MovementKind, NightAccount, NightMovement
from exchanges.swaps import services
from exchanges.swaps.models import ProposalStatus, SwapProposal
from tests.exchanges.nights.conftest import request
from tests.hostile.conftest import logged
from tests.transactional import KEEP_TERRITORIES

pytestmark = KEEP_TERRITORIES


def test_two_confirmations_spending_the_last_nights_exactly_one_wins(open_trio):
    t = open_trio
    nights.account_for(t.alice)  # opened before: both transactions update the same row
    first = request(t, host_home=t.quimper)
    second = request(t, host_home=t.rennes)
    services.proposal_accept(actor=t.bruno, proposal=first)
    services.proposal_accept(actor=t.chloe, proposal=second)
    barrier = threading.Barrier(2)
    statuses: dict[int, int] = {}
    bodies: dict[int, dict] = {}

    def confirm(user, proposal) -> None:
        try:
            client = logged(user)
            barrier.wait(timeout=10)
            response = client.post(
                f"/api/v1/proposals/{proposal.pk}/confirm", content_type="application/json"
            )
            statuses[proposal.pk] = response.status_code
            bodies[proposal.pk] = response.json()
        finally:
            connection.close()

    threads = [
        threading.Thread(target=confirm, args=(t.bruno, first)),
        threading.Thread(target=confirm, args=(t.chloe, second)),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(statuses.values()) == [200, 409], bodies
    loser = next(pk for pk, status in statuses.items() if status == 409)
    assert bodies[loser]["code"] == "nights_insufficient", bodies[loser]
    assert bodies[loser]["detail"]["balance"] == 0
    assert SwapProposal.objects.get(pk=loser).status == ProposalStatus.ACCEPTED  # nothing written for it
    assert NightMovement.objects.filter(kind=MovementKind.RESERVE).count() == 1
    assert NightAccount.objects.get(user=t.alice).balance == 0
    assert NightAccount.objects.aggregate(t=Sum("balance"))["t"] == 0
