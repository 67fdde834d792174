"""The messaging pages: the list, a thread, and every action as a plain form (no JavaScript needed).

Someone else's conversation or message is a 404 with nothing written; bad input is a message on the page
it came from, with nothing written; the list costs the same number of queries however many rows it shows."""

import datetime as dt
import re
import uuid

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from marketplace.messaging import services
from marketplace.messaging.models import Attachment, Block, Conversation, Message, Report
from marketplace.notifications.models import Notification
from marketplace.notifications.tasks import notifications_record_task
from tests.accounts.conftest import jpeg_with_gps
from tests.factories.accounts import UserFactory
from tests.helpers import assert_nothing_written, run_deferred
from tests.hostile.conftest import logged

pytestmark = pytest.mark.django_db


def say(chat, user, text, client_id=None):
    message, _created = services.message_send(
        actor=user, conversation=chat.conversation, text=text, client_id=client_id or uuid.uuid4().hex
    )
    return message


def flash(client) -> str:
    """The message the page shows after a redirect (django.contrib.messages)."""
    return " ".join(str(m) for m in client.get("/messages/").context["messages"])


def test_the_list_shows_each_conversation_with_its_last_message_and_unread_count(chat):
    say(chat, chat.alice, "Bonjour Bob")
    say(chat, chat.alice, "Vous êtes là ?")
    other, _created = services.conversation_open_direct(actor=chat.bob, other=chat.outsider.pk)
    bob = logged(chat.bob)
    page = bob.get("/messages/")
    assert page.status_code == 200
    html = page.content.decode()
    row = re.search(rf'data-conversation-row="{chat.conversation.pk}".*?</li>', html, re.S)
    assert row is not None
    assert str(chat.alice) in row.group(0)
    assert "Vous êtes là ?" in row.group(0)
    assert 'data-unread="2"' in row.group(0)
    assert '2<span class="visually-hidden"> messages non lus' in row.group(0)
    quiet = re.search(rf'data-conversation-row="{other.pk}".*?</li>', html, re.S)
    assert quiet is not None
    assert "data-unread" not in quiet.group(0)
    # The header counts the unread messages too.
    assert re.search(r"data-messages-link[^>]*data-unread=\"2\"", html)
    assert bob.get("/api/v1/conversations/unread-count").json() == {"unread": 2}
    assert logged(chat.alice).get("/api/v1/conversations/unread-count").json() == {"unread": 0}


def _list_queries(user) -> int:
    client = logged(user)
    client.get("/messages/")  # the session and the user, cached in the client from now on
    with CaptureQueriesContext(connection) as queries:
        assert client.get("/messages/").status_code == 200
    return len(queries)


def test_the_list_costs_the_same_queries_for_two_or_twelve_conversations(chat):
    say(chat, chat.bob, "un")
    few = _list_queries(chat.alice)
    for n in range(10):
        conversation, _created = services.conversation_open_direct(actor=UserFactory(), other=chat.alice.pk)
        services.message_send(actor=chat.alice, conversation=conversation, text=f"m{n}", client_id=f"c{n}")
    many = _list_queries(chat.alice)
    assert many == few
    # The list's own: its rows, their participants and users (prefetched), their last messages; the
    # rest is the shell's (session, user, the navigation's roles, the two unread counts of the header).
    assert few <= 12


def test_a_thread_shows_its_messages_escaped_with_safe_links_and_marks_nothing_read_on_get(chat):
    say(chat, chat.bob, "<script>alert(1)</script> voir https://example.org/a et javascript:alert(2)")
    alice = logged(chat.alice)
    with assert_nothing_written():
        html = alice.get(f"/messages/{chat.conversation.pk}/").content.decode()
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert '<a href="https://example.org/a" rel="nofollow noopener noreferrer" target="_blank">' in html
    assert 'href="javascript:' not in html
    assert "data-thread" in html
    assert 'aria-current="page"' in html
    assert "Marquer comme lu" in html  # without JavaScript, a button does it


def test_someone_elses_conversation_is_a_404_on_every_page_and_action_with_nothing_written(chat):
    message = say(chat, chat.alice, "privé")
    outsider = logged(chat.outsider)
    mine, _created = services.conversation_open_direct(actor=chat.outsider, other=chat.bob.pk)
    c, m = chat.conversation.pk, message.pk
    with assert_nothing_written():
        assert outsider.get(f"/messages/{c}/").status_code == 404
        for url, data in [
            (f"/messages/{c}/envoyer/", {"text": "intrus", "client_id": "x1"}),
            (f"/messages/{c}/lu/", {"up_to_id": m}),
            (f"/messages/{c}/blocage/", {"action": "block"}),
            (f"/messages/{c}/{m}/modifier/", {"text": "changé"}),
            (f"/messages/{c}/{m}/supprimer/", {}),
            (f"/messages/{c}/{m}/signaler/", {"reason": "x"}),
        ]:
            assert outsider.post(url, data).status_code == 404, url
        # A message of another conversation, addressed through the actor's own one: 404 as well.
        assert outsider.post(f"/messages/{mine.pk}/{m}/signaler/", {"reason": "x"}).status_code == 404
        assert outsider.get("/messages/999999/").status_code == 404
    assert "privé" not in outsider.get("/messages/").content.decode()


def test_sending_by_form_stores_once_and_comes_back_to_the_message(chat):
    alice = logged(chat.alice)
    form = {"text": "Bonjour !\nÀ bientôt", "client_id": "form-1"}
    response = alice.post(f"/messages/{chat.conversation.pk}/envoyer/", form)
    message = Message.objects.get()
    assert response.status_code == 303
    assert response["Location"] == f"/messages/{chat.conversation.pk}/#message-{message.pk}"
    assert message.sender == chat.alice
    assert message.text == "Bonjour !\nÀ bientôt"
    assert alice.post(f"/messages/{chat.conversation.pk}/envoyer/", form).status_code == 303  # pressed twice
    assert Message.objects.count() == 1
    html = logged(chat.bob).get(f"/messages/{chat.conversation.pk}/").content.decode()
    assert "Bonjour !<br>À bientôt" in html
    # Bob's notification (recorded by the worker) leads to the conversation's page.
    assert run_deferred(notifications_record_task) == 1
    assert Notification.objects.get(user=chat.bob).link == f"/messages/{chat.conversation.pk}/"


@pytest.mark.parametrize(
    ("form", "expected"),
    [
        ({"text": "   ", "client_id": "c1"}, "Écrivez un message ou joignez un fichier."),
        ({"text": "x" * 4001, "client_id": "c1"}, "Votre message"),
        ({"text": "bonjour", "client_id": "pas de blancs"}, "Identifiant client"),
        ({"text": "bonjour"}, "Identifiant client"),
    ],
)
def test_bad_input_is_a_message_with_nothing_written(chat, form, expected):
    alice = logged(chat.alice)
    with assert_nothing_written():
        response = alice.post(f"/messages/{chat.conversation.pk}/envoyer/", form, HTTP_REFERER="/messages/")
        assert response.status_code == 303
        assert expected in flash(alice)


def test_a_file_sent_by_form_is_checked_then_stored_with_its_message(chat):
    alice = logged(chat.alice)
    with assert_nothing_written():
        alice.post(
            f"/messages/{chat.conversation.pk}/envoyer/",
            {"text": "", "client_id": "f0", "file": SimpleUploadedFile("faux.jpg", b"not an image")},
        )
        assert "fichier" in flash(alice).lower() or "image" in flash(alice).lower()
    response = alice.post(
        f"/messages/{chat.conversation.pk}/envoyer/",
        {"text": "", "client_id": "f1", "file": SimpleUploadedFile("vue.jpg", jpeg_with_gps((40, 30)))},
    )
    assert response.status_code == 303
    attachment = Attachment.objects.get()
    assert attachment.message == Message.objects.get()
    assert attachment.kind == "image"
    html = logged(chat.bob).get(f"/messages/{chat.conversation.pk}/").content.decode()
    assert f'<img src="/messages/pieces-jointes/{attachment.pk}/" alt="vue.jpg"' in html


def test_edit_and_delete_own_message_within_the_rules(chat):
    mine, theirs = say(chat, chat.alice, "premier jet"), say(chat, chat.bob, "réponse")
    alice = logged(chat.alice)
    c = chat.conversation.pk
    assert alice.post(f"/messages/{c}/{mine.pk}/modifier/", {"text": "version finale"}).status_code == 303
    mine.refresh_from_db()
    assert mine.text == "version finale"
    assert mine.edited_at is not None
    with assert_nothing_written():
        alice.post(f"/messages/{c}/{theirs.pk}/modifier/", {"text": "pirate"}, HTTP_REFERER="/messages/")
        assert "Seul l'auteur du message" in flash(alice)
        alice.post(f"/messages/{c}/{mine.pk}/modifier/", {"text": ""}, HTTP_REFERER="/messages/")
        assert "Nouveau texte" in flash(alice)
    Message.objects.filter(pk=mine.pk).update(created_at=timezone.now() - dt.timedelta(minutes=16))
    with assert_nothing_written():
        alice.post(f"/messages/{c}/{mine.pk}/modifier/", {"text": "trop tard"}, HTTP_REFERER="/messages/")
        assert "15 minutes" in flash(alice)
    html = alice.get(f"/messages/{c}/").content.decode()
    assert f'action="/messages/{c}/{mine.pk}/modifier/"' not in html  # the window closed: no edit form
    assert alice.post(f"/messages/{c}/{mine.pk}/supprimer/").status_code == 303
    mine.refresh_from_db()
    assert mine.deleted_at is not None
    assert mine.text == ""
    assert "Message supprimé." in alice.get(f"/messages/{c}/").content.decode()


def test_report_a_message_and_block_then_unblock_the_other_person(chat):
    theirs = say(chat, chat.bob, "insulte")
    alice = logged(chat.alice)
    c = chat.conversation.pk
    assert alice.post(f"/messages/{c}/{theirs.pk}/signaler/", {"reason": "grossier"}).status_code == 303
    report = Report.objects.get()
    assert (report.reporter, report.reason, report.text_as_reported) == (chat.alice, "grossier", "insulte")
    with assert_nothing_written():
        alice.post(f"/messages/{c}/{c}/blocage/", {"action": "block"})  # no such page: a 404, nothing else
        alice.post(f"/messages/{c}/blocage/", {"action": "bloquer"}, HTTP_REFERER="/messages/")
        assert "Choix inconnu" in flash(alice)
    assert alice.post(f"/messages/{c}/blocage/", {"action": "block"}).status_code == 303
    assert Block.objects.filter(blocker=chat.alice, blocked=chat.bob).exists()
    html = alice.get(f"/messages/{c}/").content.decode()
    assert "Débloquer" in html
    assert "Un blocage empêche d'écrire" in html
    bob = logged(chat.bob)
    with assert_nothing_written():
        bob.post(f"/messages/{c}/envoyer/", {"text": "encore", "client_id": "b9"}, HTTP_REFERER="/messages/")
    assert alice.post(f"/messages/{c}/blocage/", {"action": "unblock"}).status_code == 303
    assert not Block.objects.exists()


def test_contacter_opens_the_direct_conversation_once(chat):
    carol = UserFactory()
    alice = logged(chat.alice)
    response = alice.post("/messages/nouvelle/", {"user_id": carol.pk})
    conversation = Conversation.objects.get(direct_key=f"{chat.alice.pk}:{carol.pk}")
    assert response.status_code == 303
    assert response["Location"] == f"/messages/{conversation.pk}/"
    assert alice.post("/messages/nouvelle/", {"user_id": carol.pk})["Location"] == response["Location"]
    with assert_nothing_written():
        alice.post("/messages/nouvelle/", {"user_id": chat.alice.pk}, HTTP_REFERER="/messages/")
        assert "vous écrire à vous-même" in flash(alice)
        alice.post("/messages/nouvelle/", {"user_id": "abc"}, HTTP_REFERER="/messages/")
        assert "Personne" in flash(alice)
        assert alice.post("/messages/nouvelle/", {"user_id": 10**12}).status_code == 404


def test_mark_read_by_form_and_older_pages_without_javascript(chat):
    bob_msgs = [say(chat, chat.bob, f"n{n}") for n in range(35)]
    alice = logged(chat.alice)
    c = chat.conversation.pk

    def shown(html: str) -> list[int]:
        return [int(n) for n in re.findall(r'<li id="message-(\d+)"', html)]

    ids = [m.pk for m in bob_msgs]
    html = alice.get(f"/messages/{c}/").content.decode()
    assert shown(html) == ids[5:]  # the latest 30, oldest first
    assert f'href="?avant={ids[5]}"' in html
    assert shown(alice.get(f"/messages/{c}/?avant={ids[5]}").content.decode()) == ids[:5]
    with assert_nothing_written():
        assert alice.get(f"/messages/{c}/?avant=abc").status_code == 422
    assert alice.post(f"/messages/{c}/lu/", {"up_to_id": bob_msgs[-1].pk}).status_code == 303
    assert logged(chat.alice).get("/api/v1/conversations/unread-count").json() == {"unread": 0}


def test_the_list_fragment_is_the_list_alone(chat):
    say(chat, chat.bob, "fragment")
    html = logged(chat.alice).get("/messages/liste/").content.decode()
    assert "fragment" in html
    assert "<html" not in html
