"""Two real web processes (scripts/serve.sh, as `make run`) sharing a real Redis channel layer, with either
layer (CHANNEL_LAYER=core or pubsub): each delivers to the other's clients; with Redis stopped, sends are
still stored and acknowledged (socket and REST) and nothing wedges; once Redis is started again on the same
port, the sockets of the outage are closed with 1012, new ones are live and the catch-up recovers every
message once (research/reliability.md M5, F1).

These start processes (a redis-server of their own and two web servers per layer): `make test` runs them,
`make check` leaves them out (`-m processes`).
"""

import asyncio
import itertools
import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from django.conf import settings
from django.test import Client
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed

from marketplace.consumers import CLOSE_LAYER_DOWN
from marketplace.messaging import services
from marketplace.messaging.models import Message
from tests.factories.accounts import UserFactory
from tests.marketplace.test_websocket import run
from tests.processes import RedisServer, WebServer

pytestmark = [pytest.mark.processes, pytest.mark.django_db(transaction=True)]

WAIT = 20.0  # seconds: bound of every wait below (a loaded 2-core CI machine), never a sleep
_client_ids = itertools.count()


@dataclass
class Pair:
    redis: RedisServer
    a: WebServer
    b: WebServer


@pytest.fixture(scope="module", params=["core", "pubsub"])
def servers(request: pytest.FixtureRequest, django_db_setup: None) -> Iterator[Pair]:
    """A Redis of their own (stopped by the M5 test) and two web processes on it, per channel layer."""
    redis = RedisServer().start()
    env = {"REDIS_URL": redis.url, "CHANNEL_LAYER": request.param}
    started: list[WebServer] = []
    try:
        started.append(WebServer(env).start())
        started.append(WebServer(env).start())
        yield Pair(redis, *started)
    finally:
        for server in started:
            server.stop()
        redis.remove()


def cookie_of(user) -> str:
    client = Client()
    client.force_login(user)
    return client.cookies[settings.SESSION_COOKIE_NAME].value


@pytest.fixture
def chat():
    alice, bob = UserFactory(), UserFactory()
    conversation, _ = services.conversation_open_direct(actor=alice, other=bob.pk)
    return alice, bob, conversation, cookie_of(alice), cookie_of(bob)


async def opened(server: WebServer, cookie: str) -> tuple[ClientConnection, dict[str, Any]]:
    ws = await connect(
        server.ws_url,
        origin=server.origin,  # type: ignore[arg-type]  # websockets types it as a NewType of str
        additional_headers={"Cookie": f"{settings.SESSION_COOKIE_NAME}={cookie}"},
        open_timeout=WAIT,
    )
    hello = await next_frame(ws, "hello")
    return ws, hello


async def frame(ws: ClientConnection) -> dict[str, Any]:
    return dict(json.loads(await asyncio.wait_for(ws.recv(), WAIT)))


async def next_frame(
    ws: ClientConnection, kind: str, seen: list[dict[str, Any]] | None = None
) -> dict[str, Any]:
    """The next frame of this type; the frames before it go to `seen`."""
    while True:
        received = await frame(ws)
        if received["type"] == kind:
            return received
        if seen is not None:
            seen.append(received)


async def arrives(ws: ClientConnection, message_id: int) -> bool:
    """Read until message.new for this id (the sender's own tab gets its messages too)."""
    while (await next_frame(ws, "message.new"))["id"] != message_id:
        pass
    return True


async def send(ws: ClientConnection, conversation: int, text: str) -> int:
    """message.send over the socket; the ack's server id (other frames before the ack are dropped)."""
    client_id = f"c{next(_client_ids)}"
    await ws.send(
        json.dumps(
            {"type": "message.send", "conversation": conversation, "text": text, "client_id": client_id}
        )
    )
    while True:
        received = await frame(ws)
        if received["type"] == "message.ack" and received["client_id"] == client_id:
            return int(received["id"])
        assert received["type"] != "error", received


async def rest_send(server: WebServer, cookie: str, conversation: int, text: str) -> int:
    status, body = await asyncio.to_thread(
        server.request,
        "POST",
        f"/api/v1/conversations/{conversation}/messages",
        {"text": text, "client_id": f"r{next(_client_ids)}"},
        cookie,
    )
    assert status == 201, (status, body)
    return int(body["id"])


async def closed_with(ws: ClientConnection) -> int | None:
    """Read until the server closes the socket; its close code."""
    try:
        while True:
            await frame(ws)
    except ConnectionClosed as closed:
        return closed.rcvd.code if closed.rcvd else None


async def catch_up(ws: ClientConnection, after_id: int) -> list[int]:
    await ws.send(json.dumps({"type": "subscribe", "after_id": after_id}))
    seen: list[dict[str, Any]] = []
    await next_frame(ws, "subscribed", seen)
    return [f["id"] for f in seen if f["type"] == "message.new"]


def test_two_server_processes_deliver_to_each_others_clients(servers: Pair, chat) -> None:
    alice, bob, conversation, alice_cookie, bob_cookie = chat

    async def scenario() -> tuple[list[int], list[int], dict[str, Any]]:
        on_a, hello_a = await opened(servers.a, alice_cookie)
        on_b, hello_b = await opened(servers.b, bob_cookie)
        assert hello_a["live"]
        assert hello_b["live"]
        a_to_b, b_to_a = [], []
        for n in range(3):
            sent = await send(on_a, conversation.pk, f"de A {n}")  # socket on process A…
            assert await arrives(on_b, sent)  # …live on process B
            a_to_b.append(sent)
            sent = await rest_send(servers.b, bob_cookie, conversation.pk, f"de B {n}")  # REST on B…
            assert await arrives(on_a, sent)  # …live on A
            b_to_a.append(sent)
        await on_b.send(json.dumps({"type": "typing", "conversation": conversation.pk}))
        typing = await next_frame(on_a, "typing")
        await on_a.close()
        await on_b.close()
        return a_to_b, b_to_a, typing

    a_to_b, b_to_a, typing = run(scenario())
    stored = list(
        Message.objects.filter(conversation=conversation).order_by("id").values_list("id", flat=True)
    )
    assert sorted(a_to_b + b_to_a) == stored
    assert len(stored) == 6
    assert (typing["user"], typing["conversation"]) == (bob.pk, conversation.pk)
    assert Message.objects.filter(sender=alice).count() == Message.objects.filter(sender=bob).count() == 3


def test_with_redis_stopped_sends_are_stored_and_acked_then_live_delivery_and_catch_up_recover(
    servers: Pair, chat
) -> None:
    """M5: stop the channel layer's redis-server (the process, not a mock), then start it on the same port."""
    _alice, _bob, conversation, alice_cookie, bob_cookie = chat
    redis = servers.redis

    async def scenario() -> dict[str, Any]:
        on_a, _ = await opened(servers.a, alice_cookie)
        on_b, _ = await opened(servers.b, bob_cookie)
        before = await send(on_a, conversation.pk, "avant")
        assert await arrives(on_b, before)  # live through Redis

        await asyncio.to_thread(redis.stop)
        # Both sockets learn that live events stopped (a failed receive, or the process's Redis watch).
        await next_frame(on_a, "live.lost")
        await next_frame(on_b, "live.lost")
        during = [await send(on_a, conversation.pk, f"pendant {n}") for n in range(3)]  # acked, stored
        during.append(await rest_send(servers.b, bob_cookie, conversation.pk, "pendant REST"))
        # A socket opened during the outage is accepted without live events, and serves sends and catch-ups.
        late, hello = await opened(servers.b, bob_cookie)
        assert hello["live"] is False
        during.append(await send(late, conversation.pk, "pendant, nouvelle socket"))
        replayed_while_down = await catch_up(late, before)
        # Nothing wedged: the old sockets still answer.
        for ws in (on_a, on_b):
            await ws.send(json.dumps({"type": "ping"}))
            await next_frame(ws, "pong")

        await asyncio.to_thread(redis.start)
        # Every socket of the outage is closed with 1012 ("service restart"): its client reconnects…
        codes = [await closed_with(ws) for ws in (on_a, on_b, late)]
        # …and catches up from the last id it had, then is live again.
        again_a, hello_a = await opened(servers.a, alice_cookie)
        again_b, hello_b = await opened(servers.b, bob_cookie)
        replayed_b = await catch_up(again_b, before)
        replayed_a = await catch_up(again_a, before)
        after = await send(again_a, conversation.pk, "après")
        live_after = await arrives(again_b, after)
        after_rest = await rest_send(servers.b, bob_cookie, conversation.pk, "après REST")
        live_after_rest = await arrives(again_a, after_rest)
        for ws in (again_a, again_b):
            await ws.close()
        return {
            "before": before,
            "during": during,
            "replayed_while_down": replayed_while_down,
            "codes": codes,
            "live_again": (hello_a["live"], hello_b["live"]),
            "replayed": (replayed_a, replayed_b),
            "after": (after, after_rest),
            "live_after": (live_after, live_after_rest),
        }

    result = run(scenario())
    stored = list(
        Message.objects.filter(conversation=conversation).order_by("id").values_list("id", flat=True)
    )
    during = result["during"]
    assert stored == [result["before"], *during, *result["after"]]  # every send stored, once
    assert result["replayed_while_down"] == during  # from the database, while Redis is down
    assert result["codes"] == [CLOSE_LAYER_DOWN] * 3
    assert result["live_again"] == (True, True)
    assert result["replayed"] == (during, during)  # the catch-up recovers everything, once, in order
    assert result["live_after"] == (True, True)  # live delivery resumed both ways


def test_a_frame_over_a_mebibyte_is_refused_with_1009_and_the_server_stays_healthy(
    servers: Pair, chat
) -> None:
    """WS6: uvicorn (--ws-max-size, scripts/serve.sh) closes the socket; the process serves the next one."""
    _alice, _bob, _conversation, alice_cookie, _bob_cookie = chat

    async def scenario() -> int | None:
        ws, _ = await opened(servers.a, alice_cookie)
        try:  # uncompressed (no permessage-deflate), the frame may still be going out when the server closes
            await ws.send("x" * (2 * 1024 * 1024))
        except ConnectionClosed as closed:
            code = closed.rcvd.code if closed.rcvd else None
        else:
            code = await closed_with(ws)
        other, _ = await opened(servers.a, alice_cookie)
        await other.send(json.dumps({"type": "ping"}))
        await next_frame(other, "pong")
        await other.close()
        return code

    assert run(scenario()) == 1009
