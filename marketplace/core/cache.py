"""The shared cache (rate limits, presence, cached GeoJSON) survives Redis going away.

Django's RedisCache raises on every call while Redis is unreachable: the REST send of a message failed on its
rate limit (500), the socket on its presence key. This backend answers from a cache of its own process
instead, and tries Redis again after RETRY_AFTER seconds: while Redis is down each process counts and
remembers on its own (limits still apply, per process), then everything is shared again.
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


class ResilientRedisCache(RedisCache):
    def __init__(self, server: str, params: dict[str, Any]) -> None:
        super().__init__(server, params)
        self._local = LocMemCache(f"redis-fallback-{id(self)}", params)
        self._down_until = 0.0

    def _either(self, name: str, *args: Any, **kwargs: Any) -> Any:
        if time.monotonic() >= self._down_until:
            try:
                return getattr(super(), name)(*args, **kwargs)
            except REDIS_DOWN as error:
                if not self._down_until:
                    logger.warning("cache: Redis unreachable (%s), this process's own cache meanwhile", error)
                self._down_until = time.monotonic() + RETRY_AFTER
        return getattr(self._local, name)(*args, **kwargs)

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
