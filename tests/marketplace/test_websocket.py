"""The /ws/ socket: only logged-in users, only from our own origin, events delivered through Redis.

The scenarios are coroutines run on their own event loop in a worker thread: Playwright's sync API keeps
a loop running in the main thread for the browser tests of the same session.
"""

import asyncio
import subprocess
import sys
from collections.abc import Coroutine
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
from asgiref.sync import sync_to_async
from channels.testing import WebsocketCommunicator
from django.conf import settings
from django.db import transaction
from django.test import Client

from marketplace.accounts.models import User
from marketplace.asgi import application
from marketplace.consumers import CLOSE_UNAUTHENTICATED
from marketplace.realtime import broadcast_on_commit, close_user_sockets_on_commit, user_group

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.django_db(transaction=True)


def run(coroutine: Coroutine[Any, Any, Any]) -> Any:
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, coroutine).result(timeout=60)


def session_cookie(email: str = "agent@example.fr") -> tuple[int, str]:
    user = User.objects.create_user(email=email, password="un-mot-de-passe-solide")
    client = Client()
    client.force_login(user)
    return user.pk, client.cookies[settings.SESSION_COOKIE_NAME].value


def socket(cookie: str | None, origin: str = "http://localhost") -> WebsocketCommunicator:
    headers = [(b"origin", origin.encode()), (b"host", b"localhost")]
    if cookie:
        headers.append((b"cookie", f"{settings.SESSION_COOKIE_NAME}={cookie}".encode()))
    return WebsocketCommunicator(application, "/ws/", headers=headers)


def test_anonymous_socket_is_closed_as_unauthenticated():
    async def scenario() -> tuple[bool, int]:
        return await socket(cookie=None).connect()

    assert run(scenario()) == (False, CLOSE_UNAUTHENTICATED)


def test_foreign_origin_is_refused_even_with_a_valid_session():
    _, cookie = session_cookie()

    async def scenario() -> bool:
        connected, _ = await socket(cookie, origin="https://evil.example").connect()
        return connected

    assert run(scenario()) is False


def test_logged_in_user_receives_only_events_of_committed_transactions():
    user_id, cookie = session_cookie()

    def rolled_back_then_committed() -> None:
        try:
            with transaction.atomic():
                broadcast_on_commit(user_group(user_id), {"type": "notice", "n": 1})
                raise RuntimeError("rollback")
        except RuntimeError:
            pass
        with transaction.atomic():
            broadcast_on_commit(user_group(user_id), {"type": "notice", "n": 2})

    async def scenario() -> list[Any]:
        ws = socket(cookie)
        connected, _ = await ws.connect()
        hello = await ws.receive_json_from(timeout=5)
        await sync_to_async(rolled_back_then_committed, thread_sensitive=False)()
        event = await ws.receive_json_from(timeout=5)
        nothing_else = await ws.receive_nothing(timeout=0.3)
        await ws.disconnect()
        return [connected, hello, event, nothing_else]

    assert run(scenario()) == [True, {"type": "hello", "user": user_id}, {"type": "notice", "n": 2}, True]


def test_event_sent_from_another_process_reaches_the_socket(redis_url):
    user_id, cookie = session_cookie()
    sender = (
        "import asyncio, sys\n"
        "from channels_redis.core import RedisChannelLayer\n"
        "layer = RedisChannelLayer(hosts=[sys.argv[1]])\n"
        "asyncio.run(layer.group_send(sys.argv[2], {'type': 'event.push', 'event': {'type': 'from-worker'}}))\n"
    )

    async def scenario() -> Any:
        ws = socket(cookie)
        await ws.connect()
        await ws.receive_json_from(timeout=5)
        await asyncio.to_thread(
            subprocess.run,
            [sys.executable, "-c", sender, redis_url, user_group(user_id)],
            check=True,
            cwd=ROOT,
            timeout=30,
        )
        event = await ws.receive_json_from(timeout=5)
        await ws.disconnect()
        return event

    assert run(scenario()) == {"type": "from-worker"}


def test_logout_closes_the_users_open_sockets():
    user_id, cookie = session_cookie()

    def logout_elsewhere() -> None:
        with transaction.atomic():
            close_user_sockets_on_commit(user_id)

    async def scenario() -> Any:
        ws = socket(cookie)
        await ws.connect()
        await ws.receive_json_from(timeout=5)
        await sync_to_async(logout_elsewhere, thread_sensitive=False)()
        return await ws.receive_output(timeout=5)

    assert run(scenario()) == {"type": "websocket.close", "code": CLOSE_UNAUTHENTICATED}


def test_ping_is_answered():
    _, cookie = session_cookie()

    async def scenario() -> Any:
        ws = socket(cookie)
        await ws.connect()
        await ws.receive_json_from(timeout=5)
        await ws.send_json_to({"type": "ping"})
        pong = await ws.receive_json_from(timeout=5)
        await ws.disconnect()
        return pong

    assert run(scenario()) == {"type": "pong"}
