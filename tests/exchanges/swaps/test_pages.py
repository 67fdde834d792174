"""The pages of the swaps: the proposal form of a home's page, the inbox, a proposal, its buttons; someone
else's proposal is a 404."""

import pytest
from django.utils import timezone

from exchanges.swaps.models import ProposalStatus, SwapProposal
from tests.exchanges.conftest import SENTINEL_ADDRESS
from tests.exchanges.swaps.conftest import propose_pair
from tests.factories.exchanges import in_days
from tests.helpers import assert_nothing_written
from tests.hostile.conftest import logged

pytestmark = pytest.mark.django_db


def test_propose_from_a_home_page_then_accept_and_confirm_on_the_proposal_page(trio):
    alice, bruno = logged(trio.alice), logged(trio.bruno)
    page = alice.get(f"/logements/{trio.quimper.pk}/")
    assert "Proposer un échange" in page.content.decode()
    form = {
        "my_home": trio.grenoble.pk,
        "start": in_days(15),
        "end": in_days(22),
        "my_guests": 2,
        "their_guests": 3,
        "idempotency_key": "page-1",
    }
    response = alice.post(f"/logements/{trio.quimper.pk}/proposer/", form)
    proposal = SwapProposal.objects.get()
    assert response.status_code == 303
    assert response["Location"] == f"/propositions/{proposal.pk}/"
    alice.post(f"/logements/{trio.quimper.pk}/proposer/", form)  # a double submission: the same proposal
    assert SwapProposal.objects.count() == 1
    inbox = bruno.get("/propositions/").content.decode()
    assert f"Proposition n°{proposal.pk}" in inbox
    assert "à vous de répondre" in inbox
    assert bruno.post(f"/propositions/{proposal.pk}/action/", {"action": "accept"}).status_code == 303
    assert bruno.post(f"/propositions/{proposal.pk}/action/", {"action": "confirm"}).status_code == 303
    proposal.refresh_from_db()
    assert proposal.status == ProposalStatus.CONFIRMED
    assert SENTINEL_ADDRESS in bruno.get(f"/propositions/{proposal.pk}/").content.decode()
    assert SENTINEL_ADDRESS not in alice.get(f"/propositions/{proposal.pk}/").content.decode()


def test_someone_elses_proposal_is_a_404_and_a_past_stay_a_message(trio):
    proposal = propose_pair(trio)
    outsider, alice = logged(trio.outsider), logged(trio.alice)  # (a login writes last_login)
    with assert_nothing_written():
        assert outsider.get(f"/propositions/{proposal.pk}/").status_code == 404
        assert outsider.post(f"/propositions/{proposal.pk}/action/", {"action": "accept"}).status_code == 404
        response = alice.post(
            f"/logements/{trio.quimper.pk}/proposer/",
            {
                "my_home": trio.grenoble.pk,
                "start": in_days(-3),
                "end": in_days(2),
                "my_guests": 2,
                "their_guests": 2,
            },
        )
    assert response.status_code == 303  # back to the page with the message, nothing written


def test_the_inbox_shows_states_deadlines_and_who_still_has_to_answer_and_the_page_its_timeline(trio):
    from django.utils import formats

    from exchanges.swaps import services
    from tests.exchanges.swaps.conftest import cycle

    proposal, _ = services.proposal_create(actor=trio.alice, stays=cycle(trio))
    services.proposal_accept(actor=trio.bruno, proposal=proposal)
    alice, chloe = logged(trio.alice), logged(trio.chloe)
    inbox = alice.get("/propositions/").content.decode()
    assert "en attente de : Chloé" in inbox
    assert "Bruno" not in inbox.split("en attente de :", 1)[1].split("</span>", 1)[0]
    proposal.refresh_from_db()
    expiry = formats.date_format(timezone.localtime(proposal.expires_at), "j F Y H:i")
    assert f"expire le {expiry}" in inbox
    assert "à vous de répondre" in chloe.get("/propositions/").content.decode()
    page = chloe.get(f"/propositions/{proposal.pk}/").content.decode()
    for button in ("Accepter", "Refuser", "Annuler l&#x27;échange", "Proposer d&#x27;autres dates"):
        assert button in page or button.replace("&#x27;", "'") in page, button
    assert "Alice : propose l&#x27;échange (∅ → Proposée)" in page
    assert "Bruno : accepte (Proposée → Proposée)" in page
    services.proposal_accept(actor=trio.chloe, proposal=proposal)
    assert "acceptée par tous : à confirmer" in alice.get("/propositions/").content.decode()
    page = alice.get(f"/propositions/{proposal.pk}/").content.decode()
    assert "Chloé : accepte (Proposée → Acceptée par tous)" in page
    assert "Confirmer l'échange" in page or "Confirmer l&#x27;échange" in page
    services.proposal_confirm(actor=trio.alice, proposal=proposal)
    inbox = alice.get("/propositions/").content.decode()
    assert "Confirmée" in inbox
    assert "en attente de" not in inbox


def _inbox_queries(trio, proposals: int) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    for n in range(proposals):
        propose_pair(trio, start=12 + 5 * n, end=18 + 5 * n)
    alice = logged(trio.alice)
    alice.get("/propositions/")  # the session and the bell's first reads are not the list's cost
    with CaptureQueriesContext(connection) as queries:
        inbox = alice.get("/propositions/").content.decode()
    assert inbox.count("Proposition n°") == proposals
    return len(queries)


def test_the_inbox_costs_the_same_queries_for_1_or_3_proposals(trio):
    one = _inbox_queries(trio, 1)
    SwapProposal.objects.all().delete()
    assert _inbox_queries(trio, 3) == one
