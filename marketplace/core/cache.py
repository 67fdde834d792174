"""The shared cache (rate limits, presence, cached GeoJSON) survives Redis going away.

Django's RedisCache raises on every call while Redis is unreachable: the REST send of a message failed on its
rate limit (500), the socket on its presence key. This backend answers from a cache of its own process
instead, and tries Redis again after RETRY_AFTER seconds: while Redis is down each process counts and
remembers on its own (limits still apply, per process), then everything is shared again.

Sessions are cached here too (marketplace.core.sessions): a deletion made while Redis is unreachable (a
logout) is kept and replayed on Redis before anything else once it answers again, so that no other process
finds the deleted entry there afterwards; `get_shared` reads Redis only (None while it is unreachable), for
callers that must not be answered from one process's own copy.
"""

import logging
import time
from typing import Any

import redis.exceptions
from django.core.cache.backends.locmem import LocMemCache
from django.core.cache.backends.redis import RedisCache

logger = logging.getLogger(__name__)

REDIS_DOWN = (redis.exceptions.ConnectionError, redis.exceptions.TimeoutError)
RETRY_AFTER = 1.0  # seconds during which calls go to the local cache after Redis failed
MAX_PENDING_DELETES = 100_000  # deletions kept for Redis's return (beyond, the oldest are dropped)


class ResilientRedisCache(RedisCache):
    def __init__(self, server: str, params: dict[str, Any]) -> None:
        super().__init__(server, params)
        self._local = LocMemCache(f"redis-fallback-{id(self)}", params)
        self._down_until = 0.0
        self._pending_deletes: dict[tuple[str, int | None], None] = {}  # (key, version), in order

    def _either(self, name: str, *args: Any, **kwargs: Any) -> Any:
        if time.monotonic() >= self._down_until:
            try:
                if self._pending_deletes:
                    self._replay_deletes()
                return getattr(super(), name)(*args, **kwargs)
            except REDIS_DOWN as error:
                self._went_down(error)
        if name == "delete":
            self._keep_delete([args[0] if args else kwargs["key"]], kwargs.get("version"))
        elif name == "delete_many":
            self._keep_delete(list(args[0] if args else kwargs["keys"]), kwargs.get("version"))
        return getattr(self._local, name)(*args, **kwargs)

    def _went_down(self, error: Exception) -> None:
        if not self._down_until:
            logger.warning("cache: Redis unreachable (%s), this process's own cache meanwhile", error)
        self._down_until = time.monotonic() + RETRY_AFTER

    def _keep_delete(self, keys: list[str], version: int | None) -> None:
        for key in keys:
            self._pending_deletes[(key, version)] = None
        while len(self._pending_deletes) > MAX_PENDING_DELETES:
            del self._pending_deletes[next(iter(self._pending_deletes))]

    def _replay_deletes(self) -> None:
        """The deletions made while Redis was unreachable, on Redis now (raises REDIS_DOWN if it is not)."""
        while self._pending_deletes:
            key, version = next(iter(self._pending_deletes))
            super().delete(key, version=version)
            del self._pending_deletes[(key, version)]

    def get_shared(self, key: str, default: Any = None, version: int | None = None) -> Any:
        """The value in Redis, or `default` while Redis is unreachable (never this process's own copy)."""
        if time.monotonic() < self._down_until:
            return default
        try:
            if self._pending_deletes:
                self._replay_deletes()
            return super().get(key, default, version=version)
        except REDIS_DOWN as error:
            self._went_down(error)
            return default

    @property
    def shared(self) -> bool:
        """False while calls go to this process's own cache (Redis unreachable a moment ago)."""
        return time.monotonic() >= self._down_until

    def add(self, *args: Any, **kwargs: Any) -> Any:
        return self._either("add", *args, **kwargs)

    def get(self, *args: Any, **kwargs: Any) -> Any:
        return self._either("get", *args, **kwargs)

    def set(self, *args: Any, **kwargs: Any) -> Any:
        return self._either("set", *args, **kwargs)

    def touch(self, *args: Any, **kwargs: Any) -> Any:
        return self._either("touch", *args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> Any:
        return self._either("delete", *args, **kwargs)

    def get_many(self, *args: Any, **kwargs: Any) -> Any:
        return self._either("get_many", *args, **kwargs)

    def has_key(self, *args: Any, **kwargs: Any) -> Any:
        return self._either("has_key", *args, **kwargs)

    def incr(self, *args: Any, **kwargs: Any) -> Any:
        return self._either("incr", *args, **kwargs)

    def set_many(self, *args: Any, **kwargs: Any) -> Any:
        return self._either("set_many", *args, **kwargs)

    def delete_many(self, *args: Any, **kwargs: Any) -> Any:
        return self._either("delete_many", *args, **kwargs)

    def clear(self, *args: Any, **kwargs: Any) -> Any:
        return self._either("clear", *args, **kwargs)
