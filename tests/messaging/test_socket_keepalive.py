"""A socket whose send waits for the database keeps reading: the client's answers to uvicorn's keep-alive pings
still arrive, so the socket is not closed with 1011 ("keepalive ping timeout"), and its frames are still
answered in their order of arrival. Under load (bench/messaging.py at 500 messages/s) uvicorn stopped reading
a socket until the consumer asked for its next frame, and hundreds of sockets were closed that way.

A real web process (scripts/serve.sh) with pings every second, a one-second timeout, and the conversation's row
locked by the test for four seconds: the send waits that long for it."""

import asyncio
import json
import threading
from collections.abc import Iterator
from typing import Any

import pytest
from django.db import connection, transaction

from marketplace.messaging import services
from marketplace.messaging.models import Conversation, Message
from tests.factories.accounts import UserFactory
from tests.marketplace.test_websocket import run
from tests.messaging.test_processes import WAIT, cookie_of, frame, opened
from tests.processes import WebServer

pytestmark = [pytest.mark.processes, pytest.mark.django_db(transaction=True)]

HELD = 4.0  # seconds the conversation stays locked: four ping intervals, beyond a ping's timeout


@pytest.fixture(scope="module")
def server(django_db_setup: None) -> Iterator[WebServer]:
    web = WebServer({"WS_PING_INTERVAL": "1", "WS_PING_TIMEOUT": "1"}).start()
    try:
        yield web
    finally:
        web.stop()


def locked(conversation_id: int, taken: threading.Event, release: threading.Event) -> None:
    try:
        with transaction.atomic():
            Conversation.objects.select_for_update().get(pk=conversation_id)
            taken.set()
            release.wait(WAIT)
    finally:
        connection.close()


def test_a_send_waiting_for_the_database_does_not_cost_the_socket(server: WebServer) -> None:
    alice, bob = UserFactory(), UserFactory()
    conversation, _ = services.conversation_open_direct(actor=alice, other=bob.pk)
    alice_cookie = cookie_of(alice)
    taken, release = threading.Event(), threading.Event()
    holder = threading.Thread(target=locked, args=(conversation.pk, taken, release))
    holder.start()
    assert taken.wait(WAIT)

    async def scenario() -> list[dict[str, Any]]:
        ws, _hello = await opened(server, alice_cookie)
        await ws.send(
            json.dumps(
                {"type": "message.send", "conversation": conversation.pk, "text": "lent", "client_id": "slow"}
            )
        )
        await ws.send(json.dumps({"type": "ping"}))
        await asyncio.sleep(HELD)  # pings come and go meanwhile; the send waits for the lock
        release.set()
        frames = [await frame(ws)]
        while frames[-1]["type"] != "pong":
            frames.append(await frame(ws))
        await ws.close()
        return frames

    try:
        frames = run(scenario())
    finally:
        release.set()
        holder.join(WAIT)
    kinds = [f["type"] for f in frames if f["type"] in ("message.ack", "pong")]
    assert kinds == ["message.ack", "pong"]  # answered in their order of arrival, on the same socket
    ack = next(f for f in frames if f["type"] == "message.ack")
    assert Message.objects.get(client_id="slow").pk == ack["id"]
