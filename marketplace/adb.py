"""Asynchronous PostgreSQL connections of a web process's event loop, for the websocket's hot path (a message
sent): one statement awaited in the loop itself, without the ORM nor a hop to a thread and back.

bench/messaging.py: the send ran in a thread of the loop's executor (Django's ORM is synchronous), and each
hop (the frame to the thread, the thread's commit back into the loop to publish, the result back again)
cost more CPU than the statement itself; at 500 messages/s one process spent about 3 ms of CPU per message.

A few connections per event loop (settings.LIVE_DB_CONNECTIONS), opened on first use with the settings of Django's `default`
database, in autocommit: a caller runs one statement, which is its own transaction. Everything else keeps
going through Django.
"""

import asyncio
import contextlib
import weakref
from collections.abc import AsyncIterator
from typing import Any

import psycopg
from django.conf import settings
from django.db import connections


class _Pool:
    def __init__(self) -> None:
        self.idle: list[psycopg.AsyncConnection[Any]] = []
        self.slots = asyncio.Semaphore(settings.LIVE_DB_CONNECTIONS)


_pools: "weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, _Pool]" = weakref.WeakKeyDictionary()
_opened: "weakref.WeakSet[psycopg.AsyncConnection[Any]]" = weakref.WeakSet()  # every loop's, for close_all


def _params() -> dict[str, Any]:
    params = dict(connections["default"].get_connection_params())
    for key in ("cursor_factory", "context"):  # Django's own adapters: plain psycopg types here
        params.pop(key, None)
    # The dates of a statement come back in UTC, as Django's (USE_TZ) connections give them.
    params["options"] = " ".join(filter(None, [params.get("options"), "-c TimeZone=UTC"]))
    return params


@contextlib.asynccontextmanager
async def connection() -> AsyncIterator[psycopg.AsyncConnection[Any]]:
    """A connection of this event loop's pool, in autocommit, for one statement or a few."""
    loop = asyncio.get_running_loop()
    pool = _pools.get(loop)
    if pool is None:
        pool = _pools[loop] = _Pool()
    async with pool.slots:
        conn = pool.idle.pop() if pool.idle else None
        if conn is None or conn.closed:
            # Parameters bound by the client, as Django's connections do: the same SQL runs on both.
            conn = await psycopg.AsyncConnection.connect(
                **_params(), autocommit=True, cursor_factory=psycopg.AsyncClientCursor
            )
            _opened.add(conn)
        try:
            yield conn
        except psycopg.Error:
            if not conn.broken and not conn.closed:
                pool.idle.append(conn)  # the statement failed, the connection is fine
            raise
        except BaseException:
            # Cancelled mid-statement, or anything unexpected: its state is unknown, it goes.
            await _close(conn)
            raise
        else:
            pool.idle.append(conn)


async def _close(conn: psycopg.AsyncConnection[Any]) -> None:
    with contextlib.suppress(psycopg.Error, OSError):
        await conn.close()


def close_all() -> None:
    """Close every connection of every loop's pool, whatever its loop's state (tests: an event loop per test,
    then the test database is dropped, which the connections of a finished loop would prevent)."""
    for conn in list(_opened):
        if not conn.closed:
            conn.pgconn.finish()
    _opened.clear()
    _pools.clear()
