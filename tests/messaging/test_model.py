"""M6 (research/reliability.md §3): for random interleavings of sends (socket or REST path), disconnections,
reconnections with `after_id` and `changed_since`, edits, deletions and read marks, the messages each tab
reconstructs from what its sockets received equal a fresh fetch from the database (Zulip's verify_action
in miniature). The sockets are real (the ASGI application over the test Redis); Hypothesis shrinks a failure
to its shortest sequence."""

import asyncio
import threading
from typing import Any

import pytest
from channels.layers import channel_layers
from django.db import connections
from hypothesis import HealthCheck, Phase, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    invariant,
    rule,
    run_state_machine_as_test,
)

from marketplace.messaging import services
from marketplace.messaging.models import Message
from tests.factories.accounts import UserFactory
from tests.marketplace.test_websocket import socket
from tests.messaging.test_websocket import cookie_of

pytestmark = pytest.mark.django_db(transaction=True)
QUIET = 0.3  # seconds without a frame after which a tab has everything its socket will get


class Loop:
    """One event loop in a thread for a whole example: the tabs' sockets live there between steps."""

    def __init__(self) -> None:
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.thread.start()

    def call(self, coroutine: Any) -> Any:
        name = coroutine.__qualname__
        future = asyncio.run_coroutine_threadsafe(coroutine, self.loop)
        try:
            return future.result(timeout=30)
        except TimeoutError:
            future.cancel()
            raise AssertionError(f"{name} did not finish within 30 s") from None

    def close(self) -> None:
        async def finish() -> None:
            # As asyncio.run ends: every task left (the consumers' receives, the Redis watch) is cancelled and
            # awaited. A loop stopped with them pending left a thread-sensitive call of the next example's
            # handshake waiting for ever behind one of them.
            others = [t for t in asyncio.all_tasks() if t is not asyncio.current_task()]
            for task in others:
                task.cancel()
            await asyncio.wait(others, timeout=10) if others else None
            await self.loop.shutdown_default_executor()

        self.call(finish())
        self.loop.call_soon_threadsafe(connections.close_all)
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(timeout=30)
        self.loop.close()
        channel_layers.backends.clear()  # see tests.marketplace.test_websocket.run


class Tab:
    """A browser tab: what it knows of each message (text, deleted), rebuilt only from frames."""

    def __init__(self, cookie: str) -> None:
        self.cookie = cookie
        self.messages: dict[int, tuple[str, bool]] = {}
        self.last_id = 0
        self.at: str | None = None  # `at` of the previous socket's hello
        self.ws: Any = None

    def apply(self, frame: dict[str, Any]) -> None:
        if frame["type"] in ("message.new", "message.edited", "message.deleted"):
            message = frame["message"]
            self.messages[message["id"]] = (message["text"], message["deleted"])
            if frame["type"] == "message.new":
                self.last_id = max(self.last_id, message["id"])

    async def until(self, kind: str) -> dict[str, Any]:
        while True:
            frame = await self.ws.receive_json_from(timeout=10)
            self.apply(frame)
            if frame["type"] == kind:
                return dict(frame)

    async def connect(self) -> None:
        self.ws = socket(self.cookie)
        connected, _ = await self.ws.connect(timeout=10)
        assert connected
        hello = await self.until("hello")
        subscribe: dict[str, Any] = {"type": "subscribe", "after_id": self.last_id}
        if self.at is not None:
            subscribe["changed_since"] = self.at
        await self.ws.send_json_to(subscribe)
        await self.until("subscribed")
        self.at = hello["at"]

    async def drain(self) -> None:
        while not await self.ws.receive_nothing(timeout=QUIET):
            self.apply(await self.ws.receive_json_from(timeout=10))

    async def disconnect(self) -> None:
        await self.ws.disconnect()  # what the socket had not read yet is lost with it
        self.ws = None


class Conversation(RuleBasedStateMachine):
    loop: Loop  # one for the whole test: the examples' sockets are opened and closed on it

    def __init__(self) -> None:
        super().__init__()
        alice, bob = UserFactory(), UserFactory()
        self.users = [alice, bob]
        self.conversation, _ = services.conversation_open_direct(actor=alice, other=bob.pk)
        self.tabs = [Tab(cookie_of(alice)), Tab(cookie_of(bob))]
        self.sent = 0
        for tab in self.tabs:
            self.loop.call(tab.connect())

    @rule(who=st.integers(0, 1), over_socket=st.booleans())
    def send(self, who: int, over_socket: bool) -> None:
        self.sent += 1
        text = f"message {self.sent}"
        tab = self.tabs[who]
        if over_socket and tab.ws is not None:
            frame = {"type": "message.send", "conversation": self.conversation.pk, "text": text}
            self.loop.call(tab.ws.send_json_to({**frame, "client_id": f"c{self.sent}"}))
            self.loop.call(tab.until("message.ack"))
        else:  # the REST path (or another tab of the same person)
            services.message_send(
                actor=self.users[who], conversation=self.conversation, text=text, client_id=f"c{self.sent}"
            )

    def _own(self, who: int, pick: int) -> Message | None:
        mine = list(
            Message.objects.filter(
                conversation=self.conversation, sender=self.users[who], deleted_at__isnull=True
            ).order_by("id")
        )
        return mine[pick % len(mine)] if mine else None

    @rule(who=st.integers(0, 1), pick=st.integers(0, 20))
    def edit(self, who: int, pick: int) -> None:
        message = self._own(who, pick)
        if message is not None:
            self.sent += 1
            services.message_edit(actor=self.users[who], message=message, text=f"modifié {self.sent}")

    @rule(who=st.integers(0, 1), pick=st.integers(0, 20))
    def delete(self, who: int, pick: int) -> None:
        message = self._own(who, pick)
        if message is not None:
            services.message_delete(actor=self.users[who], message=message)

    @rule(who=st.integers(0, 1))
    def read(self, who: int) -> None:
        tab = self.tabs[who]
        if tab.ws is not None and tab.last_id:
            frame = {"type": "read", "conversation": self.conversation.pk, "up_to_id": tab.last_id}
            self.loop.call(tab.ws.send_json_to(frame))

    @rule(who=st.integers(0, 1))
    def disconnect(self, who: int) -> None:
        if self.tabs[who].ws is not None:
            self.loop.call(self.tabs[who].disconnect())

    @rule(who=st.integers(0, 1))
    def reconnect(self, who: int) -> None:
        if self.tabs[who].ws is None:
            self.loop.call(self.tabs[who].connect())

    @invariant()
    def ids_only_grow(self) -> None:
        for tab in self.tabs:
            assert all(message_id <= tab.last_id for message_id in tab.messages)

    def teardown(self) -> None:
        for tab in self.tabs:
            if tab.ws is None:
                self.loop.call(tab.connect())
        for tab in self.tabs:
            self.loop.call(tab.drain())
        fresh = {
            m.pk: (m.text, m.deleted_at is not None)
            for m in Message.objects.filter(conversation=self.conversation)
        }
        for tab in self.tabs:
            self.loop.call(tab.disconnect())
        for tab in self.tabs:
            assert tab.messages == fresh


def test_every_tab_rebuilds_the_database_state_whatever_the_interleaving():
    Conversation.loop = Loop()
    try:
        _run()
    finally:
        Conversation.loop.close()


def _run() -> None:
    run_state_machine_as_test(
        Conversation,
        settings=settings(
            max_examples=12,
            stateful_step_count=12,
            deadline=None,
            derandomize=True,
            suppress_health_check=[HealthCheck.too_slow],
            phases=[Phase.generate],
        ),
    )
