"""Pushing events to browsers: every user has one group, fed after the transaction that caused the event commits."""

import asyncio
import contextlib
import logging
import time
import weakref
from typing import Any, Protocol, cast

import redis.exceptions
from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from channels_redis.pubsub import RedisPubSubChannelLayer, RedisPubSubLoopLayer, RedisSingleShardConnection
from channels_redis.utils import _wrap_close
from django.conf import settings
from django.db import transaction
from redis import asyncio as aioredis
from redis.asyncio.retry import Retry as AsyncRetry
from redis.backoff import NoBackoff

logger = logging.getLogger(__name__)


def user_group(user_id: int) -> str:
    return f"user.{user_id}"


def broadcast_on_commit(group: str, event: dict[str, Any]) -> None:
    """Send `event` to `group` once the current transaction commits (never for a rolled-back write)."""
    broadcast_all_on_commit([(group, event)])


def broadcast_all_on_commit(pushes: list[tuple[str, dict[str, Any]]]) -> None:
    """Send each (group, event), in order, once the current transaction commits: one call into the event
    loop for all of them (from a socket's thread, each `async_to_sync` waits for a turn of the loop)."""

    def send() -> None:
        layer = get_channel_layer()
        if layer is not None:
            async_to_sync(_send_all)(layer, pushes)

    transaction.on_commit(send, robust=True)


async def broadcast_now(pushes: list[tuple[str, dict[str, Any]]]) -> None:
    """Send each (group, event), in order, now, from the event loop (a write already committed). A failing
    channel layer is logged, as an on-commit broadcast's is: the events are in the database."""
    layer = get_channel_layer()
    if layer is None or not pushes:
        return
    try:
        await _send_all(layer, pushes)
    except Exception:
        logger.exception("broadcast failed")


async def _send_all(layer: Any, pushes: list[tuple[str, dict[str, Any]]]) -> None:
    """One layer message per group, carrying its events in order (`event` alone, or `events`): the
    events of one write for one user (the messages of a batch of sends: marketplace.adb.GroupCommit), one
    message of the layer."""
    grouped: dict[str, list[dict[str, Any]]] = {}
    for group, event in pushes:
        grouped.setdefault(group, []).append(event)
    messages: list[tuple[str, dict[str, Any]]] = [
        (
            group,
            {"type": "event.push", "event": events[0]}
            if len(events) == 1
            else {"type": "event.push", "events": events},
        )
        for group, events in grouped.items()
    ]
    if isinstance(layer, PubSubChannelLayer):
        await layer.group_send_many(messages)
        return
    for group, message in messages:
        await layer.group_send(group, message)


def close_user_sockets_on_commit(user_id: int) -> None:
    """Close every open websocket of a user once the transaction commits (logout, deletion)."""

    def send() -> None:
        layer = get_channel_layer()
        if layer is not None:
            async_to_sync(layer.group_send)(user_group(user_id), {"type": "session.close"})

    transaction.on_commit(send, robust=True)


# ---- The pub/sub channel layer ----
class _Shard(RedisSingleShardConnection):
    """channels_redis's connection to one Redis, publishing without its lock: the lock let one PUBLISH out
    at a time per process (each a round trip through a busy event loop), which capped a process near a few
    hundred events a second with a thousand sockets (bench/messaging.py). redis-py's pool gives each
    concurrent command a connection of its own; the lock still orders subscriptions."""

    async def publish(self, channel: str, message: bytes) -> None:
        self._ensure_redis()
        await self._redis.publish(channel, message)

    async def publish_many(self, items: list[tuple[str, bytes]]) -> None:
        """Several PUBLISH in one round trip (a pipeline without MULTI), in this order."""
        self._ensure_redis()
        async with self._redis.pipeline(transaction=False) as pipe:
            for channel, message in items:
                pipe.publish(channel, message)
            await pipe.execute()


class _LoopLayer(RedisPubSubLoopLayer):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._shards: list[_Shard] = [_Shard(shard.host, self) for shard in self._shards]

    async def group_send_many(self, messages: list[tuple[str, dict[str, Any]]]) -> None:
        by_shard: dict[_Shard, list[tuple[str, bytes]]] = {}
        for group, message in messages:
            channel = self._get_group_channel_name(group)
            by_shard.setdefault(self._get_shard(channel), []).append(
                (channel, self.channel_layer.serialize(message))
            )
        for shard, items in by_shard.items():
            await shard.publish_many(items)


class PubSubChannelLayer(RedisPubSubChannelLayer):
    """channels_redis's pub/sub layer (CHANNEL_LAYER=pubsub, the default with Redis), with `group_send_many`:
    the events of one message (to each participant, and the notification) in one round trip to Redis."""

    def _get_layer(self) -> _LoopLayer:
        loop = asyncio.get_running_loop()
        layer = self._layers.get(loop)
        if layer is None:
            layer = self._layers[loop] = _LoopLayer(*self._args, **self._kwargs, channel_layer=self)
            _wrap_close(self, loop)
        return cast(_LoopLayer, layer)

    async def group_send_many(self, messages: list[tuple[str, dict[str, Any]]]) -> None:
        """`group_send` of each (group, message), in this order, in one round trip per Redis."""
        await self._get_layer().group_send_many(messages)


# ---- Watching the channel layer's Redis from a web process ----
LAYER_ERRORS = (redis.exceptions.ConnectionError, redis.exceptions.TimeoutError, OSError)
# What the watch takes for a lost Redis: a refused or broken connection. A slow answer is not: a busy event
# loop (a thousand sockets connecting at once) made a 1 s timeout close every socket of a healthy process.
REDIS_GONE = (redis.exceptions.ConnectionError, ConnectionError)
WATCH_INTERVAL = 1.0  # seconds between two looks at Redis
WATCH_TIMEOUT = 10.0  # seconds an answer may take before the watch gives up on this look (and tries again)


class LayerListener(Protocol):
    def layer_lost(self) -> None: ...

    def layer_ok(self, checked_since: float) -> None: ...


def _layer_redis_url() -> str | None:
    layer: dict[str, Any] = settings.CHANNEL_LAYERS.get("default", {})
    hosts = layer.get("CONFIG", {}).get("hosts") or []
    if (
        not any(name in layer.get("BACKEND", "") for name in ("channels_redis", "PubSubChannelLayer"))
        or not hosts
    ):
        return None
    host = hosts[0]
    return host if isinstance(host, str) else str(host["address"])


class LayerWatch:
    """One per event loop of a web process: asks the channel layer's Redis for its run id every second.

    A socket whose live events stopped (Redis unreachable, or restarted: the core layer's groups are gone
    and the pub/sub layer dropped what was published meanwhile) is told `layer_lost`; once Redis answers
    again, `layer_ok` lets it ask its client to reconnect and catch up from the database. A socket can also
    notice the loss itself (a failed receive or group_add) and report it with its own `layer_lost`."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.listeners: weakref.WeakSet[Any] = weakref.WeakSet()
        self.run_id: str | None = None
        self.task = asyncio.ensure_future(self._run())

    async def _run(self) -> None:
        client = aioredis.Redis.from_url(
            self.url,
            socket_connect_timeout=WATCH_TIMEOUT,
            socket_timeout=WATCH_TIMEOUT,
            retry=AsyncRetry(NoBackoff(), 0),
        )
        task = asyncio.current_task()
        try:
            while True:
                checked_since = time.monotonic()
                try:
                    run_id = str((await client.info("server"))["run_id"])
                except (*REDIS_GONE, redis.exceptions.TimeoutError, TimeoutError) as error:
                    # redis-py may turn the cancellation of a read (the loop is closing) into one of these:
                    # swallowed, this task never ended and the loop's shutdown waited for it for ever.
                    if task is not None and task.cancelling():
                        raise asyncio.CancelledError from error
                    if isinstance(error, REDIS_GONE):
                        self._each("layer_lost")
                    else:
                        logger.info("channel layer: Redis slow to answer the watch")
                else:
                    if self.run_id is not None and run_id != self.run_id:
                        logger.warning("channel layer: Redis restarted, open sockets will catch up")
                        self._each("layer_lost")
                    self.run_id = run_id
                    self._each("layer_ok", checked_since)
                await asyncio.sleep(WATCH_INTERVAL)
        finally:
            # Bounded: a connection whose read was cancelled mid-way may never answer its close.
            with contextlib.suppress(TimeoutError, *REDIS_GONE):
                async with asyncio.timeout(2):
                    await client.aclose()

    def _each(self, method: str, *args: Any) -> None:
        for listener in list(self.listeners):
            getattr(listener, method)(*args)


_watches: "weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, LayerWatch]" = weakref.WeakKeyDictionary()


def layer_watch(listener: LayerListener) -> None:
    """Have `listener` (a socket) told when the channel layer's Redis is lost and when it is back."""
    url = _layer_redis_url()
    if url is None:  # the in-memory layer lives in this process: nothing to lose
        return
    loop = asyncio.get_running_loop()
    watch = _watches.get(loop)
    if watch is None or watch.task.done():
        watch = _watches[loop] = LayerWatch(url)
    watch.listeners.add(listener)


def layer_unwatch(listener: LayerListener) -> None:
    watch = _watches.get(asyncio.get_running_loop())
    if watch is not None:
        watch.listeners.discard(listener)
