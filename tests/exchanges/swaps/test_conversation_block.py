"""The proposal page's conversation is the messaging's live thread, read through its selectors; a home's
page of another agent has "Contacter", which opens the direct conversation with its owner."""

import pytest

from marketplace.messaging import services as messaging
from marketplace.messaging.models import Conversation, Participant
from tests.exchanges.swaps.conftest import propose_pair
from tests.helpers import assert_nothing_written
from tests.hostile.conftest import logged

pytestmark = pytest.mark.django_db


def test_the_proposal_page_shows_the_live_thread_to_its_parties_only(trio):
    proposal = propose_pair(trio)
    conversation = Conversation.objects.get(subject_type="swap_proposal", subject_id=proposal.pk)
    messaging.message_send(actor=trio.bruno, conversation=conversation, text="<b>Salut</b>", client_id="b1")
    alice, outsider = logged(trio.alice), logged(trio.outsider)
    html = alice.get(f"/propositions/{proposal.pk}/").content.decode()
    assert f'data-thread data-people="chat-people-{conversation.pk}"' in html
    assert "&lt;b&gt;Salut&lt;/b&gt;" in html
    assert "<b>Salut</b>" not in html
    assert f'action="/messages/{conversation.pk}/envoyer/"' in html
    assert "messaging/thread.js" in html
    with assert_nothing_written():
        assert outsider.get(f"/propositions/{proposal.pk}/").status_code == 404
    # The messaging page names the conversation after the proposal and links back to it.
    thread = alice.get(f"/messages/{conversation.pk}/").content.decode()
    assert f"Proposition d&#x27;échange n°{proposal.pk}" in thread
    assert f'href="/propositions/{proposal.pk}/"' in thread


def test_a_party_missing_from_the_conversation_gets_no_thread_through_the_old_backdoor(trio):
    """The page reads the conversation through the messaging's visibility: a party whose participation is
    gone (out of sync) gets a 404 rather than the messages."""
    proposal = propose_pair(trio)
    Participant.objects.filter(conversation__subject_id=proposal.pk, user=trio.alice).delete()
    assert logged(trio.alice).get(f"/propositions/{proposal.pk}/").status_code == 404


def test_contacter_on_another_agents_home_page(trio):
    alice = logged(trio.alice)
    assert "Contacter" not in alice.get(f"/logements/{trio.grenoble.pk}/").content.decode()  # her own
    html = alice.get(f"/logements/{trio.quimper.pk}/").content.decode()
    assert 'action="/messages/nouvelle/"' in html
    assert f'name="user_id" value="{trio.bruno.pk}"' in html
    response = alice.post("/messages/nouvelle/", {"user_id": trio.bruno.pk})
    conversation = Conversation.objects.get(kind="direct")
    assert response["Location"] == f"/messages/{conversation.pk}/"
    assert set(conversation.participants.values_list("user_id", flat=True)) == {trio.alice.pk, trio.bruno.pk}
