"""The edges of the matching graph, as the database finds them: one SQL statement, filtered by guest homes
and/or host homes, that walks the wishes' places with the GiST index on the homes' public points (or, for
given hosts, the GiST index on the wishes' places), and the availability periods of the hosts it finds."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.db import connection

from exchanges.filters import wish_covers_sql
from exchanges.matching.engine import Edge, Graph, normalise
from marketplace.messaging.models import Message, Participant


def edges_sql(guests: str = "TRUE", hosts: str = "TRUE") -> str:
    """SQL: one row per (wish of a guest home, period of a host home) that leaves at least %(min)s nights
    inside the wish's dates widened by its flexibility, for the guests and hosts the two conditions
    (SQL on the aliases w and h, written by this module, values as parameters) keep."""
    return f"""
SELECT w.home_id AS guest, h.id AS host, h.owner_id AS owner, p.mode = 'open' AS is_open,
       lower(p.period * x.win) AS s, upper(p.period * x.win) AS e, w.id AS wish, w.target_km2 AS km2,
       h.sleeps - (w.adults + w.children) AS spare
FROM exchanges_destinationwish w
JOIN exchanges_home g ON g.id = w.home_id AND g.status = 'published'
CROSS JOIN LATERAL (
    SELECT daterange(lower(w.dates) - w.flexibility_days, upper(w.dates) + w.flexibility_days) AS win
) x
JOIN exchanges_home h ON h.status = 'published' AND {wish_covers_sql("w", "h")}
    AND h.sleeps >= w.adults + w.children AND h.availability && x.win AND h.owner_id <> g.owner_id
    AND (NOT %(cross)s OR h.region_id <> g.region_id)
JOIN exchanges_availabilityperiod p ON p.home_id = h.id AND p.period && x.win
WHERE upper(p.period * x.win) - lower(p.period * x.win) >= %(min)s AND ({guests}) AND ({hosts})
"""  # noqa: S608


FILTERED_SQL = edges_sql(
    "%(guests)s::bigint[] IS NULL OR w.home_id = ANY(%(guests)s::bigint[])",
    "%(hosts)s::bigint[] IS NULL OR h.id = ANY(%(hosts)s::bigint[])",
)
# The reciprocal candidates of one home in one statement: where its household may stay, and which of those
# homes' households it may host.
PAIRS_SQL = (
    f"WITH mine AS ({edges_sql('w.home_id = %(home)s')}),"  # noqa: S608
    f" back AS ({edges_sql('w.home_id IN (SELECT host FROM mine)', 'h.id = %(home)s')})"
    " SELECT * FROM mine UNION ALL SELECT * FROM back"
)


def settings_params() -> dict[str, Any]:
    return {"min": settings.MATCHING_MIN_NIGHTS, "cross": settings.MATCHING_CROSS_REGION}


def load_edges(
    graph: Graph, *, guests: Iterable[int] | None = None, hosts: Iterable[int] | None = None
) -> Graph:
    """Add to `graph` the edges out of `guests` and/or into `hosts` (every edge when both are None)."""
    params = {
        **settings_params(),
        "guests": None if guests is None else list(guests),
        "hosts": None if hosts is None else list(hosts),
    }
    return _add_rows(graph, FILTERED_SQL, params)


def pairs_graph(home: int) -> Graph:
    """The edges out of `home` and, into it, those from its hosts: all that its pairs need (one query)."""
    return _add_rows(Graph(), PAIRS_SQL, {**settings_params(), "home": home})


def _add_rows(graph: Graph, sql: str, params: dict[str, Any]) -> Graph:
    pieces: dict[tuple[int, int], list[Any]] = defaultdict(lambda: [[], [], set(), float("inf"), 10**6])
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        for guest, host, owner, is_open, start, end, wish, km2, spare in cursor.fetchall():
            entry = pieces[(guest, host)]
            span = (start.toordinal(), end.toordinal())
            entry[0].append(span)
            if is_open:
                entry[1].append(span)
            entry[2].add(wish)
            entry[3] = min(entry[3], km2)
            entry[4] = min(entry[4], spare)
            graph.owner[host] = owner
    for (guest, host), (any_, open_, wishes, km2, spare) in pieces.items():
        if host not in graph.out.get(guest, {}):
            graph.add(Edge(guest, host, normalise(any_), normalise(open_), len(wishes), km2, spare))
    return graph


def load_owners(graph: Graph, homes: Iterable[int]) -> None:
    missing = [h for h in homes if h not in graph.owner]
    if missing:
        with connection.cursor() as cursor:
            cursor.execute("SELECT id, owner_id FROM exchanges_home WHERE id = ANY(%s)", [missing])
            graph.owner.update(dict(cursor.fetchall()))


def load_response_rates(graph: Graph, owners: Iterable[int] | None = None) -> None:
    """Per owner, the share of conversations where someone else wrote and the owner answered (owners nobody
    wrote to get the neutral value in the score)."""
    participant, message = Participant._meta.db_table, Message._meta.db_table
    sql = (
        f"SELECT p.user_id, avg((EXISTS (SELECT 1 FROM {message} m WHERE m.conversation_id = p.conversation_id"  # noqa: S608
        f"   AND m.sender_id = p.user_id))::int)"
        f" FROM {participant} p WHERE EXISTS (SELECT 1 FROM {message} m WHERE m.conversation_id = p.conversation_id"
        f"   AND m.sender_id IS NOT NULL AND m.sender_id <> p.user_id)"
        f" AND (%(owners)s::bigint[] IS NULL OR p.user_id = ANY(%(owners)s::bigint[]))"
        f" GROUP BY p.user_id"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, {"owners": None if owners is None else list(owners)})
        graph.response.update({user: float(rate) for user, rate in cursor.fetchall()})


def local_graph(home: int, *, max_length: int = 4, beam: int | None = None) -> Graph:
    """What the search through `home` needs: its stays and guests, then the stays of its hosts and the
    guests of its guests (the middle of 3- and 4-cycles), with the owners' response rates."""
    from exchanges.matching.engine import _top

    graph = Graph()
    load_edges(graph, guests=[home])
    load_edges(graph, hosts=[home])
    load_owners(graph, [home])
    if max_length > 2:
        hosts = _top(graph.out.get(home, {}), beam)
        guests = _top(graph.into.get(home, {}), beam)
        if hosts:
            load_edges(graph, guests=hosts)
        if guests and max_length > 3:
            load_edges(graph, hosts=guests)
    else:
        hosts = list(graph.out.get(home, {}))
        if hosts:
            load_edges(graph, guests=hosts, hosts=[home])
    load_response_rates(graph, set(graph.owner.values()))
    return graph
