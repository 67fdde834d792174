"""Delivery guarantees of the messaging (research/reliability.md §3): M4, ordering under concurrent senders."""

import asyncio
from typing import Any

import pytest
from django.test import Client

from marketplace.messaging import services
from marketplace.messaging.models import Message
from tests.factories.accounts import UserFactory
from tests.marketplace.test_websocket import run, socket
from tests.messaging.test_websocket import FRAME_TIMEOUT, cookie_of, frames_until

pytestmark = pytest.mark.django_db(transaction=True)


async def connected(cookie: str, timeout: float = FRAME_TIMEOUT) -> Any:
    ws = socket(cookie)
    ok, _ = await ws.connect(timeout=timeout)
    assert ok
    assert (await ws.receive_json_from(timeout=FRAME_TIMEOUT))["type"] == "hello"
    return ws


async def catch_up(ws, after_id: int = 0) -> list[int]:
    await ws.send_json_to({"type": "subscribe", "after_id": after_id})
    return [f["id"] for f in await frames_until(ws, "subscribed") if f["type"] == "message.new"]


def test_concurrent_senders_every_client_ends_with_the_database_sequence():
    """M4: 10 senders × 20 messages at once, each to a hub user, over their own sockets."""
    hub = UserFactory()
    senders = [UserFactory() for _ in range(10)]
    conversations = [services.conversation_open_direct(actor=s, other=hub.pk)[0] for s in senders]
    cookies = {user.pk: cookie_of(user) for user in [hub, *senders]}

    async def one_sender(user, conversation) -> tuple[list[int], list[int]]:
        ws = await connected(cookies[user.pk])
        acks, seen = [], []
        for n in range(20):
            # Below the socket's throttle (10 frames/s, bursts of 30): paced by the acks, in bursts of 10.
            await ws.send_json_to(
                {
                    "type": "message.send",
                    "conversation": conversation.pk,
                    "text": f"{n}",
                    "client_id": f"s{n}",
                }
            )
            frames = await frames_until(ws, "message.ack")
            acks.append(frames[-1]["id"])
            seen += [f["id"] for f in frames if f["type"] == "message.new"]
            if n == 9:
                await asyncio.sleep(1.1)
        seen += await catch_up(ws)  # what was not pushed live yet; the socket never sends an id twice
        await ws.disconnect()
        return acks, seen

    async def scenario() -> tuple[list[Any], list[int], list[int], list[int]]:
        hub_ws = await connected(cookies[hub.pk])
        results = await asyncio.gather(
            *(one_sender(u, c) for u, c in zip(senders, conversations, strict=True))
        )
        live: list[int] = []
        while len(set(live)) < 200:
            frame = await hub_ws.receive_json_from(timeout=FRAME_TIMEOUT)
            if frame["type"] == "message.new":
                live.append(frame["id"])
        replayed = await catch_up(hub_ws)  # nothing new: every id was already pushed live
        fresh = await connected(cookies[hub.pk])
        replayed_fresh = await catch_up(fresh)  # a new tab of the hub: the whole sequence, from the database
        await fresh.disconnect()
        await hub_ws.disconnect()
        return results, live, replayed, replayed_fresh

    results, live, replayed, replayed_fresh = run(scenario())
    everything = list(Message.objects.order_by("id").values_list("id", flat=True))
    assert len(everything) == 200
    history = Client()
    history.force_login(hub)
    for (acks, seen), conversation in zip(results, conversations, strict=True):
        mine = list(
            Message.objects.filter(conversation=conversation).order_by("id").values_list("id", flat=True)
        )
        assert acks == mine  # each sender's acks: its own messages, in the order sent
        assert sorted(seen) == mine  # live + catch-up: the database's sequence…
        assert len(seen) == len(set(seen))  # …each message once
        page = history.get(f"/api/v1/conversations/{conversation.pk}/messages?after_id=0").json()["items"]
        ids = [m["id"] for m in page]
        assert ids == sorted(set(ids)) == mine  # the history: strictly increasing
        assert [m["text"] for m in page] == [f"{n}" for n in range(20)]
    assert sorted(live) == everything  # the hub got every message live…
    assert len(live) == len(set(live))  # …once
    assert replayed == []  # its catch-up adds nothing…
    assert replayed_fresh == everything  # …and a new socket's catch-up is the database's sequence
