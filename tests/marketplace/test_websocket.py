"""The /ws/ socket: only logged-in users, only from our own origin, events delivered through Redis."""

import subprocess
import sys
from pathlib import Path

import pytest
from asgiref.sync import sync_to_async
from channels.testing import WebsocketCommunicator
from django.conf import settings
from django.db import transaction
from django.test import Client

from marketplace.accounts.models import User
from marketplace.asgi import application
from marketplace.consumers import CLOSE_UNAUTHENTICATED
from marketplace.realtime import broadcast_on_commit, user_group

ROOT = Path(__file__).resolve().parents[2]
pytestmark = [pytest.mark.asyncio, pytest.mark.django_db(transaction=True)]


def _session_cookie(email: str) -> tuple[int, str]:
    user = User.objects.create_user(email=email, password="un-mot-de-passe-solide")
    client = Client()
    client.force_login(user)
    return user.pk, client.cookies[settings.SESSION_COOKIE_NAME].value


def _socket(cookie: str | None, origin: str = "http://localhost") -> WebsocketCommunicator:
    headers = [(b"origin", origin.encode()), (b"host", b"localhost")]
    if cookie:
        headers.append((b"cookie", f"{settings.SESSION_COOKIE_NAME}={cookie}".encode()))
    return WebsocketCommunicator(application, "/ws/", headers=headers)


async def test_anonymous_socket_is_closed_as_unauthenticated():
    socket = _socket(cookie=None)
    connected, code = await socket.connect()
    assert connected is False
    assert code == CLOSE_UNAUTHENTICATED


async def test_foreign_origin_is_refused_even_with_a_valid_session():
    _, cookie = await sync_to_async(_session_cookie)("agent@example.fr")
    socket = _socket(cookie, origin="https://evil.example")
    connected, _ = await socket.connect()
    assert connected is False


async def test_logged_in_user_receives_events_sent_after_commit():
    user_id, cookie = await sync_to_async(_session_cookie)("agent@example.fr")
    socket = _socket(cookie)
    connected, _ = await socket.connect()
    assert connected is True
    assert await socket.receive_json_from(timeout=5) == {"type": "hello", "user": user_id}

    def send_in_rolled_back_then_committed_transactions() -> None:
        try:
            with transaction.atomic():
                broadcast_on_commit(user_group(user_id), {"type": "notice", "n": 1})
                raise RuntimeError("rollback")
        except RuntimeError:
            pass
        with transaction.atomic():
            broadcast_on_commit(user_group(user_id), {"type": "notice", "n": 2})

    await sync_to_async(send_in_rolled_back_then_committed_transactions)()
    # Only the committed event arrives: the rolled-back one was never sent.
    assert await socket.receive_json_from(timeout=5) == {"type": "notice", "n": 2}
    assert await socket.receive_nothing(timeout=0.3)
    await socket.disconnect()


async def test_event_sent_from_another_process_reaches_the_socket(redis_url):
    user_id, cookie = await sync_to_async(_session_cookie)("agent@example.fr")
    socket = _socket(cookie)
    assert (await socket.connect())[0] is True
    await socket.receive_json_from(timeout=5)
    sender = (
        "import asyncio, sys\n"
        "from channels_redis.core import RedisChannelLayer\n"
        "layer = RedisChannelLayer(hosts=[sys.argv[1]])\n"
        "asyncio.run(layer.group_send(sys.argv[2], {'type': 'event.push', 'event': {'type': 'from-worker'}}))\n"
    )
    await sync_to_async(subprocess.run)(
        [sys.executable, "-c", sender, redis_url, user_group(user_id)], check=True, cwd=ROOT, timeout=30
    )
    assert await socket.receive_json_from(timeout=5) == {"type": "from-worker"}
    await socket.disconnect()


async def test_ping_is_answered():
    _, cookie = await sync_to_async(_session_cookie)("agent@example.fr")
    socket = _socket(cookie)
    assert (await socket.connect())[0] is True
    await socket.receive_json_from(timeout=5)
    await socket.send_json_to({"type": "ping"})
    assert await socket.receive_json_from(timeout=5) == {"type": "pong"}
    await socket.disconnect()
