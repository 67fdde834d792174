"""The messaging pages in Debian's Chromium, two people in two browser contexts, served by the ASGI
application (HTTP and the /ws/ websocket) under uvicorn, as in production, with the Redis channel layer.

(a) one writes, the other sees "… écrit…", then the message live, and the sender sees "Vu";
(b) one loses the socket, the other sends several messages, the first comes back and sees each missed
    message exactly once, in order (catch-up with `after_id`);
(c) a file goes up with a progress bar and the image appears on both sides.
Every page is checked by axe-core; no request leaves for another host."""

import io
import re
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
import uvicorn
from PIL import Image
from playwright.sync_api import Page, Response, WebSocketRoute, expect

from marketplace.accounts.models import User
from marketplace.messaging import services
from marketplace.messaging.models import Conversation, Message
from tests.browser import JOURNEY, assert_accessible
from tests.exchanges.test_search_browser import requests_outside
from tests.factories.accounts import UserFactory
from tests.organisations.test_journeys_browser import log_in

pytestmark = JOURNEY

SOCKET_READY = "() => window.reciproqueSocket && window.reciproqueSocket.isOpen() && window.reciproqueSocket.user !== null"
THREAD_TEXTS = (
    "() => Array.from(document.querySelectorAll('[data-messages] li[data-id]'),"
    " li => li.querySelector('.chat-body').textContent.trim())"
)


@pytest.fixture
def asgi_server(transactional_db) -> Iterator[str]:
    """The project's ASGI application (marketplace.asgi) under uvicorn in a thread of this process, so that it
    reads the test database; pytest-django's live_server speaks WSGI, without websockets."""
    from marketplace.asgi import application

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = uvicorn.Server(
        uvicorn.Config(
            application, host="127.0.0.1", port=port, lifespan="off", ws="websockets", log_level="warning"
        )
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 15
    while not server.started:
        assert time.monotonic() < deadline, "uvicorn did not start"
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=15)


@dataclass
class Pair:
    alice: User
    bob: User
    conversation: Conversation


@pytest.fixture
def pair() -> Pair:
    alice, bob = UserFactory(display_name="Alice Martin"), UserFactory(display_name="Bruno Le Goff")
    conversation, _created = services.conversation_open_direct(actor=alice, other=bob.pk)
    return Pair(alice, bob, conversation)


def open_thread(page: Page, base: str, user: User, conversation: Conversation) -> None:
    log_in(page, base, user.email)
    assert_accessible(page)  # the profile page, where the login lands
    page.goto(f"{base}/messages/{conversation.pk}/")
    expect(page.locator("[data-thread]")).to_be_visible()
    page.wait_for_function(SOCKET_READY)


def test_one_writes_the_other_sees_typing_then_the_message_live_and_the_sender_sees_it_read(
    pair, asgi_server, page: Page, new_page
):
    outside = requests_outside(page, asgi_server)
    open_thread(page, asgi_server, pair.alice, pair.conversation)
    bob = new_page()
    bob_outside = requests_outside(bob, asgi_server)
    open_thread(bob, asgi_server, pair.bob, pair.conversation)

    page.get_by_label("Votre message").press_sequentially("Bonjour Bruno, ")
    expect(bob.locator("[data-typing]")).to_have_text("Alice Martin écrit…")
    page.get_by_label("Votre message").press_sequentially("on échange en juillet ? https://example.org/plan")
    page.get_by_role("button", name="Envoyer").click()

    received = bob.locator("[data-messages] li[data-id]")
    expect(received).to_have_count(1)
    expect(received.first).to_contain_text("Bonjour Bruno, on échange en juillet ?")
    link = received.first.get_by_role("link", name="https://example.org/plan")
    expect(link).to_have_attribute("rel", "nofollow noopener noreferrer")
    expect(bob.locator("[data-typing]")).to_have_text("")
    # Bruno's tab shows it: it is read, and Alice's message says so.
    expect(page.locator("[data-messages] li.is-mine [data-receipt]")).to_be_visible()
    expect(page.locator("[data-messages] li[data-id]")).to_have_count(
        1
    )  # the optimistic copy became the real one
    message = Message.objects.get()
    assert message.client_id
    assert re.fullmatch(r"[0-9a-f-]{36}", message.client_id)
    assert pair.conversation.participants.get(user=pair.bob).last_read_id == message.pk

    # Bruno answers with Enter; Alice's header counts nothing unread since her tab shows it.
    bob.get_by_label("Votre message").fill("Avec plaisir !")
    bob.get_by_label("Votre message").press("Enter")
    expect(page.locator("[data-messages] li[data-id]")).to_have_count(2)
    expect(page.locator("[data-messages] li[data-id]").last).to_contain_text("Avec plaisir !")
    expect(bob.locator("[data-messages] li.is-mine [data-receipt]")).to_be_visible()
    expect(page.locator("[data-messages-count]")).to_be_hidden()
    assert Message.objects.count() == 2

    # Alice corrects her message in place; Bruno sees the new text, marked as edited.
    first = page.locator("[data-messages] li.is-mine").first
    first.get_by_text("Modifier").click()
    first.get_by_label("Nouveau texte").fill("Bonjour Bruno, on échange en août ?")
    first.get_by_role("button", name="Enregistrer").click()
    expect(received.first).to_contain_text("on échange en août ?")
    expect(received.first.locator(".chat-edited")).to_be_visible()
    assert Message.objects.get(pk=message.pk).revisions.count() == 1
    assert outside == []
    assert bob_outside == []


def test_one_loses_the_socket_the_other_sends_and_each_missed_message_arrives_once_in_order(
    pair, asgi_server, page: Page, new_page
):
    bob = new_page()
    state: dict = {"offline": False, "routes": []}

    def route(ws: WebSocketRoute) -> None:
        if state["offline"]:
            ws.close(code=4000, reason="hors ligne")  # the network is down: the attempt fails
            return
        ws.connect_to_server()
        state["routes"].append(ws)

    bob.route_web_socket(re.compile(r".*/ws/$"), route)
    open_thread(page, asgi_server, pair.alice, pair.conversation)
    open_thread(bob, asgi_server, pair.bob, pair.conversation)
    page.get_by_label("Votre message").fill("avant la coupure")
    page.get_by_role("button", name="Envoyer").click()
    expect(bob.locator("[data-messages] li[data-id]")).to_have_count(1)

    state["offline"] = True
    for ws in state["routes"]:
        ws.close(code=4000, reason="coupure")
    bob.wait_for_function("() => !window.reciproqueSocket.isOpen()")
    sent = [f"pendant la coupure {n}" for n in range(1, 5)]
    for text in sent:
        page.get_by_label("Votre message").fill(text)
        page.get_by_role("button", name="Envoyer").click()
    expect(page.locator("[data-messages] li[data-id]")).to_have_count(5)
    expect(page.locator("[data-messages] li[data-pending]")).to_have_count(0)
    bob.wait_for_timeout(600)
    assert bob.evaluate(THREAD_TEXTS) == ["avant la coupure"]  # nothing reached the page meanwhile
    # Without its socket, Bruno's page still sends (over REST, with its client id).
    bob.get_by_label("Votre message").fill("écrit sans socket")
    bob.get_by_role("button", name="Envoyer").click()
    expect(page.locator("[data-messages] li[data-id]").last).to_contain_text("écrit sans socket")
    sent.append("écrit sans socket")

    state["offline"] = False  # the next attempt of the page's back-off gets through
    expect(bob.locator("[data-messages] li[data-id]")).to_have_count(6, timeout=20_000)
    bob.wait_for_function(SOCKET_READY)
    bob.wait_for_timeout(1000)  # a late duplicate (replay and live) would show by now
    assert bob.evaluate(THREAD_TEXTS) == ["avant la coupure", *sent]
    ids = bob.evaluate(
        "() => Array.from(document.querySelectorAll('[data-messages] li[data-id]'), li => +li.dataset.id)"
    )
    assert ids == sorted(ids) == list(Message.objects.order_by("id").values_list("id", flat=True))
    # Live again: the next one comes without a reload.
    page.get_by_label("Votre message").fill("de retour")
    page.get_by_role("button", name="Envoyer").click()
    expect(bob.locator("[data-messages] li[data-id]")).to_have_count(7)
    assert Message.objects.count() == 7


def photo(path) -> None:
    """A photo of about a megabyte (noise compresses badly), so that the upload takes a few progress events."""
    image = Image.effect_noise((1200, 900), 90).convert("RGB")
    out = io.BytesIO()
    image.save(out, "JPEG", quality=95)
    path.write_bytes(out.getvalue())


def test_a_photo_goes_up_with_a_progress_bar_and_appears_on_both_sides(
    pair, asgi_server, page: Page, new_page, tmp_path
):
    outside = requests_outside(page, asgi_server)
    open_thread(page, asgi_server, pair.alice, pair.conversation)
    bob = new_page()
    open_thread(bob, asgi_server, pair.bob, pair.conversation)
    picture = tmp_path / "vue-du-balcon.jpg"
    photo(picture)
    page.evaluate(
        """() => {
            const bar = document.querySelector('[data-progress]');
            window.progressSeen = [];
            new MutationObserver(() => window.progressSeen.push([bar.hidden, bar.value]))
                .observe(bar, {attributes: true});
        }"""
    )
    statuses: list = []

    def record(response: Response) -> None:
        if "pieces-jointes" in response.url:
            statuses.append((response.url, response.status))

    for side in (page, bob):
        side.on("response", record)
    page.get_by_label("Joindre une image ou un PDF").set_input_files(picture)
    page.get_by_label("Votre message").fill("La vue")
    page.get_by_role("button", name="Envoyer").click()

    for side in (page, bob):
        image = side.locator("[data-messages] li[data-id] .chat-attachment img")
        expect(image).to_have_attribute("alt", "vue-du-balcon.jpg")
        expect(image).to_be_visible()
        side.wait_for_function(  # the image itself, served to this participant
            "() => { const i = document.querySelector('.chat-attachment img');"
            " return i && i.complete && i.naturalWidth > 0; }",
            timeout=15_000,
        )
        expect(side.locator("[data-messages] li[data-id]")).to_contain_text("La vue")
    assert [status for _url, status in statuses] == [200, 200], statuses
    seen = page.evaluate("window.progressSeen")
    assert [False, 100] in seen, seen  # the bar was shown and reached 100 %
    assert Message.objects.get().attachment.width == 1200
    assert outside == []


def test_too_much_to_replay_is_paged_through_the_rest_history_each_message_once(
    pair, asgi_server, page: Page
):
    """More than the socket replays (CATCH_UP_MAX) came while the page was away: `resync_required`, and the
    page reads the rest from GET …/messages?after_id=, still once each and in order."""
    from marketplace.messaging.selectors import CATCH_UP_MAX

    state: dict = {"offline": False, "routes": []}

    def route(ws: WebSocketRoute) -> None:
        if state["offline"]:
            ws.close(code=4000, reason="hors ligne")
            return
        ws.connect_to_server()
        state["routes"].append(ws)

    page.route_web_socket(re.compile(r".*/ws/$"), route)
    history = []
    page.on("request", lambda r: history.append(r.url) if "after_id=" in r.url else None)
    open_thread(page, asgi_server, pair.bob, pair.conversation)
    state["offline"] = True
    for ws in state["routes"]:
        ws.close(code=4000, reason="coupure")
    page.wait_for_function("() => !window.reciproqueSocket.isOpen()")
    total = CATCH_UP_MAX + 20
    # Written in one go (what matters is what the page reads back; nothing is pushed while it is away).
    Message.objects.bulk_create(
        Message(conversation=pair.conversation, sender=pair.alice, client_id=f"r{n}", text=f"m{n}")
        for n in range(total)
    )
    state["offline"] = False
    expect(page.locator("[data-messages] li[data-id]")).to_have_count(total, timeout=30_000)
    page.wait_for_timeout(1000)
    assert page.evaluate(THREAD_TEXTS) == [f"m{n}" for n in range(total)]
    assert any(f"/api/v1/conversations/{pair.conversation.pk}/messages?after_id=" in url for url in history)
    # Everything shown was marked read, in one read mark rather than one per message.
    page.wait_for_function(
        f"() => document.querySelectorAll('[data-messages] li[data-id]').length === {total}"
    )
    expect(page.locator("[data-messages-count]")).to_be_hidden()
    last = Message.objects.order_by("-id").values_list("id", flat=True).first()
    deadline = time.monotonic() + 10
    while pair.conversation.participants.get(user=pair.bob).last_read_id != last:
        assert time.monotonic() < deadline, "the read mark did not reach the last message"
        time.sleep(0.2)
