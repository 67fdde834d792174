"""The /ws/ socket: only logged-in users, only from our own origin, events delivered through Redis.

The scenarios are coroutines run on their own event loop in a worker thread: Playwright's sync API keeps
a loop running in the main thread for the browser tests of the same session.
"""

import asyncio
import json
import subprocess
import sys
from collections.abc import Coroutine
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from channels.db import database_sync_to_async
from channels.layers import channel_layers
from channels.testing import WebsocketCommunicator
from django.conf import settings
from django.db import connections, transaction
from django.test import Client

from marketplace.accounts.models import User
from marketplace.asgi import application
from marketplace.consumers import CLOSE_UNAUTHENTICATED
from marketplace.realtime import broadcast_on_commit, close_user_sockets_on_commit, user_group

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.django_db(transaction=True)


def _run_in_own_loop(coroutine: Coroutine[Any, Any, Any]) -> Any:
    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)
    try:
        return loop.run_until_complete(coroutine)
    finally:
        # asyncio.run would wait for ever for a task that does not end on cancellation (a Redis read that
        # redis-py retries): the scenario's leftovers get a few seconds, then the loop is closed anyway.
        leftovers = asyncio.all_tasks(loop)
        for task in leftovers:
            task.cancel()
        if leftovers:
            loop.run_until_complete(asyncio.wait(leftovers, timeout=5))
        loop.run_until_complete(loop.shutdown_asyncgens())
        asyncio.set_event_loop(None)
        loop.close()
        # A scenario that reached the database from its event loop's thread (the tests allow async-unsafe
        # calls for Playwright) left that connection checked out of the pool for good when the thread ended:
        # after about seven such tests a worker waited for the pool. Such a scenario fails here.
        opened = [c.alias for c in connections.all(initialized_only=True) if c.connection is not None]
        connections.close_all()
        # channels_redis keeps per-channel asyncio locks on the layer object; a receive cancelled while
        # waiting for one (a socket closed at the end of a scenario) leaves the lock behind, bound to this
        # loop, and the next scenario's loop failed on it ("Lock … is bound to a different event loop"). In
        # production one loop serves a process; here every scenario gets a new layer object.
        channel_layers.backends.clear()
    assert not opened, "the scenario used the database in its event loop: use database_sync_to_async"


def run(coroutine: Coroutine[Any, Any, Any]) -> Any:
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(_run_in_own_loop, coroutine).result(timeout=60)


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


def bare(event: dict[str, Any]) -> dict[str, Any]:
    """An event without the `id` and `v` every frame carries (checked in test_every_frame_has_an_id_and_version)."""
    return {key: value for key, value in event.items() if key not in ("id", "v")}


def test_anonymous_socket_is_closed_as_unauthenticated():
    async def scenario() -> tuple[bool, int | str | None]:
        return await socket(cookie=None).connect(timeout=5)

    assert run(scenario()) == (False, CLOSE_UNAUTHENTICATED)


def test_foreign_origin_is_refused_even_with_a_valid_session():
    _, cookie = session_cookie()

    async def scenario() -> bool:
        connected, _ = await socket(cookie, origin="https://evil.example").connect(timeout=5)
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
        connected, _ = await ws.connect(timeout=5)
        hello = bare(await ws.receive_json_from(timeout=5))
        assert datetime.fromisoformat(hello.pop("at")).tzinfo is not None  # server time, for changed_since
        await database_sync_to_async(rolled_back_then_committed, thread_sensitive=False)()
        event = bare(await ws.receive_json_from(timeout=5))
        nothing_else = await ws.receive_nothing(timeout=0.3)
        await ws.disconnect()
        return [connected, hello, event, nothing_else]

    assert run(scenario()) == [
        True,
        {"type": "hello", "user": user_id, "live": True},
        {"type": "notice", "n": 2},
        True,
    ]


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
        await ws.connect(timeout=5)
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
        return bare(event)

    assert run(scenario()) == {"type": "from-worker"}


def test_logout_closes_the_users_open_sockets():
    user_id, cookie = session_cookie()

    def logout_elsewhere() -> None:
        with transaction.atomic():
            close_user_sockets_on_commit(user_id)

    async def scenario() -> Any:
        ws = socket(cookie)
        await ws.connect(timeout=5)
        await ws.receive_json_from(timeout=5)
        await database_sync_to_async(logout_elsewhere, thread_sensitive=False)()
        return await ws.receive_output(timeout=5)

    assert run(scenario()) == {"type": "websocket.close", "code": CLOSE_UNAUTHENTICATED}


def test_ping_is_answered():
    _, cookie = session_cookie()

    async def scenario() -> Any:
        ws = socket(cookie)
        await ws.connect(timeout=5)
        await ws.receive_json_from(timeout=5)
        await ws.send_json_to({"type": "ping"})
        pong = await ws.receive_json_from(timeout=5)
        await ws.disconnect()
        return pong

    pong = run(scenario())
    assert bare(pong) == {"type": "pong"}
    assert pong["v"] == 1
    assert len(pong["id"]) == 32


def test_every_frame_has_an_id_and_version():
    _, cookie = session_cookie()

    async def scenario() -> list[Any]:
        ws = socket(cookie)
        await ws.connect(timeout=5)
        frames = [await ws.receive_json_from(timeout=5)]
        await ws.send_to(text_data="pas du json")
        frames.append(await ws.receive_json_from(timeout=5))
        await ws.send_json_to({"type": "ping"})
        frames.append(await ws.receive_json_from(timeout=5))
        await ws.disconnect()
        return frames

    frames = run(scenario())
    assert [f["type"] for f in frames] == ["hello", "error", "pong"]
    assert all(f["v"] == 1 and f["id"] for f in frames)
    assert len({f["id"] for f in frames}) == 3


@pytest.mark.parametrize(
    "origin",
    [
        "http://localhost:9999",
        "https://localhost",
        "http://localhost.evil.example",
        "null",
        "http://127.0.0.1",
    ],
)
def test_an_origin_that_is_not_exactly_ours_is_refused(origin):
    _, cookie = session_cookie()

    async def scenario() -> bool:
        connected, _ = await socket(cookie, origin=origin).connect(timeout=5)
        return connected

    assert run(scenario()) is False


def test_a_trusted_origin_is_accepted(settings):
    settings.CSRF_TRUSTED_ORIGINS = ["https://localhost"]
    _, cookie = session_cookie()

    async def scenario() -> bool:
        ws = socket(cookie, origin="https://localhost")
        connected, _ = await ws.connect(timeout=5)
        await ws.disconnect()
        return connected

    assert run(scenario()) is True


def test_malformed_frames_get_an_error_and_the_socket_stays_open():
    _, cookie = session_cookie()

    async def scenario() -> list[Any]:
        ws = socket(cookie)
        await ws.connect(timeout=5)
        await ws.receive_json_from(timeout=5)
        answers = []
        await ws.send_to(bytes_data=b"\x00\xff")
        answers.append((await ws.receive_json_from(timeout=5))["code"])
        await ws.send_to(text_data="pas du json")
        answers.append((await ws.receive_json_from(timeout=5))["code"])
        await ws.send_to(text_data="[" * 100_000 + "]" * 100_000)
        answers.append((await ws.receive_json_from(timeout=5))["code"])
        await ws.send_to(text_data=json.dumps({"type": "ping", "x": [[[[[[[[[[1]]]]]]]]]]}))
        answers.append((await ws.receive_json_from(timeout=5))["code"])
        await ws.send_to(text_data=json.dumps(["ping"]))
        answers.append((await ws.receive_json_from(timeout=5))["code"])
        await ws.send_to(text_data=json.dumps({"type": "x" * 20_000}))
        answers.append((await ws.receive_json_from(timeout=5))["code"])
        await ws.send_json_to({"type": "ping"})
        answers.append(bare(await ws.receive_json_from(timeout=5)))
        await ws.disconnect()
        return answers

    assert run(scenario()) == [
        "binary_frame",
        "invalid_json",
        "frame_too_large",
        "too_deep",
        "unknown_type",
        "frame_too_large",
        {"type": "pong"},
    ]


def test_a_flood_of_frames_is_throttled():
    _, cookie = session_cookie()

    async def scenario() -> tuple[int, int, bool]:
        ws = socket(cookie)
        await ws.connect(timeout=5)
        await ws.receive_json_from(timeout=5)
        for _ in range(200):
            await ws.send_json_to({"type": "ping"})
        pongs = errors = 0
        while not await ws.receive_nothing(timeout=0.5):
            event = bare(await ws.receive_json_from(timeout=5))
            if event == {"type": "pong"}:
                pongs += 1
            elif event.get("code") == "too_many_frames":
                errors += 1
        await asyncio.sleep(1.2)
        await ws.send_json_to({"type": "ping"})
        still_open = bare(await ws.receive_json_from(timeout=5)) == {"type": "pong"}
        await ws.disconnect()
        return pongs, errors, still_open

    pongs, errors, still_open = run(scenario())
    assert pongs < 60
    assert errors >= 1
    assert still_open
