"""The one websocket of a browser tab: /ws/. It carries every event for its user (messages, notifications…).

What a client sends is untrusted: a binary, non-JSON, oversized or deeply nested frame, or an unknown type,
gets an `error` event and the socket stays open; a flood of frames is throttled (extra frames are dropped,
with one `error` event per second), and a socket that keeps flooding is closed.
"""

import asyncio
import datetime as dt
import json
import logging
import re
import time
import uuid
from collections import deque
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar, cast

from asgiref.sync import sync_to_async
from asgiref.typing import WebSocketReceiveEvent
from channels.consumer import get_handler_name
from channels.db import database_sync_to_async
from channels.exceptions import StopConsumer
from channels.generic.websocket import AsyncJsonWebsocketConsumer
from channels.layers import get_channel_layer
from django.utils import timezone
from django.utils.translation import gettext as _

from marketplace.accounts.models import User
from marketplace.errors import DomainError
from marketplace.messaging import selectors as messaging_selectors
from marketplace.messaging import services as messaging_services
from marketplace.messaging.events import (
    SCHEMA_VERSION,
    MessageDeletedEvent,
    MessageEdited,
    MessageNew,
    Typing,
    message_data,
)
from marketplace.messaging.presence import PresenceClock, presence_touch
from marketplace.realtime import LAYER_ERRORS, REDIS_GONE, layer_unwatch, layer_watch, user_group

logger = logging.getLogger(__name__)
T = TypeVar("T")

# Close codes in the 4000-4999 private range, mirroring HTTP statuses.
CLOSE_UNAUTHENTICATED = 4401
CLOSE_TOO_MANY_FRAMES = 4429
# The channel layer (Redis) failed under this socket: live events can no longer reach it. The client reconnects
# and catches up with `subscribe` (the messages are in the database); 1012 is the standard "service restart".
CLOSE_LAYER_DOWN = 1012
LAYER_RETRY = 1.0  # seconds between two receives from a failing channel layer
CANCEL_WAIT = 2.0  # seconds a closed socket's pending receives get to end

MAX_FRAME_CHARS = 16 * 1024
MAX_DEPTH = 8
FRAMES_PER_SECOND = 10  # steady rate allowed per socket…
FRAMES_BURST = 30  # …with bursts up to this many
MAX_DROPPED = 1000  # frames dropped by the throttle before the socket is closed
TYPING_INTERVAL = 2.0  # seconds between two typing events relayed for one conversation
SENT_IDS_KEPT = 2000  # message ids this socket remembers having sent, to drop a duplicate
# Frames read and waiting for their turn (a send waits for the database): beyond, the socket stops reading.
FRAMES_QUEUED_MAX = 64


def in_thread(function: Callable[..., T]) -> Callable[..., Awaitable[T]]:
    """Database work of a socket, in a thread of the loop's pool with a pooled connection closed after it.
    Channels' default (thread_sensitive) ran every socket's database work of a process in one thread: at
    50 messages/s the sends queued behind each other's commits (bench/messaging.py: p50 6 s). The frames
    of one socket are still handled one after the other; a conversation's sends are ordered by its row lock."""
    return cast(Callable[..., Awaitable[T]], database_sync_to_async(function, thread_sensitive=False))


def _depth(value: Any, level: int = 0) -> int:
    if level > MAX_DEPTH:
        return level
    if isinstance(value, dict):
        return max((_depth(v, level + 1) for v in value.values()), default=level + 1)
    if isinstance(value, list):
        return max((_depth(v, level + 1) for v in value), default=level + 1)
    return level


def _positive_int(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) and 0 <= value < 2**63 else None


class EventConsumer(AsyncJsonWebsocketConsumer):
    """Every frame the server sends has `type`, `id` and `v` (the schema version: docs/events.md)."""

    group: str | None = None
    user: User
    tasks: set["asyncio.Task[Any]"]

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        """Channels' loop, except that the channel layer may fail (Redis stopped or unreachable) without taking
        the socket down: it keeps serving sends, acks, catch-ups and read marks from the database, says
        `live.lost`, and once Redis answers again it closes with 1012 so the client reconnects and catches up
        (marketplace.realtime.LayerWatch)."""
        self.scope = scope
        self.base_send = send
        layer = get_channel_layer(self.channel_layer_alias)
        assert layer is not None, "CHANNEL_LAYERS is always configured (settings.base)"
        self.channel_layer = layer
        self.degraded_at: float | None = None
        self.accepted = self.closing = False
        self.tasks = set()
        self.frames_task: asyncio.Task[None] | None = None
        self.layer_task: asyncio.Task[None] | None = None
        self.channel_name = ""
        try:
            self.channel_name = await self.channel_layer.new_channel()
        except LAYER_ERRORS as error:  # the pub/sub layer subscribes the new channel in Redis
            self._degrade(error)
        try:
            await self._dispatch_all(receive)
        except StopConsumer:
            pass
        finally:
            layer_unwatch(self)
            for task in [*self.tasks, *([self.frames_task] if self.frames_task else [])]:
                task.cancel()

    async def dispatch(self, message: dict[str, Any]) -> None:
        """Channels' dispatch without its `aclose_old_connections()` before every handler: that is a hop into
        the process's one thread-sensitive thread for each frame and each live event (4 per message sent at
        500 messages/s, all queued behind each other: bench/messaging.py). This consumer touches the database
        only in `in_thread`, which closes its connection itself."""
        handler = getattr(self, get_handler_name(message), None)
        if handler is None:
            raise ValueError(f"No handler for message type {message['type']}")
        await handler(message)

    async def _dispatch_all(self, receive: Any) -> None:
        """Three loops, each a task for the socket's whole life: the client's events (connect, each frame
        counted and queued, disconnect), the channel layer's events (started once the socket is accepted and
        its hello sent, so that nothing comes before the hello), and the queued frames (_handle_frames). The
        first to end ends the socket: the client gone (StopConsumer), or a failure, raised here.

        channels.utils.await_many_dispatch made two tasks and an asyncio.wait for every event; at 500
        messages/s (bench/messaging.py) that was a good part of the process's CPU. It also waited for ever on
        a layer receive that did not honour its cancellation (channels_redis's blocking read, retried by
        redis-py), and uvicorn then waited for ever on this consumer at shutdown: here it gets CANCEL_WAIT."""
        self.ended = asyncio.get_running_loop().create_future()
        client = asyncio.ensure_future(self._client_loop(receive))
        try:
            await asyncio.wait([client, self.ended], return_when=asyncio.FIRST_COMPLETED)
            if client.done():
                client.result()
            self.ended.result()
        finally:
            loops = [client, *([self.layer_task] if self.layer_task else [])]
            for task in loops:
                task.cancel()
            await asyncio.wait(loops, timeout=CANCEL_WAIT)

    async def _client_loop(self, receive: Any) -> None:
        while True:
            await self.dispatch(await receive())

    async def _layer_loop(self) -> None:
        while True:
            await self.dispatch(await self._layer_receive())

    def _loop_task(self, coroutine: Any) -> "asyncio.Task[None]":
        """A loop of the socket that must not end: its failure (or its end) ends the socket."""
        task = asyncio.ensure_future(coroutine)

        def ended(task: "asyncio.Task[None]") -> None:
            if task.cancelled() or self.ended.done():
                return
            self.ended.set_exception(task.exception() or RuntimeError("a loop of the socket ended"))

        task.add_done_callback(ended)
        return task

    async def _layer_receive(self) -> dict[str, Any]:
        """The next event of the channel layer; while it fails, none (the socket goes on without it)."""
        task = asyncio.current_task()
        while self.channel_name:
            try:
                return cast(dict[str, Any], await self.channel_layer.receive(self.channel_name))
            except LAYER_ERRORS as error:
                # redis-py may turn the cancellation of a blocking read (the socket is closing) into a
                # connection error: swallowed, the consumer's task never ended and uvicorn never shut down.
                if task is not None and task.cancelling():
                    raise asyncio.CancelledError from error
                if not isinstance(error, REDIS_GONE):
                    # A slow answer (a busy process): nothing is lost, the events wait in Redis.
                    logger.info("channel layer slow under a websocket (%s)", error)
                    continue
                self._degrade(error)
                await asyncio.sleep(LAYER_RETRY)
        await asyncio.Future()  # no channel at all: wait for the close when the layer is back
        raise AssertionError("unreachable")

    def _degrade(self, error: BaseException) -> None:
        logger.warning("channel layer failed under a websocket (%s)", error)
        self.layer_lost()

    def layer_lost(self) -> None:
        """Live events may have been lost: say so once; the socket closes (1012) when the layer is back."""
        if self.degraded_at is not None or self.closing:
            return
        self.degraded_at = time.monotonic()
        if self.accepted:
            self._background(self._send({"type": "live.lost"}))

    def layer_ok(self, checked_since: float) -> None:
        if self.degraded_at is not None and self.degraded_at < checked_since and not self.closing:
            self.closing = True
            self._background(self.close(code=CLOSE_LAYER_DOWN))

    def _background(self, coroutine: Any) -> None:
        task = asyncio.ensure_future(coroutine)
        self.tasks.add(task)
        task.add_done_callback(self.tasks.discard)

    async def connect(self) -> None:
        user = self.scope.get("user")
        if user is None or not user.is_authenticated:
            await self.close(code=CLOSE_UNAUTHENTICATED)
            return
        self.user = cast(User, user)
        self.group = user_group(user.pk)
        self.tokens = float(FRAMES_BURST)
        self.refilled_at = time.monotonic()
        self.dropped = 0
        self.warned_at = 0.0
        self.sent_ids: set[int] = set()
        self.sent_order: deque[int] = deque()
        self.typed_at: dict[int, float] = {}
        self.presence = PresenceClock()
        self.frames: asyncio.Queue[tuple[str | None, bytes | None]] = asyncio.Queue(FRAMES_QUEUED_MAX)
        # The group is joined before anything is read from the database: a message committed from now on
        # reaches this socket live, one committed before is in the catch-up (`subscribe`).
        if self.channel_name:
            try:
                await self.channel_layer.group_add(self.group, self.channel_name)
            except LAYER_ERRORS as error:
                self._degrade(error)
        layer_watch(self)
        await self.accept()
        self.accepted = True
        self.frames_task = self._loop_task(self._handle_frames())
        # `at`: every change committed from now on reaches this socket live (the group is joined); a client
        # that reconnects sends it back as `changed_since` to have the edits and deletions it missed.
        await self._send(
            {
                "type": "hello",
                "user": user.pk,
                "live": self.degraded_at is None,
                "at": timezone.now().isoformat(),
            }
        )
        self.layer_task = self._loop_task(self._layer_loop())
        await self._seen()

    async def _seen(self) -> None:
        """Presence: the user's key in the cache, written at most once per TOUCH_INTERVAL by this socket."""
        if self.presence.due():
            await sync_to_async(presence_touch)(self.user.pk)

    async def disconnect(self, code: int) -> None:
        self.closing = True
        if self.group and self.channel_name:
            try:
                await self.channel_layer.group_discard(self.group, self.channel_name)
            except LAYER_ERRORS as error:  # Redis is down: the group's membership expires there on its own
                logger.warning("group_discard failed (%s)", error)

    async def websocket_receive(self, message: WebSocketReceiveEvent) -> None:
        """A frame is counted by the throttle when it arrives, then handled in its turn by `_handle_frames`:
        the socket goes on reading meanwhile. uvicorn stops reading a socket until its application asks for
        the next frame; while a send waited for the database, the client's answers to the server's keep-alive
        pings were not read either, and under load (bench/messaging.py, 500 messages/s) sockets were closed
        with 1011 ("keepalive ping timeout")."""
        if not await self._frame_allowed():
            return
        await self.frames.put((message.get("text"), message.get("bytes")))

    async def _handle_frames(self) -> None:
        """The frames of this socket, one after the other in their order of arrival (an ack, a catch-up and a
        read mark answer in the order they were asked). A failure ends the socket as it did when frames were
        handled in `_dispatch_all` itself: it is raised there (`_loop_task`)."""
        while True:
            text_data, bytes_data = await self.frames.get()
            await self.receive(text_data=text_data, bytes_data=bytes_data)

    async def receive(
        self, text_data: str | None = None, bytes_data: bytes | None = None, **kwargs: Any
    ) -> None:
        await self._seen()
        if text_data is None:
            await self._error("binary_frame", _("Seuls les messages texte (JSON) sont acceptés."))
            return
        if len(text_data) > MAX_FRAME_CHARS:
            await self._error(
                "frame_too_large",
                _("Message trop long (%(max)d caractères au plus).") % {"max": MAX_FRAME_CHARS},
            )
            return
        try:
            content = json.loads(text_data)
        except (ValueError, RecursionError):
            await self._error("invalid_json", _("Le message n'est pas du JSON valide."))
            return
        if _depth(content) > MAX_DEPTH:
            await self._error("too_deep", _("Message trop imbriqué."))
            return
        await self.receive_json(content)

    async def receive_json(self, content: Any, **kwargs: Any) -> None:
        # A ping keeps proxies from closing an idle socket.
        kind = content.get("type") if isinstance(content, dict) else None
        handler = {
            "ping": self._ping,
            "subscribe": self._subscribe,
            "message.send": self._message_send,
            "read": self._read,
            "typing": self._typing,
        }.get(kind if isinstance(kind, str) else "")
        if handler is None:
            await self._error("unknown_type", _("Type de message inconnu."))
            return
        try:
            await handler(content)
        except DomainError as error:
            await self._error(error.code, error.message, **_echo(content))

    async def _ping(self, content: dict[str, Any]) -> None:
        await self._send({"type": "pong"})

    async def _subscribe(self, content: dict[str, Any]) -> None:
        """Replay from the database every message after `after_id` in the user's conversations, in id order;
        live events keep coming (the group was joined at connect), a message already sent is not sent twice."""
        after_id = _positive_int(content.get("after_id", 0))
        if after_id is None:
            await self._error("invalid_field", _("after_id : un identifiant de message (entier positif)."))
            return
        changed_since = _datetime(content.get("changed_since"))
        if changed_since is False:
            await self._error(
                "invalid_field", _("changed_since : la valeur `at` d'un hello (date ISO 8601).")
            )
            return
        if isinstance(changed_since, dt.datetime):
            # Edits and deletions of messages the client already has, made while it was away (the replay of
            # new messages below carries their current state).
            changed = await in_thread(messaging_selectors.messages_changed_since)(
                actor=self.user, up_to_id=after_id, since=changed_since
            )
            for message in changed[: messaging_selectors.CATCH_UP_MAX]:
                kind = MessageDeletedEvent if message.deleted_at else MessageEdited
                await self._send(
                    kind(conversation=message.conversation_id, message=message_data(message)).payload()
                )
        messages = await in_thread(messaging_selectors.messages_after)(actor=self.user, after_id=after_id)
        limit = messaging_selectors.CATCH_UP_MAX
        for message in messages[:limit]:
            await self._send_message(
                MessageNew(id=message.pk, conversation=message.conversation_id, message=message_data(message))
            )
        if len(messages) > limit:
            # Too much to replay: the client pages through GET /api/v1/conversations/{id}/messages?after_id=.
            await self._send({"type": "resync_required", "after_id": messages[limit - 1].pk})
        await self._send({"type": "subscribed", "after_id": after_id})

    async def _message_send(self, content: dict[str, Any]) -> None:
        conversation_id = _positive_int(content.get("conversation"))
        text, client_id = content.get("text"), content.get("client_id")
        if conversation_id is None or not isinstance(text, str) or not _valid_client_id(client_id):
            await self._error(
                "invalid_field",
                _(
                    "message.send attend conversation (entier), text et client_id (1 à 64 lettres, chiffres, -_.:)."
                ),
                **_echo(content),
            )
            return
        # Attachments go through REST (POST …/attachments, then POST …/messages with `attachment`). The id is
        # enough: the service's lock of the conversation checks that the user takes part (else a 404 error).
        # Awaited in the loop (no thread): the hot path of bench/messaging.py.
        message = await messaging_services.message_send_live(
            actor=self.user, conversation_id=conversation_id, text=text, client_id=str(client_id)
        )
        await self._send(
            {"type": "message.ack", "client_id": client_id, "id": message.pk, "message_id": message.pk}
        )

    async def _read(self, content: dict[str, Any]) -> None:
        conversation_id = _positive_int(content.get("conversation"))
        up_to_id = _positive_int(content.get("up_to_id"))
        if conversation_id is None or up_to_id is None:
            await self._error("invalid_field", _("read attend conversation et up_to_id (entiers)."))
            return
        await in_thread(self._read_through_service)(conversation_id, up_to_id)

    def _read_through_service(self, conversation_id: int, up_to_id: int) -> int:
        user = self.user
        conversation = messaging_selectors.conversation_get_for_actor(
            actor=user, conversation_id=conversation_id
        )
        return messaging_services.conversation_mark_read(
            actor=user, conversation=conversation, up_to_id=up_to_id
        )

    async def _typing(self, content: dict[str, Any]) -> None:
        """Ephemeral: relayed to the other participants' sockets, never stored; one per TYPING_INTERVAL."""
        conversation_id = _positive_int(content.get("conversation"))
        if conversation_id is None:
            await self._error("invalid_field", _("typing attend conversation (entier)."))
            return
        now = time.monotonic()
        if now - self.typed_at.get(conversation_id, -TYPING_INTERVAL) < TYPING_INTERVAL:
            return
        self.typed_at[conversation_id] = now
        participants = await in_thread(self._participants)(conversation_id)
        user = self.user
        event = Typing(conversation=conversation_id, user=user.pk).payload()
        try:
            for user_id in participants:
                if user_id != user.pk:
                    await self.channel_layer.group_send(
                        user_group(user_id), {"type": "event.push", "event": event}
                    )
        except LAYER_ERRORS as error:  # ephemeral: lost with the layer
            self._degrade(error)

    def _participants(self, conversation_id: int) -> list[int]:
        conversation = messaging_selectors.conversation_get_for_actor(
            actor=self.user, conversation_id=conversation_id
        )
        return messaging_selectors.participant_ids(conversation)

    async def _send_message(self, event: MessageNew) -> None:
        await self._push(event.payload())

    async def _push(self, event: dict[str, Any]) -> None:
        """A message already sent on this socket (replayed, then live, or the reverse) is not sent again."""
        if event.get("type") == MessageNew.name:
            message_id = event["id"]
            if message_id in self.sent_ids:
                return
            self.sent_ids.add(message_id)
            self.sent_order.append(message_id)
            if len(self.sent_order) > SENT_IDS_KEPT:
                self.sent_ids.discard(self.sent_order.popleft())
        await self._send(event)

    async def _send(self, event: dict[str, Any]) -> None:
        await self.send_json(
            {**event, "id": event.get("id") or uuid.uuid4().hex, "v": event.get("v", SCHEMA_VERSION)}
        )

    async def _frame_allowed(self) -> bool:
        now = time.monotonic()
        self.tokens = min(FRAMES_BURST, self.tokens + (now - self.refilled_at) * FRAMES_PER_SECOND)
        self.refilled_at = now
        if self.tokens >= 1:
            self.tokens -= 1
            return True
        self.dropped += 1
        if self.dropped > MAX_DROPPED:
            await self.close(code=CLOSE_TOO_MANY_FRAMES)
        elif now - self.warned_at >= 1:
            self.warned_at = now
            await self._error("too_many_frames", _("Trop de messages : les suivants sont ignorés un moment."))
        return False

    async def _error(self, code: str, message: str, **extra: Any) -> None:
        await self._send({"type": "error", "code": code, "message": message, **extra})

    async def event_push(self, message: dict[str, Any]) -> None:
        """One event, or several in order (marketplace.realtime: the events of one write for this user)."""
        for event in message["events"] if "events" in message else [message["event"]]:
            await self._push(event)

    async def session_close(self, message: dict[str, Any]) -> None:
        """Sent on logout or account deletion: a socket must not outlive its session."""
        await self.close(code=CLOSE_UNAUTHENTICATED)


def _datetime(value: Any) -> dt.datetime | bool | None:
    """An aware ISO 8601 date; None when absent; False when malformed."""
    if value is None:
        return None
    if not isinstance(value, str) or len(value) > 40:
        return False
    try:
        parsed = dt.datetime.fromisoformat(value)
    except ValueError:
        return False
    return parsed if parsed.tzinfo is not None else False


CLIENT_ID = re.compile(r"[A-Za-z0-9_.:-]{1,64}")


def _valid_client_id(value: Any) -> bool:
    return isinstance(value, str) and CLIENT_ID.fullmatch(value) is not None


def _echo(content: dict[str, Any]) -> dict[str, Any]:
    """What an error repeats of the frame it answers, so the client knows which send failed."""
    client_id = content.get("client_id")
    return {"client_id": client_id} if _valid_client_id(client_id) else {}
