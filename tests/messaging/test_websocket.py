"""The messaging over /ws/: send and ack (idempotent), catch-up with after_id (no loss, no duplicate, a message
sent during the handshake included), someone else's conversation refused, persist before broadcast."""

import time
from typing import Any
from unittest import mock

import pytest
from channels.db import database_sync_to_async
from django.conf import settings
from django.test import Client
from django.urls import reverse

from marketplace.consumers import CLOSE_UNAUTHENTICATED
from marketplace.messaging import registry, services
from marketplace.messaging.models import Message
from tests.factories.accounts import UserFactory
from tests.marketplace.test_websocket import run, socket

pytestmark = pytest.mark.django_db(transaction=True)


def cookie_of(user) -> str:
    client = Client()
    client.force_login(user)
    return client.cookies[settings.SESSION_COOKIE_NAME].value


# A frame expected comes as soon as it is sent; the timeout only ends a hang (generous: a loaded machine
# once took more than 5 s for a frame of the ten-sender scenario, test_delivery.py).
FRAME_TIMEOUT = 20


async def frames_until(ws, kind: str) -> list[dict[str, Any]]:
    frames = []
    while True:
        frame = await ws.receive_json_from(timeout=FRAME_TIMEOUT)
        frames.append(frame)
        if frame["type"] == kind:
            return frames


@pytest.fixture
def pair():
    alice, bob, outsider = UserFactory(), UserFactory(), UserFactory()
    conversation, _ = services.conversation_open_direct(actor=alice, other=bob.pk)
    return alice, bob, outsider, conversation


def test_catch_up_after_reconnect_has_every_message_once_in_order_even_during_the_handshake(pair):
    alice, bob, _outsider, conversation = pair
    last_seen = services.message_send(actor=bob, conversation=conversation, text="vu", client_id="seen")[0].pk
    missed = [
        services.message_send(actor=bob, conversation=conversation, text=f"{n}", client_id=f"m{n}")[0].pk
        for n in range(50)
    ]
    # database_sync_to_async closes its connection after the call (a thread of sync_to_async would keep one of
    # the pool's connections checked out for good).
    send = database_sync_to_async(services.message_send)

    alice_cookie = cookie_of(alice)

    async def scenario() -> list[int]:
        ws = socket(alice_cookie)
        await ws.connect(timeout=5)
        await ws.receive_json_from(timeout=5)  # hello: the group is joined
        during = await send(actor=bob, conversation=conversation, text="pendant", client_id="during")
        await ws.send_json_to({"type": "subscribe", "after_id": last_seen})
        frames = await frames_until(ws, "subscribed")
        after = await send(actor=bob, conversation=conversation, text="après", client_id="after")
        frames += await frames_until(ws, "message.new")
        while not await ws.receive_nothing(timeout=0.5):
            frames.append(await ws.receive_json_from(timeout=5))
        await ws.disconnect()
        assert during[0].pk
        assert after[0].pk
        return [f["id"] for f in frames if f["type"] == "message.new"]

    received = run(scenario())
    expected = list(
        Message.objects.filter(conversation=conversation, id__gt=last_seen)
        .order_by("id")
        .values_list("id", flat=True)
    )
    assert len(expected) == 52
    assert sorted(received) == expected  # nothing lost
    assert len(received) == len(set(received))  # nothing twice
    assert [i for i in received if i in missed] == missed  # the replay is in id order


def test_send_over_the_socket_is_acked_and_a_retry_gets_the_same_id(pair):
    alice, _bob, _outsider, conversation = pair

    alice_cookie = cookie_of(alice)

    async def scenario() -> tuple[list[dict], list[dict], dict]:
        ws = socket(alice_cookie)
        await ws.connect(timeout=5)
        await ws.receive_json_from(timeout=5)
        frame = {
            "type": "message.send",
            "conversation": conversation.pk,
            "text": "Salut",
            "client_id": "ws-1",
        }
        await ws.send_json_to(frame)
        first = await frames_until(ws, "message.ack")
        await ws.disconnect()  # the ack is "lost": the client retries on a new socket
        ws = socket(alice_cookie)
        await ws.connect(timeout=5)
        await ws.receive_json_from(timeout=5)
        await ws.send_json_to(frame)
        second = await frames_until(ws, "message.ack")
        await ws.send_json_to({**frame, "client_id": "ws-2", "conversation": 10**12})
        error = (await frames_until(ws, "error"))[-1]
        await ws.disconnect()
        return first, second, error

    first, second, error = run(scenario())
    assert first[-1]["id"] == second[-1]["id"] == Message.objects.get(client_id="ws-1").pk
    assert Message.objects.filter(sender=alice).count() == 1
    assert (error["code"], error["client_id"]) == ("conversation_not_found", "ws-2")


def test_a_send_is_acked_and_stored_when_the_channel_layer_fails(pair):
    alice, _bob, _outsider, conversation = pair
    from channels.layers import get_channel_layer

    layer = get_channel_layer()
    assert layer is not None
    layer_class = type(layer)
    real_group_send = layer_class.group_send

    async def failing(self, group, message):
        events = message.get("events") or [message.get("event", {})]
        if any(event.get("type") == "message.new" for event in events):
            raise ConnectionError("redis down")
        return await real_group_send(self, group, message)

    alice_cookie = cookie_of(alice)

    async def scenario() -> dict:
        ws = socket(alice_cookie)
        await ws.connect(timeout=5)
        await ws.receive_json_from(timeout=5)
        with mock.patch.object(layer_class, "group_send", failing):
            await ws.send_json_to(
                {"type": "message.send", "conversation": conversation.pk, "text": "M1", "client_id": "m1"}
            )
            ack = (await frames_until(ws, "message.ack"))[-1]
        await ws.disconnect()
        return ack

    ack = run(scenario())
    assert ack["id"] == Message.objects.get(client_id="m1").pk


def test_typing_reaches_the_other_participant_and_is_not_stored(pair):
    alice, bob, _outsider, conversation = pair

    alice_cookie = cookie_of(alice)
    bob_cookie = cookie_of(bob)

    async def scenario() -> dict:
        a, b = socket(alice_cookie), socket(bob_cookie)
        for ws in (a, b):
            await ws.connect(timeout=5)
            await ws.receive_json_from(timeout=5)
        await a.send_json_to({"type": "typing", "conversation": conversation.pk})
        seen = await b.receive_json_from(timeout=5)
        quiet = await a.receive_nothing(timeout=0.3)
        await a.disconnect()
        await b.disconnect()
        assert quiet
        return seen

    seen = run(scenario())
    assert (seen["type"], seen["conversation"], seen["user"], seen["v"]) == (
        "typing",
        conversation.pk,
        alice.pk,
        1,
    )
    assert Message.objects.count() == 0


def test_a_read_mark_sent_over_the_socket_reaches_the_sender_as_a_receipt(pair):
    alice, bob, _outsider, conversation = pair
    message = services.message_send(actor=alice, conversation=conversation, text="Lu ?", client_id="r")[0]

    alice_cookie = cookie_of(alice)
    bob_cookie = cookie_of(bob)

    async def scenario() -> tuple[dict, dict]:
        a, b = socket(alice_cookie), socket(bob_cookie)
        for ws in (a, b):
            await ws.connect(timeout=5)
            await ws.receive_json_from(timeout=5)
        await b.send_json_to({"type": "read", "conversation": conversation.pk, "up_to_id": message.pk})
        receipt = (await frames_until(a, "read"))[-1]
        await b.send_json_to({"type": "read", "conversation": 10**12, "up_to_id": message.pk})
        error = (await frames_until(b, "error"))[-1]
        await a.disconnect()
        await b.disconnect()
        return receipt, error

    receipt, error = run(scenario())
    assert (receipt["conversation"], receipt["user"], receipt["up_to_id"]) == (
        conversation.pk,
        bob.pk,
        message.pk,
    )
    assert error["code"] == "conversation_not_found"
    assert conversation.participants.get(user=bob).last_read_id == message.pk


def test_messages_whose_live_delivery_was_lost_come_back_with_the_catch_up(pair):
    """M7: the channel layer may drop what nobody consumed in time (or fail): the database is what counts."""
    alice, bob, _outsider, conversation = pair
    from channels.layers import get_channel_layer

    layer = get_channel_layer()
    assert layer is not None
    layer_class = type(layer)
    real_group_send = layer_class.group_send

    async def dropping(self, group, message):
        # Expired in the layer: never delivered. Expiry is not selective: the notifications of these
        # messages (notification.new, notification.unread) are lost too.
        # One layer message carries one `event` or several `events` (marketplace.realtime._send_all).
        events = message.get("events") or [message.get("event", {})]
        if any(event.get("type", "").startswith(("message.", "notification.")) for event in events):
            return None
        return await real_group_send(self, group, message)

    send = database_sync_to_async(services.message_send)

    alice_cookie = cookie_of(alice)

    async def scenario() -> tuple[list[int], list[int]]:
        ws = socket(alice_cookie)
        await ws.connect(timeout=5)
        await ws.receive_json_from(timeout=5)
        with mock.patch.object(layer_class, "group_send", dropping):
            sent = [
                (await send(actor=bob, conversation=conversation, text=f"{n}", client_id=f"lost{n}"))[0].pk
                for n in range(5)
            ]
            assert await ws.receive_nothing(timeout=0.3)
        await ws.send_json_to({"type": "subscribe", "after_id": 0})
        frames = await frames_until(ws, "subscribed")
        await ws.disconnect()
        return sent, [f["id"] for f in frames if f["type"] == "message.new"]

    sent, received = run(scenario())
    assert received == sent


def test_a_catch_up_too_long_asks_the_client_to_page_through_the_api(pair, monkeypatch):
    alice, bob, _outsider, conversation = pair
    from marketplace.messaging import selectors

    monkeypatch.setattr(selectors, "CATCH_UP_MAX", 3)
    ids = [
        services.message_send(actor=bob, conversation=conversation, text=f"{n}", client_id=f"b{n}")[0].pk
        for n in range(5)
    ]

    alice_cookie = cookie_of(alice)

    async def scenario() -> list[dict]:
        ws = socket(alice_cookie)
        await ws.connect(timeout=5)
        await ws.receive_json_from(timeout=5)
        await ws.send_json_to({"type": "subscribe", "after_id": 0})
        frames = await frames_until(ws, "subscribed")
        await ws.disconnect()
        return frames

    frames = run(scenario())
    assert [f["id"] for f in frames if f["type"] == "message.new"] == ids[:3]
    resync = [f for f in frames if f["type"] == "resync_required"]
    assert len(resync) == 1
    assert resync[0]["after_id"] == ids[2]


def test_logging_out_over_http_closes_the_socket_within_a_second(pair):
    """WS3: the sign-out form (allauth, through our adapter) closes the user's open sockets."""
    alice, _bob, _outsider, _conversation = pair
    browser = Client()
    browser.force_login(alice)
    cookie = browser.cookies[settings.SESSION_COOKIE_NAME].value
    logout = database_sync_to_async(browser.post, thread_sensitive=False)

    async def scenario() -> tuple[Any, float]:
        ws = socket(cookie)
        await ws.connect(timeout=5)
        await ws.receive_json_from(timeout=5)
        response = await logout(reverse("account_logout"))
        assert response.status_code == 302
        started = time.monotonic()
        closed = await ws.receive_output(timeout=1)  # within 1 s of the logout's answer
        return closed, time.monotonic() - started

    closed, _waited = run(scenario())
    assert closed == {"type": "websocket.close", "code": CLOSE_UNAUTHENTICATED}

    async def again() -> tuple[bool, Any]:  # the cookie of that session no longer opens a socket (WS2)
        return await socket(cookie).connect(timeout=5)

    assert run(again()) == (False, CLOSE_UNAUTHENTICATED)


def test_a_participant_removed_from_an_attached_conversation_gets_nothing_more_from_it(pair):
    """WS5: the parties of the object change (a swap cancelled for one of them): the removed participant's
    socket gets no further event of the conversation, its catch-up leaves it out, and its sends are refused."""
    alice, bob, _outsider, _direct = pair
    parties = {7: [alice.pk, bob.pk]}
    registry.register_subject("test_removal", participants=lambda object_id: parties.get(object_id, []))
    try:
        conversation = services.conversation_for_subject(
            actor=alice, subject_type="test_removal", subject_id=7
        )
        before = services.message_send(actor=alice, conversation=conversation, text="avant", client_id="b")[0]
        parties[7] = [alice.pk]
        services.conversation_sync_participants(subject_type="test_removal", subject_id=7)
    finally:
        registry.unregister_subject("test_removal")
    bob_cookie = cookie_of(bob)
    send = database_sync_to_async(services.message_send)

    async def scenario() -> tuple[bool, list[dict], dict]:
        ws = socket(bob_cookie)
        await ws.connect(timeout=5)
        await ws.receive_json_from(timeout=5)
        await send(actor=alice, conversation=conversation, text="après", client_id="a")
        quiet = await ws.receive_nothing(timeout=0.5)
        await ws.send_json_to({"type": "subscribe", "after_id": 0})
        replay = await frames_until(ws, "subscribed")
        frame = {"type": "message.send", "conversation": conversation.pk, "text": "moi", "client_id": "x"}
        await ws.send_json_to(frame)
        error = (await frames_until(ws, "error"))[-1]
        await ws.disconnect()
        return quiet, replay, error

    quiet, replay, error = run(scenario())
    assert quiet
    assert [f for f in replay if f.get("conversation") == conversation.pk] == []
    assert before.pk not in [f.get("id") for f in replay]
    assert error["code"] == "conversation_not_found"
    assert not Message.objects.filter(sender=bob).exists()


def test_a_recipient_gets_one_frame_per_message_its_message_new(pair):
    """message.received (the notification, recorded by the worker) is not pushed as a frame of its own: the
    recipient's socket has the message's message.new; the sender's, its ack and its message.new."""
    alice, bob, _outsider, conversation = pair
    alice_cookie, bob_cookie = cookie_of(alice), cookie_of(bob)
    rest_send = database_sync_to_async(services.message_send)

    async def scenario() -> tuple[list[dict], list[dict]]:
        alice_ws, bob_ws = socket(alice_cookie), socket(bob_cookie)
        for ws in (alice_ws, bob_ws):
            await ws.connect(timeout=5)
            await ws.receive_json_from(timeout=5)  # hello
        await alice_ws.send_json_to(
            {"type": "message.send", "conversation": conversation.pk, "text": "socket", "client_id": "s"}
        )
        await rest_send(actor=alice, conversation=conversation, text="rest", client_id="r")  # the service's
        frames: dict[str, list[dict]] = {"alice": [], "bob": []}
        for name, ws in (("alice", alice_ws), ("bob", bob_ws)):
            while not await ws.receive_nothing(timeout=1):
                frames[name].append(await ws.receive_json_from(timeout=5))
            await ws.disconnect()
        return frames["alice"], frames["bob"]

    alice_frames, bob_frames = run(scenario())
    ids = list(Message.objects.filter(conversation=conversation).order_by("id").values_list("id", flat=True))
    assert len(ids) == 2
    assert [(f["type"], f["id"]) for f in bob_frames] == [("message.new", ids[0]), ("message.new", ids[1])]
    assert sorted(f["type"] for f in alice_frames) == ["message.ack", "message.new", "message.new"]
