"""The edges of the matching graph, as the database finds them: one SQL statement, filtered by guest homes
and/or host homes, that walks the wishes' places with the GiST index on the homes' public points (or, for
given hosts, the GiST index on the wishes' places), and the availability periods of the hosts it finds."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from typing import Any

import numpy as np
from django.conf import settings
from django.db import connection
from django.utils import timezone

from exchanges.filters import wish_covers_sql
from exchanges.matching import engine
from exchanges.matching.engine import Edge, Graph, Match, normalise
from exchanges.models import BestHosts
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
# The stays of given guests (into given hosts, or any): each of their wishes' places detoasted once, then the
# search index of the published homes on the place's box, dates and party together, and the exact
# point-in-polygon (`wish_covers_sql`'s) on the homes left: the rows of `edges_sql`.
OUT_SQL = """
WITH w AS MATERIALIZED (
    SELECT w.id, w.home_id, w.target_km2, w.adults + w.children AS party, ST_Multi(w.target) AS place,
           daterange(lower(w.dates) - w.flexibility_days, upper(w.dates) + w.flexibility_days) AS win,
           g.owner_id, g.region_id
    FROM exchanges_destinationwish w JOIN exchanges_home g ON g.id = w.home_id AND g.status = 'published'
    WHERE w.home_id = ANY(%(guests)s::bigint[])
)
SELECT w.home_id AS guest, h.id AS host, h.owner_id AS owner, p.mode = 'open' AS is_open,
       lower(p.period * w.win) AS s, upper(p.period * w.win) AS e, w.id AS wish, w.target_km2 AS km2,
       h.sleeps - w.party AS spare
FROM w
-- Wish by wish (LATERAL): the same place for every home tested, which PostGIS prepares once.
CROSS JOIN LATERAL (
    SELECT h.id, h.owner_id, h.sleeps FROM exchanges_home h
    WHERE h.status = 'published'
        AND h.public_point_m && ST_Expand(ST_Transform(ST_Envelope(w.place), 3857), 1)
        AND h.availability && w.win AND h.sleeps >= w.party
        AND h.owner_id <> w.owner_id AND (NOT %(cross)s OR h.region_id <> w.region_id)
        AND ST_Contains(w.place, h.public_point)
    OFFSET 0
) h
JOIN exchanges_availabilityperiod p ON p.home_id = h.id AND p.period && w.win
WHERE upper(p.period * w.win) - lower(p.period * w.win) >= %(min)s
"""
# The same for many guests (the 40 best hosts of a home, their wishes often at région level, the same région
# for several): the homes inside each distinct place (target_digest) found once, with the widest dates and the
# smallest party of the wishes that share it (the index prunes on them, each wish's own are checked after, on
# its periods: those that meet its dates are inside its home's availability); their hosts' periods read in one
# pass over the table (hashed), rather than looked up host by host (tens of thousands of index probes).
OUT_MANY_SQL = """
WITH w AS MATERIALIZED (
    SELECT w.id, w.home_id, w.target_km2, w.adults + w.children AS party, w.reach AS win,
           w.target_digest AS digest, g.owner_id, g.region_id
    FROM exchanges_destinationwish w JOIN exchanges_home g ON g.id = w.home_id AND g.status = 'published'
    WHERE w.home_id = ANY(%(guests)s::bigint[])
), places AS MATERIALIZED (  -- each distinct place detoasted once (ST_Multi: a value of its own)
    SELECT d.digest, d.wins, d.party, ST_Multi(x.target) AS place
    FROM (
        SELECT digest, min(id) AS first, range_agg(win) AS wins, min(party) AS party FROM w GROUP BY digest
    ) d
    JOIN exchanges_destinationwish x ON x.id = d.first
), inside AS MATERIALIZED (  -- one row per place: the homes inside it, as arrays
    SELECT places.digest, h.*
    FROM places
    -- Place by place (LATERAL): the same place for every home tested, which PostGIS prepares once.
    CROSS JOIN LATERAL (
        SELECT array_agg(h.id) AS ids, array_agg(h.owner_id) AS owners, array_agg(h.region_id) AS regions,
               array_agg(h.sleeps) AS sleeps
        FROM (
            SELECT h.id, h.owner_id, h.region_id, h.sleeps FROM exchanges_home h
            WHERE h.status = 'published'
                AND h.public_point_m && ST_Expand(ST_Transform(ST_Envelope(places.place), 3857), 1)
                AND h.availability && places.wins AND h.sleeps >= places.party
                AND ST_Contains(places.place, h.public_point)
            OFFSET 0
        ) h
    ) h
), hosts AS MATERIALIZED (  -- each wish with the homes of its place (the join on the place's rows, not homes')
    -- Only the columns read after: tens of thousands of rows hashed for the periods' join stay in work_mem.
    SELECT w.id, w.home_id, w.target_km2, w.party, w.win, h.id AS host, h.owner_id AS host_owner, h.sleeps
    FROM w
    JOIN inside i ON i.digest = w.digest
    CROSS JOIN LATERAL unnest(i.ids, i.owners, i.regions, i.sleeps) AS h(id, owner_id, region_id, sleeps)
    WHERE h.sleeps >= w.party AND h.owner_id <> w.owner_id AND (NOT %(cross)s OR h.region_id <> w.region_id)
)
SELECT h.home_id AS guest, h.host, h.host_owner AS owner, p.mode = 'open' AS is_open,
       lower(p.period * h.win) AS s, upper(p.period * h.win) AS e, h.id AS wish, h.target_km2 AS km2,
       h.sleeps - h.party AS spare
FROM hosts h
JOIN (SELECT home_id, period, mode FROM exchanges_availabilityperiod OFFSET 0) p
    ON p.home_id = h.host AND p.period && h.win
WHERE upper(p.period * h.win) - lower(p.period * h.win) >= %(min)s
"""
OUT_MANY_ABOVE = 8
# The stays of given (guest, host) pairs, few of them (given guests into given hosts: every pair): each pair's
# wishes against its host, the cheap conditions first.
STAYS_SQL = """
WITH pr AS MATERIALIZED (
    SELECT DISTINCT * FROM unnest(%(pair_guests)s::bigint[], %(pair_hosts)s::bigint[]) AS pr(guest, host)
), w AS MATERIALIZED (
    SELECT w.id, w.home_id, w.target_km2, w.adults + w.children AS party, w.reach AS win, w.target_digest AS digest,
           g.owner_id, g.region_id
    FROM exchanges_destinationwish w JOIN exchanges_home g ON g.id = w.home_id AND g.status = 'published'
    WHERE w.home_id IN (SELECT guest FROM pr)
), h AS MATERIALIZED (  -- the hosts' periods
    SELECT h.id, h.owner_id, h.region_id, h.sleeps, h.public_point, p.period, p.mode
    FROM exchanges_home h JOIN exchanges_availabilityperiod p ON p.home_id = h.id
    WHERE h.status = 'published' AND h.id IN (SELECT host FROM pr)
), pieces AS MATERIALIZED (  -- every condition but the place first
    SELECT w.home_id AS guest, h.id AS host, h.owner_id AS owner, h.mode = 'open' AS is_open,
           lower(h.period * w.win) AS s, upper(h.period * w.win) AS e, w.id AS wish, w.target_km2 AS km2,
           h.sleeps - w.party AS spare, w.digest, h.public_point AS point,
           row_number() OVER (PARTITION BY w.digest, h.id ORDER BY w.id, h.period) AS nth
    FROM pr
    JOIN w ON w.home_id = pr.guest
    JOIN h ON h.id = pr.host AND h.period && w.win AND upper(h.period * w.win) - lower(h.period * w.win) >= %(min)s
        AND h.sleeps >= w.party AND h.owner_id <> w.owner_id AND (NOT %(cross)s OR h.region_id <> w.region_id)
)
-- Then the place, tested once per distinct place (digest) and host, its answer given to the others.
SELECT guest, host, owner, is_open, s, e, wish, km2, spare FROM (
    SELECT t.*, first_value(t.inside) OVER (PARTITION BY t.digest, t.host ORDER BY t.nth) AS covers
    FROM (
        SELECT p.guest, p.host, p.owner, p.is_open, p.s, p.e, p.wish, p.km2, p.spare, p.digest, p.nth,
               CASE WHEN p.nth = 1 THEN (
                   SELECT ST_Contains(x.target, p.point) FROM exchanges_destinationwish x WHERE x.id = p.wish
               ) END AS inside
        FROM pieces p
    ) t
) covered
WHERE covers
"""
# The wishes a given home may take in (their place's box holds its point, their dates meet its availability,
# their party fits: the first columns of the wish_place_reach_origin index), and among them the distinct places (target_digest: the
# place's exact bytes) that contain it, each tested once: the région that thousands of wishes share is one
# point-in-polygon, not thousands (the same ST_Contains as `wish_covers_sql`, on the same geometry).
COVERED = """
c AS MATERIALIZED (
    SELECT h.id AS host, h.owner_id AS host_owner, h.region_id AS host_region, h.sleeps AS host_sleeps,
           h.public_point AS point, w.id, w.home_id, w.reach, w.target_km2, w.adults + w.children AS party,
           w.target_digest AS digest
    FROM h
    {wishes}
    JOIN exchanges_home g ON g.id = w.home_id AND g.status = 'published' AND g.owner_id <> h.owner_id
        AND (NOT %(cross)s OR h.region_id <> g.region_id)
    WHERE {guests}
), covered AS MATERIALIZED (  -- the first wish of each place tested, its answer given to the place's others
    SELECT t.host, t.host_owner, t.host_sleeps, t.id, t.home_id, t.reach, t.target_km2, t.party,
           first_value(t.inside) OVER (PARTITION BY t.host, t.digest ORDER BY t.id) AS covers
    FROM (
        SELECT c.*, CASE WHEN row_number() OVER (PARTITION BY c.host, c.digest ORDER BY c.id) = 1 THEN (
            SELECT ST_Contains(w.target, c.point) FROM exchanges_destinationwish w WHERE w.id = c.id
        ) END AS inside
        FROM c
    ) t
)"""
# Every wish that may take in the home (h): its place's box, dates and party in the index.
ANY_WISH = """JOIN exchanges_destinationwish w ON w.target ~ h.public_point AND w.reach && h.availability
        AND w.adults + w.children <= h.sleeps"""
INTO_H = """
into_h AS MATERIALIZED (
    SELECT c.home_id AS guest, c.host, c.host_owner AS owner, p.mode = 'open' AS is_open,
           lower(p.period * c.reach) AS s, upper(p.period * c.reach) AS e, c.id AS wish, c.target_km2 AS km2,
           c.host_sleeps - c.party AS spare
    FROM {rows} c
    JOIN exchanges_availabilityperiod p ON p.home_id = c.host AND p.period && c.reach
    WHERE c.covers AND upper(p.period * c.reach) - lower(p.period * c.reach) >= %(min)s
)"""
# The stays into given hosts (any guest), rows of `edges_sql`.
INTO_SQL = f"""
WITH h AS MATERIALIZED (
    SELECT id, owner_id, region_id, public_point, sleeps, availability FROM exchanges_home
    WHERE status = 'published' AND id = ANY(%(hosts)s::bigint[])
), {COVERED.format(wishes=ANY_WISH, guests="TRUE")}, {INTO_H.format(rows="covered")}
SELECT * FROM into_h
"""  # noqa: S608
NEAR_WISH = "JOIN near ON TRUE JOIN exchanges_destinationwish w ON w.id = near.id"
# The reciprocal candidates of one home in one statement, rows of the edges' shape (`edges_sql`). Reciprocity
# first (`near`): of the wishes that may take in the home, the index (`wish_place_reach_origin`) keeps only
# those whose household's point (the wish's `origin`, the home's public point copied by the database) lies in
# the box of one of the home's own wishes' places, tested then against that place (its candidates in a row: one
# prepared geometry), their household's dates and party against that wish: a few hundred where thousands of
# wishes cover a home. Then the place of each (`COVERED`, each distinct place once) and the stays into the home,
# then its household's stays (each of its wishes' places, detoasted once, tested on those guests' homes only);
# only the stays both ways come back. Owners and régions differ both ways when they differ one way.
PAIRS_SQL = f"""
WITH h AS MATERIALIZED (
    SELECT id, owner_id, region_id, public_point, sleeps, availability FROM exchanges_home
    WHERE id = %(home)s AND status = 'published'
), mw AS MATERIALIZED (  -- its household's wishes, each place detoasted once (ST_Multi: a value of its own)
    SELECT w.id, w.home_id, w.target_km2, w.adults + w.children AS party, w.reach, ST_Multi(w.target) AS place
    FROM exchanges_destinationwish w WHERE w.home_id = %(home)s
), near AS MATERIALIZED (
    SELECT DISTINCT x.id FROM mw CROSS JOIN h CROSS JOIN LATERAL (
        SELECT x.id, x.home_id FROM exchanges_destinationwish x
        WHERE x.target ~ h.public_point AND x.reach && h.availability AND x.origin && mw.place
            AND x.adults + x.children <= h.sleeps AND ST_Contains(mw.place, x.origin)
        OFFSET 0
    ) x
    JOIN exchanges_home g ON g.id = x.home_id AND g.availability && mw.reach AND g.sleeps >= mw.party
), {COVERED.format(wishes=NEAR_WISH, guests="TRUE")}, {INTO_H.format(rows="covered")}, mine AS MATERIALIZED (
    SELECT w.home_id AS guest, h.id AS host, h.owner_id AS owner, p.mode = 'open' AS is_open,
           lower(p.period * w.reach) AS s, upper(p.period * w.reach) AS e, w.id AS wish, w.target_km2 AS km2,
           h.sleeps - w.party AS spare
    FROM mw w
    JOIN exchanges_home h ON h.id IN (SELECT guest FROM into_h) AND h.availability && w.reach
        AND h.sleeps >= w.party AND ST_Contains(w.place, h.public_point)
    JOIN exchanges_availabilityperiod p ON p.home_id = h.id AND p.period && w.reach
    WHERE upper(p.period * w.reach) - lower(p.period * w.reach) >= %(min)s
)
SELECT * FROM mine
UNION ALL
SELECT * FROM into_h WHERE guest IN (SELECT host FROM mine)
"""  # noqa: S608


def settings_params() -> dict[str, Any]:
    return {"min": settings.MATCHING_MIN_NIGHTS, "cross": settings.MATCHING_CROSS_REGION}


def load_edges(
    graph: Graph,
    *,
    guests: Iterable[int] | None = None,
    hosts: Iterable[int] | None = None,
    keep: tuple[int, set[int]] | None = None,
) -> Graph:
    """Add to `graph` the edges out of `guests` and/or into `hosts` (every edge when both are None). With
    `keep` = (beam, targets), only each guest's `beam` best edges (engine._top's) and its edges into
    `targets`: what a beam search reads of a home's stays out (see `_add_rows`)."""
    params = {
        **settings_params(),
        "guests": None if guests is None else list(guests),
        "hosts": None if hosts is None else list(hosts),
    }
    if guests is None:
        sql = FILTERED_SQL if hosts is None else INTO_SQL
    elif hosts is not None:
        return load_pairs(graph, [(g, h) for g in params["guests"] for h in params["hosts"]])
    else:
        sql = OUT_MANY_SQL if len(params["guests"]) > OUT_MANY_ABOVE else OUT_SQL
    return _add_rows(graph, sql, params, keep)


def load_pairs(graph: Graph, pairs: Iterable[tuple[int, int]]) -> Graph:
    """Add to `graph` the edges guest → host of the given (guest, host) pairs that have one."""
    pairs = list(pairs)
    guests, hosts = zip(*pairs, strict=True) if pairs else ((), ())
    return _add_rows(
        graph, STAYS_SQL, {**settings_params(), "pair_guests": list(guests), "pair_hosts": list(hosts)}
    )


def pairs_graph(home: int) -> Graph:
    """The edges between `home` and its reciprocal candidates, both ways: all that its pairs need (one query),
    with their owners' reviews and swaps (two more, whatever their number)."""
    graph = _add_rows(Graph(), PAIRS_SQL, {**settings_params(), "home": home})
    if graph.out:  # no pair: nobody to rank
        load_reputation(graph, set(graph.owner.values()))
    return graph


def _add_rows(
    graph: Graph, sql: str, params: dict[str, Any], keep: tuple[int, set[int]] | None = None
) -> Graph:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    if keep is not None and len(rows) > KEEP_ABOVE:
        rows = _kept(graph, rows, *keep)
    pieces: dict[tuple[int, int], list[Any]] = defaultdict(lambda: [[], [], set(), float("inf"), 10**6])
    for guest, host, owner, is_open, start, end, wish, km2, spare in rows:
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


# Below this many rows, `_kept` is not worth its arrays.
KEEP_ABOVE = 2000


def _kept(graph: Graph, rows: list[tuple[Any, ...]], beam: int, targets: set[int]) -> list[tuple[Any, ...]]:
    """The rows of the edges `_add_rows` keeps: per guest, its `beam` best edges by engine._key (the edge's
    quality from its merged windows, smallest place and spare beds, in the same float operations as
    Edge.quality, host ascending among equals) and its edges into `targets`, found with arrays, without an
    Edge per row. The owners of every host are recorded, as `_add_rows` does."""
    n = len(rows)
    guest = np.fromiter((r[0] for r in rows), dtype=np.int64, count=n)
    host = np.fromiter((r[1] for r in rows), dtype=np.int64, count=n)
    graph.owner.update((r[1], r[2]) for r in rows)
    s = np.fromiter((r[4].toordinal() for r in rows), dtype=np.int64, count=n)
    e = np.fromiter((r[5].toordinal() for r in rows), dtype=np.int64, count=n)
    km2 = np.fromiter((r[7] for r in rows), dtype=np.float64, count=n)
    spare = np.fromiter((r[8] for r in rows), dtype=np.int64, count=n)
    order = np.lexsort((s, host, guest))
    guest, host, s, e, km2, spare = guest[order], host[order], s[order], e[order], km2[order], spare[order]
    first = np.ones(len(order), dtype=bool)
    first[1:] = (guest[1:] != guest[:-1]) | (host[1:] != host[:-1])
    group = np.cumsum(first) - 1
    starts = np.flatnonzero(first)
    # engine.normalise within each edge, every edge's days shifted apart so that one running maximum serves.
    shift = group * (int(e.max() - s.min()) + 2) - int(s.min())
    s_, e_ = s + shift, e + shift
    reach = np.maximum.accumulate(e_)
    opens = first.copy()
    opens[1:] |= s_[1:] > reach[:-1]
    at = np.flatnonzero(opens)
    length = np.maximum.reduceat(e_, at) - s_[at]
    longest = np.maximum.reduceat(length, np.flatnonzero(np.r_[True, group[at][1:] != group[at][:-1]]))
    least_km2 = np.minimum.reduceat(km2, starts)
    precision = {value: engine.precision(value) for value in set(least_km2.tolist())}
    least_spare = np.minimum.reduceat(spare, starts)
    full = engine.OVERLAP_FULL_NIGHTS
    quality = (
        np.minimum(longest, full) / full
        + np.array([precision[v] for v in least_km2.tolist()], dtype=np.float64)
        + 1.0 / (1 + np.maximum(0, least_spare - 1))
    )
    g_of, h_of = guest[starts], host[starts]
    ranked = np.lexsort((h_of, -quality, g_of))
    rank = np.empty(len(ranked), dtype=np.int64)
    rank[ranked] = np.arange(len(ranked)) - np.searchsorted(g_of[ranked], g_of[ranked], side="left")
    wanted = (rank < beam) | np.isin(h_of, np.fromiter(targets, dtype=np.int64, count=len(targets)))
    return [rows[i] for i in np.sort(order[wanted[group]]).tolist()]


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


def load_hosts_stays(graph: Graph, hosts: list[int], *, beam: int | None, targets: set[int]) -> None:
    """Add to `graph`, of each of `hosts`, its `beam` best stays out and its stays into `targets` (every stay
    without a beam). The best are among those the last refresh ranked (BestHosts: engine.BEAM of them, whose
    edges are read now, so a stay gone since the refresh is never used; engine._top picks the `beam` best of
    what is read); a host that has none stored (published a moment ago, not refreshed yet), or a beam wider
    than the stored one, has all its stays found and ranked now (`keep`): a host wished by région has
    thousands."""
    stored: dict[int, list[int]] = {}
    if beam is not None and beam <= engine.BEAM:
        stored = dict(BestHosts.objects.filter(home_id__in=hosts).values_list("home_id", "hosts"))
    pairs = [(b, c) for b in hosts if b in stored for c in {*stored[b], *targets} if c != b]
    if pairs:
        load_pairs(graph, pairs)
    rest = [b for b in hosts if b not in stored]
    if rest:
        load_edges(graph, guests=rest, keep=(beam, targets) if beam is not None else None)


def local_graph(home: int, *, max_length: int = 4, beam: int | None = None) -> Graph:
    """What engine.matches_for(home, max_length, beam) reads: the stays into `home`, its (beam's best) stays
    out and those into its guests (pairs), then every stay of its (beam's best) hosts reached by an open
    stay, and of the middle homes of 4-cycles (the beam's best hosts of those, when the first two stays share
    an open run) only those into its (beam's best) guests by an open stay; then the people of the homes in
    its matches."""
    return local_matches(home, max_length=max_length, beam=beam)[0]


def local_matches(home: int, *, max_length: int = 4, beam: int | None = None) -> tuple[Graph, list[Match]]:
    """local_graph, and the matches engine.matches_for found on it before the people of their homes were
    read (the same homes and windows: their scores are made again with engine.rescore)."""
    from exchanges.matching.engine import _long_enough, _top, intersect, matches_for

    min_nights = settings.MATCHING_MIN_NIGHTS
    graph = Graph()
    load_edges(graph, hosts=[home])
    # Of the home's own stays out, the search reads its beam's best (cycles) and those back into its guests
    # (pairs, whatever the beam): a home with thousands of hosts builds only those.
    keep = (beam, set(graph.into.get(home, {}))) if beam and max_length > 2 else None
    load_edges(graph, guests=[home], keep=keep)
    load_owners(graph, [home])
    if max_length > 2:
        out, into = graph.out.get(home, {}), graph.into.get(home, {})

        # Every stay of a cycle needs open nights: matches_for goes on only from the (beam's best) hosts its
        # household reaches by an open stay, and closes cycles only on the (beam's best) guests that stay at
        # it by one. A cycle's nights lie within its first stay's and its last's: a host and a guest whose
        # open stays share no run of min_nights begin and end no cycle together, and a host (a guest) that
        # shares one with no guest (no host) is in none; the pairs are already read.
        def together(b: int, d: int) -> bool:
            return _long_enough(intersect(out[b].open, into[d].open), min_nights)

        guests = [d for d in _top(into, beam) if into[d].open]
        hosts = [b for b in _top(out, beam) if out[b].open and any(together(b, d) for d in guests)]
        guests = [d for d in guests if any(together(b, d) for b in hosts)]
        if hosts:
            # Of each host's stays, its best `beam` (the middle stays of 4-cycles) and those into the guests
            # (3-cycles) or back into `home` (pairs): all that matches_for reads of them.
            load_hosts_stays(graph, hosts, beam=beam, targets={*guests, home})
        # The middle homes of 4-cycles, those matches_for does not skip: an open run of min_nights with
        # the first two stays.
        middle = {
            c
            for b in hosts
            for c in _top(graph.out.get(b, {}), beam)
            if c != home and _long_enough(intersect(out[b].open, graph.out[b][c].open), min_nights)
        }
        if guests and middle and max_length > 3:
            load_edges(graph, guests=middle, hosts=guests)
    else:
        hosts = list(graph.out.get(home, {}))
        if hosts:
            load_edges(graph, guests=hosts, hosts=[home])
    found = matches_for(graph, home, min_nights=min_nights, max_length=max_length, beam=beam)
    load_owners(graph, {h for match in found for h in match.homes})
    load_people(graph, {graph.owner[h] for match in found for h in match.homes})
    return graph, found


# The distinct places of the published homes' wishes (the same bytes: target_digest), each with the wishes that
# share it: the homes a place contains are found once per place whoever many wishes share it (a région wished by
# thousands of households is tested once), in memory (matching.compact).
PLACES_SQL = """
SELECT ST_AsBinary(w.target), d.wishes
FROM (
    SELECT w.target_digest, min(w.id) AS first, array_agg(w.id) AS wishes
    FROM exchanges_destinationwish w
    JOIN exchanges_home g ON g.id = w.home_id AND g.status = 'published'
    GROUP BY w.target_digest
) d
JOIN exchanges_destinationwish w ON w.id = d.first
"""
