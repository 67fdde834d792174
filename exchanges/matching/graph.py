"""The edges of the matching graph, as the database finds them: one SQL statement, filtered by guest homes
and/or host homes, that walks the wishes' places with the GiST index on the homes' public points (or, for
given hosts, the GiST index on the wishes' places), and the availability periods of the hosts it finds."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import numpy as np
import shapely
from django.conf import settings
from django.db import connection
from django.utils import timezone

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
# The reciprocal candidates of one home in one statement, rows of the edges' shape (`edges_sql`): the stays
# of its household (`mine`: each of its wishes' places, detoasted once, walks the search index of the published
# homes on the place's box, dates and party together, then the exact point-in-polygon on the few hosts left),
# then, among the wishes of those hosts only, the ones that this home can host (`back`); only the stays both
# ways come back. Owners and régions differ both ways when they differ one way.
PAIRS_SQL = f"""
WITH me AS MATERIALIZED (
    SELECT id, owner_id, region_id, public_point, sleeps FROM exchanges_home
    WHERE id = %(home)s AND status = 'published'
), mine AS MATERIALIZED (
    SELECT w.home_id AS guest, h.id AS host, h.owner_id AS owner, p.mode = 'open' AS is_open,
           lower(p.period * w.win) AS s, upper(p.period * w.win) AS e, w.id AS wish, w.target_km2 AS km2,
           h.sleeps - w.party AS spare
    FROM me g
    JOIN (
        SELECT w.id, w.home_id, w.target_km2, w.adults + w.children AS party, ST_Multi(w.target) AS place,
               daterange(lower(w.dates) - w.flexibility_days, upper(w.dates) + w.flexibility_days) AS win
        FROM exchanges_destinationwish w WHERE w.home_id = %(home)s OFFSET 0
    ) w ON TRUE
    JOIN exchanges_home h ON h.status = 'published'
        AND h.public_point_m && ST_Expand(ST_Transform(ST_Envelope(w.place), 3857), 1)
        AND h.availability && w.win AND h.sleeps >= w.party AND ST_Contains(w.place, h.public_point)
        AND h.owner_id <> g.owner_id AND (NOT %(cross)s OR h.region_id <> g.region_id)
    JOIN exchanges_availabilityperiod p ON p.home_id = h.id AND p.period && w.win
    WHERE upper(p.period * w.win) - lower(p.period * w.win) >= %(min)s
), back AS MATERIALIZED (
    SELECT w.home_id AS guest, h.id AS host, h.owner_id AS owner, p.mode = 'open' AS is_open,
           lower(p.period * x.win) AS s, upper(p.period * x.win) AS e, w.id AS wish, w.target_km2 AS km2,
           h.sleeps - (w.adults + w.children) AS spare
    FROM me h
    JOIN exchanges_destinationwish w ON w.home_id IN (SELECT host FROM mine)
        AND h.sleeps >= w.adults + w.children
    CROSS JOIN LATERAL (
        SELECT daterange(lower(w.dates) - w.flexibility_days, upper(w.dates) + w.flexibility_days) AS win
    ) x
    JOIN exchanges_availabilityperiod p ON p.home_id = h.id AND p.period && x.win
    WHERE upper(p.period * x.win) - lower(p.period * x.win) >= %(min)s
        AND {wish_covers_sql("w", "h")}
)
SELECT * FROM mine WHERE host IN (SELECT guest FROM back)
UNION ALL
SELECT * FROM back
"""  # noqa: S608


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
    """The edges between `home` and its reciprocal candidates, both ways: all that its pairs need (one query),
    with their owners' reviews and swaps (two more, whatever their number)."""
    graph = _add_rows(Graph(), PAIRS_SQL, {**settings_params(), "home": home})
    if graph.out:  # no pair: nobody to rank
        load_reputation(graph, set(graph.owner.values()))
    return graph


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


def load_reputation(graph: Graph, owners: Iterable[int] | None = None) -> None:
    """Per owner (every one when None), in two statements whatever their number: the public reviews they
    received (by their guests about their home, by their hosts about their household; double-blind like the
    home page: once both sides wrote or REVIEWS_BLIND_DAYS after the stay), and whether they took part in a
    completed swap (no fairness boost then)."""
    from exchanges.swaps.models import ProposalParty, ProposalStatus, Review, Stay, SwapProposal
    from exchanges.swaps.selectors import REVIEWS_BLIND_DAYS

    review, stay = Review._meta.db_table, Stay._meta.db_table
    party, proposal = ProposalParty._meta.db_table, SwapProposal._meta.db_table
    params = {
        "owners": None if owners is None else list(owners),
        "today": timezone.localdate(),
        "blind": REVIEWS_BLIND_DAYS,
        "completed": ProposalStatus.COMPLETED.value,
    }
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT about, sum(rating), count(*) FROM ("  # noqa: S608
            f"  SELECT s.host_id AS about, r.rating, r.stay_id, s.period"
            f"  FROM {review} r JOIN {stay} s ON s.id = r.stay_id"
            f"  WHERE r.side = 'guest' AND (%(owners)s::bigint[] IS NULL OR s.host_id = ANY(%(owners)s::bigint[]))"
            f"  UNION ALL"
            f"  SELECT s.guest_id, r.rating, r.stay_id, s.period"
            f"  FROM {review} r JOIN {stay} s ON s.id = r.stay_id"
            f"  WHERE r.side = 'host' AND (%(owners)s::bigint[] IS NULL OR s.guest_id = ANY(%(owners)s::bigint[]))"
            f") received WHERE upper(period) + %(blind)s <= %(today)s"
            f"  OR (SELECT count(*) FROM {review} o WHERE o.stay_id = received.stay_id) >= 2"
            f" GROUP BY about",
            params,
        )
        graph.ratings.update({user: (int(total), int(count)) for user, total, count in cursor.fetchall()})
        cursor.execute(
            f"SELECT DISTINCT pp.user_id FROM {party} pp JOIN {proposal} p ON p.id = pp.proposal_id"  # noqa: S608
            f" WHERE p.status = %(completed)s"
            f" AND (%(owners)s::bigint[] IS NULL OR pp.user_id = ANY(%(owners)s::bigint[]))",
            params,
        )
        graph.swapped.update(user for (user,) in cursor.fetchall())


def load_people(graph: Graph, owners: Iterable[int] | None = None) -> None:
    """What the ranking knows of the owners (every one when None): response rates, reviews, swaps."""
    owners = None if owners is None else set(owners)
    load_response_rates(graph, owners)
    load_reputation(graph, owners)


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
    load_people(graph, set(graph.owner.values()))
    return graph


EPOCH = dt.date(2000, 1, 1)  # the day 0 of the compact graph's dates


@dataclass
class Compact:
    """The whole graph as numpy arrays, one row per piece (a wish of the guest × a period of the host, at least
    MATCHING_MIN_NIGHTS nights in common): what `load_compact` builds for the benchmark and the batch without a
    Python object per edge. Homes are indexed 0…n-1 (`ids`); dates are days since EPOCH, [start, end)."""

    ids: np.ndarray  # home ids, sorted
    owner: np.ndarray
    guest: np.ndarray  # home indices
    host: np.ndarray
    start: np.ndarray
    end: np.ndarray
    open: np.ndarray  # bool: the host's period is open to any request
    wish: np.ndarray
    km2: np.ndarray
    spare: np.ndarray

    @property
    def edge_count(self) -> int:
        """Distinct (guest, host) edges."""
        return int(np.unique(self.guest.astype(np.int64) * len(self.ids) + self.host).size)

    def graph(self, homes: Iterable[int] | None = None) -> Graph:
        """The engine's Graph of the edges between `homes` (ids; every home when None): for a subgraph."""
        keep = np.ones(len(self.guest), dtype=bool)
        if homes is not None:
            inside = np.isin(self.ids, np.fromiter(homes, dtype=np.int64))
            keep = inside[self.guest] & inside[self.host]
        pieces: dict[tuple[int, int], list[Any]] = defaultdict(lambda: [[], [], set(), float("inf"), 10**6])
        day0 = EPOCH.toordinal()
        cols = (self.guest, self.host, self.start, self.end, self.open, self.wish, self.km2, self.spare)
        for g, h, s, e, is_open, wish, km2, spare in zip(*(c[keep].tolist() for c in cols), strict=True):
            entry = pieces[(self.ids[g], self.ids[h])]
            span = (day0 + s, day0 + e)
            entry[0].append(span)
            if is_open:
                entry[1].append(span)
            entry[2].add(wish)
            entry[3] = min(entry[3], km2)
            entry[4] = min(entry[4], spare)
        graph = Graph()
        for (g, h), (any_, open_, wishes, km2, spare) in pieces.items():
            graph.add(Edge(int(g), int(h), normalise(any_), normalise(open_), len(wishes), km2, spare))
        for index in np.flatnonzero(np.isin(self.ids, list(graph.out) + list(graph.into))):
            graph.owner[int(self.ids[index])] = int(self.owner[index])
        return graph


# The distinct places of the published homes' wishes, each with the wishes that share it: the homes a place
# contains are found once per place whoever many wishes share it (a région wished by thousands of households
# is tested once), in memory (shapely's vectorised point-in-polygon on the prepared place, the test that
# ST_Contains makes).
PLACES_SQL = """
SELECT ST_AsBinary(w.target), array_agg(w.id)
FROM exchanges_destinationwish w
JOIN exchanges_home g ON g.id = w.home_id AND g.status = 'published'
GROUP BY w.target
"""


def load_compact() -> Compact:
    """Every edge of the graph, as `edges_sql` defines them, in numpy arrays (see Compact): the places are
    tested once each (COVERAGE_SQL), then the dates, party and owners are compared in memory, each wish
    against the periods of the homes its place contains, sorted by start (a binary search bounds them)."""
    params = settings_params()
    min_nights, cross = int(params["min"]), bool(params["cross"])
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT id, owner_id, region_id, sleeps, ST_X(public_point), ST_Y(public_point)"
            " FROM exchanges_home WHERE status = 'published' ORDER BY id"
        )
        homes = cursor.fetchall()
        cursor.execute(
            "SELECT p.home_id, lower(p.period) - %(epoch)s, upper(p.period) - %(epoch)s, p.mode = 'open'"
            " FROM exchanges_availabilityperiod p"
            " JOIN exchanges_home h ON h.id = p.home_id AND h.status = 'published'",
            {"epoch": EPOCH},
        )
        periods = cursor.fetchall()
        cursor.execute(
            "SELECT w.id, w.home_id, lower(w.dates) - w.flexibility_days - %(epoch)s,"
            " upper(w.dates) + w.flexibility_days - %(epoch)s, w.adults + w.children, w.target_km2"
            " FROM exchanges_destinationwish w"
            " JOIN exchanges_home g ON g.id = w.home_id AND g.status = 'published'",
            {"epoch": EPOCH},
        )
        wishes = cursor.fetchall()
        cursor.execute(PLACES_SQL)
        places = cursor.fetchall()
    ids = np.array([h[0] for h in homes], dtype=np.int64)
    owner = np.array([h[1] for h in homes], dtype=np.int64)
    regions: dict[str, int] = {}
    region = np.array([regions.setdefault(h[2], len(regions)) for h in homes], dtype=np.int32)
    sleeps = np.array([h[3] for h in homes], dtype=np.int32)
    x = np.array([h[4] for h in homes], dtype=np.float64)
    y = np.array([h[5] for h in homes], dtype=np.float64)
    by_x = np.argsort(x, kind="stable")
    x_sorted = x[by_x]

    def index(values: Iterable[int]) -> np.ndarray:
        return np.searchsorted(ids, np.fromiter(values, dtype=np.int64))

    # Periods grouped by home (CSR): p_first[i] … p_first[i + 1] are home i's.
    p_home = index(p[0] for p in periods) if periods else np.zeros(0, dtype=np.int64)
    order = np.argsort(p_home, kind="stable")
    p_home = p_home[order]
    p_start = np.array([p[1] for p in periods], dtype=np.int32)[order]
    p_end = np.array([p[2] for p in periods], dtype=np.int32)[order]
    p_open = np.array([p[3] for p in periods], dtype=bool)[order]
    p_first = np.searchsorted(p_home, np.arange(len(ids) + 1))
    longest_period = int((p_end - p_start).max()) if len(p_start) else 0
    by_wish = {w[0]: w for w in wishes}
    out: dict[str, list[np.ndarray]] = defaultdict(list)
    for wkb, wish_ids in places:
        place = shapely.from_wkb(bytes(wkb))
        shapely.prepare(place)
        west, south, east, north = shapely.bounds(place)
        lo, hi = int(np.searchsorted(x_sorted, west, "left")), int(np.searchsorted(x_sorted, east, "right"))
        hosts = by_x[lo:hi]
        hosts = hosts[(y[hosts] >= south) & (y[hosts] <= north)]
        hosts = np.sort(hosts[shapely.contains_xy(place, x[hosts], y[hosts])])
        if not len(hosts):
            continue
        counts = p_first[hosts + 1] - p_first[hosts]
        rows = np.repeat(p_first[hosts] - np.cumsum(counts) + counts, counts) + np.arange(counts.sum())
        rows = rows[np.argsort(p_start[rows], kind="stable")]
        starts = p_start[rows]
        for wish_id in wish_ids:
            _id, guest_id, w_start, w_end, party, km2 = by_wish[wish_id]
            guest = int(np.searchsorted(ids, guest_id))
            lo, hi = np.searchsorted(starts, [w_start + min_nights - longest_period, w_end - min_nights + 1])
            cand = rows[lo:hi]
            s = np.maximum(p_start[cand], w_start)
            e = np.minimum(p_end[cand], w_end)
            host = p_home[cand]
            ok = (e - s >= min_nights) & (sleeps[host] >= party) & (owner[host] != owner[guest])
            if cross:
                ok &= region[host] != region[guest]
            if not ok.any():
                continue
            host, cand = host[ok], cand[ok]
            out["guest"].append(np.full(len(host), guest, dtype=np.int32))
            out["host"].append(host.astype(np.int32))
            out["start"].append(s[ok])
            out["end"].append(e[ok])
            out["open"].append(p_open[cand])
            out["wish"].append(np.full(len(host), wish_id, dtype=np.int64))
            out["km2"].append(np.full(len(host), km2, dtype=np.float64))
            out["spare"].append((sleeps[host] - party).astype(np.int16))
    dtypes = {
        "guest": np.int32,
        "host": np.int32,
        "start": np.int32,
        "end": np.int32,
        "open": bool,
        "wish": np.int64,
        "km2": np.float64,
        "spare": np.int16,
    }
    arrays = {k: np.concatenate(out[k]) if out[k] else np.zeros(0, dtype=t) for k, t in dtypes.items()}
    return Compact(ids=ids, owner=owner, **arrays)
