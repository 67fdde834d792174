"""Sessions in the database, read through the shared cache (SESSION_ENGINE).

Every signed-in request read its session row (a query, about half a millisecond of the serving path under
bench/facilities.py's search): Django's `cached_db` store reads it from the cache first, and still writes the
database first, so a session survives a cache flush. Invalidation stays what it was: a logout or a key
rotation deletes the row and the cached copy; a password change or an erasure is decided on the user's row,
read on every request (the session's auth hash, the user's existence).

Cached entries are read from Redis only (`ResilientRedisCache.get_shared`): while Redis is unreachable each
process would otherwise answer from its own copy, which another process's logout cannot delete. Then the
row is read from the database, and deletions (and saves: Redis may hold an older copy) are replayed on
Redis by the process that made them as soon as it reaches Redis again. A cached copy lives CACHE_SECONDS
at most, which bounds what such an outage can leave behind if that process never calls Redis again.
Without Redis (development, tests) the cache is the process's own memory and
one process serves.
"""

from collections.abc import Callable
from typing import Any

from asgiref.sync import sync_to_async
from django.contrib.sessions.backends.cached_db import SessionStore as CachedDBStore
from django.contrib.sessions.backends.db import SessionStore as DBStore

CACHE_SECONDS = 300


class SessionStore(CachedDBStore):
    # Django's own attributes, which its type stubs leave out.
    _cache: Any
    _session: dict[str, Any]
    _get_session_from_db: Callable[[], Any]

    def _shared(self) -> bool:
        return bool(getattr(self._cache, "shared", True))

    def load(self) -> dict[str, Any]:
        get = getattr(self._cache, "get_shared", self._cache.get)
        try:
            data = get(self.cache_key)
        except Exception:  # as Django's: a key the backend refuses resets the session
            data = None
        if data is not None:
            return dict(data)
        row = self._get_session_from_db()
        if not row:
            return {}
        data = self.decode(row.session_data)
        if self._shared():
            self._cache.set(
                self.cache_key, data, min(CACHE_SECONDS, self.get_expiry_age(expiry=row.expire_date))
            )
        return dict(data)

    async def aload(self) -> dict[str, Any]:
        return await sync_to_async(self.load)()

    def save(self, must_create: bool = False) -> None:
        DBStore.save(self, must_create)
        self._cache.set(self.cache_key, self._session, min(CACHE_SECONDS, self.get_expiry_age()))
        if not self._shared():
            # Set in this process's own cache only: Redis may still hold the previous version, have it
            # deleted there when it answers again.
            self._cache.delete(self.cache_key)

    async def asave(self, must_create: bool = False) -> None:
        await sync_to_async(self.save)(must_create)
