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
import collections
import contextlib
import weakref
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any, Generic, TypeVar

import psycopg
from django.conf import settings
from django.db import connections

ItemT = TypeVar("ItemT")
ResultT = TypeVar("ResultT")


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


class GroupCommit(Generic[ItemT, ResultT]):
    """Writes submitted by many tasks of one event loop (a process's sockets), run together: one call of `run`
    (one statement, one transaction) for every item that arrived while earlier ones were being written.

    Nothing waits for a batch to fill: an item submitted to an idle loop starts its own batch at once (in the
    loop's next turn, with whatever else arrived in the same turn); while `concurrency` batches are in flight,
    new items queue and the next batch takes them all (at most `max_items`). `run` returns one outcome per item,
    in order: its result, or the exception that item alone raises (a bad item must not fail the others).
    Each submitter gets its own outcome once its batch's `run` has returned, i.e. after the commit.

    bench/messaging.py: at 500 messages/s, one statement and one transaction per message cost PostgreSQL and
    the server's event loop more than the rows themselves."""

    def __init__(
        self,
        run: Callable[[list[ItemT]], Awaitable[list[ResultT | Exception]]],
        *,
        max_items: int = 64,
        concurrency: int = 2,
    ) -> None:
        self.run = run
        self.max_items = max_items
        self.concurrency = concurrency
        self._states: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, _GroupState[ItemT, ResultT]] = (
            weakref.WeakKeyDictionary()
        )
        self.batches = 0  # calls of `run` (tests)

    async def submit(self, item: ItemT) -> ResultT:
        loop = asyncio.get_running_loop()
        state = self._states.get(loop)
        if state is None:
            state = self._states[loop] = _GroupState()
        future: asyncio.Future[ResultT] = loop.create_future()
        state.pending.append((item, future))
        if state.active < self.concurrency:
            state.active += 1
            task = loop.create_task(self._drain(state))
            state.tasks.add(task)
            task.add_done_callback(state.tasks.discard)
        # A submitter cancelled meanwhile (its socket closed) leaves its item in the batch: it is written and
        # committed all the same, and the client's retry with the same client id finds it.
        return await future

    async def _drain(self, state: "_GroupState[ItemT, ResultT]") -> None:
        try:
            while state.pending:
                batch = [state.pending.popleft() for _ in range(min(self.max_items, len(state.pending)))]
                self.batches += 1
                try:
                    outcomes = await self.run([item for item, _future in batch])
                except asyncio.CancelledError:
                    for _item, future in batch:
                        future.cancel()
                    raise
                except Exception as error:  # run's own failure: every item of the batch gets it
                    outcomes = [error] * len(batch)
                for (_item, future), outcome in zip(batch, outcomes, strict=True):
                    if future.done():
                        continue
                    if isinstance(outcome, Exception):
                        future.set_exception(outcome)
                    else:
                        future.set_result(outcome)
        finally:
            state.active -= 1


class _GroupState(Generic[ItemT, ResultT]):
    def __init__(self) -> None:
        self.pending: collections.deque[tuple[ItemT, asyncio.Future[ResultT]]] = collections.deque()
        self.active = 0
        self.tasks: set[asyncio.Task[None]] = set()
