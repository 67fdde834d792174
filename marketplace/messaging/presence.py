"""Presence ("vu récemment"): a key per user in the shared cache (Redis in production and tests) with a
time to live, written by the user's open sockets at most once per TOUCH_INTERVAL each, never per frame and
never in the database. Someone is "seen recently" while their key lives: an open tab pings every 25 s, so
the key outlives a tab by at most SEEN_TTL.
"""

import time
from collections.abc import Iterable

from django.core.cache import cache

SEEN_TTL = 120  # seconds someone stays "seen recently" after their last activity
TOUCH_INTERVAL = 30  # seconds between two writes of one socket


def _key(user_id: int) -> str:
    return f"presence:{user_id}"


def presence_touch(user_id: int) -> None:
    cache.set(_key(user_id), int(time.time()), timeout=SEEN_TTL)


def seen_recently(user_ids: Iterable[int]) -> set[int]:
    """Which of these users had an open socket (or activity on it) within the last SEEN_TTL seconds."""
    ids = list(user_ids)
    if not ids:
        return set()
    found = cache.get_many([_key(user_id) for user_id in ids])
    return {user_id for user_id in ids if _key(user_id) in found}


class PresenceClock:
    """One socket's throttle: `due()` is true when its user's key should be written again."""

    def __init__(self) -> None:
        self.touched_at = -float(TOUCH_INTERVAL)

    def due(self) -> bool:
        now = time.monotonic()
        if now - self.touched_at < TOUCH_INTERVAL:
            return False
        self.touched_at = now
        return True
