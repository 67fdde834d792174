"""The whole matching graph in flat arrays, and the search of every home's best suggestions on it: what the
nightly batch runs (services.suggestions_refresh()), without a Python object per edge.

- `load`: the homes, periods and wishes in three statements, the homes inside each distinct wish place found
  once per place (graph.places_homes), then every edge built in compiled code (`_edges`), guest by guest: the
  pieces (a wish of the guest x a period of a host, at least MATCHING_MIN_NIGHTS nights) grouped by host into
  one edge with its merged windows, as `graph.edges_sql` and `graph._add_rows` define them. Edges are a CSR
  by guest (`out_ptr`), hosts sorted inside each guest's run; windows are CSRs of merged day intervals.
- `_tops`: each home's BEAM best stays out (its hosts) and in (its guests), by `engine._key`.
- `_search`: engine.matches_for(beam=BEAM) for every home, compiled, with the same windows, validity,
  scores (same float operations in the same order) and order; the windows are compared before any edge is
  looked up (a cycle has to fit in every window, most candidates stop there).

`suggestions` returns, per home, its best `limit` suggestions exactly as matches_for ranks them: the scores
are rounded by Python's round() and the order settled in numpy (the compiled search keeps a margin of
candidates around the last one kept, so rounding cannot bring in one it dropped: see `_MARGIN`).
"""

from __future__ import annotations

import datetime as dt
import time
from dataclasses import dataclass, field
from typing import Any

import numba
import numpy as np
import shapely
from django.conf import settings
from django.db import connection

from exchanges.matching import engine
from exchanges.matching.engine import Graph

EPOCH = dt.date(2000, 1, 1)  # day 0 of the compact windows
_DAY0 = EPOCH.toordinal()
_MARGIN = 2e-6  # rounding to 6 decimals moves a score by at most 5e-7
_FAR = 2**62


@dataclass
class Compact:
    """Homes are indexed 0…n-1 in id order (`ids`). The edges out of home g are out_ptr[g]…out_ptr[g+1]
    (hosts ascending); edge e's windows are any_s/any_e[any_ptr[e]:any_ptr[e+1]] (every period) and
    open_s/open_e[open_ptr[e]:open_ptr[e+1]] (open periods only), days since EPOCH, half-open."""

    ids: np.ndarray
    owner: np.ndarray
    out_ptr: np.ndarray
    host: np.ndarray
    met: np.ndarray
    km2: np.ndarray
    spare: np.ndarray
    any_ptr: np.ndarray
    any_s: np.ndarray
    any_e: np.ndarray
    open_ptr: np.ndarray
    open_s: np.ndarray
    open_e: np.ndarray
    # Each home's availability (its periods merged), as avail_s/avail_e[avail_ptr[h]:avail_ptr[h + 1]]: what a
    # stay into it can use at most (the pairs' first test, before the stay back is looked up).
    avail_ptr: np.ndarray
    avail_s: np.ndarray
    avail_e: np.ndarray
    # Each home's département (an index): the search's first test of an edge g → h is whether h's département
    # holds one of g's hosts (`_areas`), before the edge is looked up.
    dep: np.ndarray
    seconds: dict[str, float] = field(default_factory=dict)  # how long `load` took: reading, building

    @property
    def edge_count(self) -> int:
        return len(self.host)

    def nbytes(self) -> int:
        return sum(v.nbytes for v in self.__dict__.values() if isinstance(v, np.ndarray))

    def graph(self, homes: list[int] | None = None) -> Graph:
        """The engine's Graph of the edges between `homes` (ids; every home when None): for a subgraph."""
        inside = np.ones(len(self.ids), dtype=bool)
        if homes is not None:
            inside = np.isin(self.ids, np.array(homes, dtype=np.int64))
        guest = np.repeat(np.arange(len(self.ids)), np.diff(self.out_ptr))
        graph = Graph()
        for e in np.flatnonzero(inside[guest] & inside[self.host]).tolist():
            a0, a1, o0, o1 = self.any_ptr[e], self.any_ptr[e + 1], self.open_ptr[e], self.open_ptr[e + 1]
            graph.add(
                engine.Edge(
                    int(self.ids[guest[e]]),
                    int(self.ids[self.host[e]]),
                    tuple(
                        (int(s) + _DAY0, int(t) + _DAY0)
                        for s, t in zip(self.any_s[a0:a1], self.any_e[a0:a1], strict=True)
                    ),
                    tuple(
                        (int(s) + _DAY0, int(t) + _DAY0)
                        for s, t in zip(self.open_s[o0:o1], self.open_e[o0:o1], strict=True)
                    ),
                    int(self.met[e]),
                    float(self.km2[e]),
                    int(self.spare[e]),
                )
            )
        for index in np.flatnonzero(inside).tolist():
            if int(self.ids[index]) in graph.out or int(self.ids[index]) in graph.into:
                graph.owner[int(self.ids[index])] = int(self.owner[index])
        return graph


# ---- Building ---------------------------------------------------------------------------------------------


@numba.njit(cache=True, nogil=True)
def _merge(s: np.ndarray, e: np.ndarray, n: int, out_s: np.ndarray, out_e: np.ndarray, at: int) -> int:
    """engine.normalise of n intervals sorted by start, written at `at`; returns how many."""
    k = 0
    for i in range(n):
        if k and s[i] <= out_e[at + k - 1]:
            if e[i] > out_e[at + k - 1]:
                out_e[at + k - 1] = e[i]
        else:
            out_s[at + k] = s[i]
            out_e[at + k] = e[i]
            k += 1
    return k


@numba.njit(cache=True, nogil=True)
def _guest_pieces(
    g: int,
    w_first: np.ndarray,
    w_place: np.ndarray,
    w_start: np.ndarray,
    w_end: np.ndarray,
    w_party: np.ndarray,
    w_km2: np.ndarray,
    place_ptr: np.ndarray,
    place_rows: np.ndarray,
    place_starts: np.ndarray,
    p_home: np.ndarray,
    p_start: np.ndarray,
    p_end: np.ndarray,
    p_open: np.ndarray,
    owner: np.ndarray,
    region: np.ndarray,
    sleeps: np.ndarray,
    min_nights: int,
    cross: bool,
    longest_period: int,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """The pieces of guest g sorted by (host, start): host, start, end, open, wish (index), spare."""
    bound = 0
    for w in range(w_first[g], w_first[g + 1]):
        a, b = place_ptr[w_place[w]], place_ptr[w_place[w] + 1]
        lo = a + np.searchsorted(place_starts[a:b], w_start[w] + min_nights - longest_period)
        hi = a + np.searchsorted(place_starts[a:b], w_end[w] - min_nights + 1)
        if hi > lo:
            bound += hi - lo
    host = np.empty(bound, np.int64)
    start = np.empty(bound, np.int32)
    end = np.empty(bound, np.int32)
    is_open = np.empty(bound, np.bool_)
    wish = np.empty(bound, np.int64)
    spare = np.empty(bound, np.int32)
    n = 0
    for w in range(w_first[g], w_first[g + 1]):
        a, b = place_ptr[w_place[w]], place_ptr[w_place[w] + 1]
        lo = a + np.searchsorted(place_starts[a:b], w_start[w] + min_nights - longest_period)
        hi = a + np.searchsorted(place_starts[a:b], w_end[w] - min_nights + 1)
        for i in range(lo, hi):
            r = place_rows[i]
            h = p_home[r]
            s = max(p_start[r], w_start[w])
            e = min(p_end[r], w_end[w])
            if e - s < min_nights or sleeps[h] < w_party[w] or owner[h] == owner[g]:
                continue
            if cross and region[h] == region[g]:
                continue
            host[n], start[n], end[n], is_open[n], wish[n] = h, s, e, p_open[r], w
            spare[n] = sleeps[h] - w_party[w]
            n += 1
    order = np.argsort(host[:n] * (1 << 32) + start[:n].astype(np.int64), kind="mergesort")
    return host[order], start[order], end[order], is_open[order], wish[order], spare[order]


@numba.njit(cache=True, parallel=True)
def _edges(
    n_homes: int,
    w_first: np.ndarray,
    w_place: np.ndarray,
    w_start: np.ndarray,
    w_end: np.ndarray,
    w_party: np.ndarray,
    w_km2: np.ndarray,
    place_ptr: np.ndarray,
    place_rows: np.ndarray,
    place_starts: np.ndarray,
    p_home: np.ndarray,
    p_start: np.ndarray,
    p_end: np.ndarray,
    p_open: np.ndarray,
    owner: np.ndarray,
    region: np.ndarray,
    sleeps: np.ndarray,
    min_nights: int,
    cross: bool,
    longest_period: int,
) -> tuple[np.ndarray, ...]:
    # Pass 1: how many edges and merged intervals each guest has; pass 2 writes them where they belong.
    counts = np.zeros((n_homes, 3), np.int64)
    for g in numba.prange(n_homes):
        host, start, end, is_open, _wish, _spare = _guest_pieces(
            g, w_first, w_place, w_start, w_end, w_party, w_km2, place_ptr, place_rows, place_starts,
            p_home, p_start, p_end, p_open, owner, region, sleeps, min_nights, cross, longest_period,
        )  # fmt: skip
        m = len(host)
        tmp_s = np.empty(m, np.int32)
        tmp_e = np.empty(m, np.int32)
        os_ = np.empty(m, np.int32)
        oe_ = np.empty(m, np.int32)
        i = 0
        while i < m:
            j = i
            while j < m and host[j] == host[i]:
                j += 1
            counts[g, 0] += 1
            counts[g, 1] += _merge(start[i:j], end[i:j], j - i, tmp_s, tmp_e, 0)
            k = 0
            for q in range(i, j):
                if is_open[q]:
                    os_[k], oe_[k] = start[q], end[q]
                    k += 1
            counts[g, 2] += _merge(os_, oe_, k, tmp_s, tmp_e, 0)
            i = j
    out_ptr = np.zeros(n_homes + 1, np.int64)
    any_at = np.zeros(n_homes + 1, np.int64)
    open_at = np.zeros(n_homes + 1, np.int64)
    out_ptr[1:] = np.cumsum(counts[:, 0])
    any_at[1:] = np.cumsum(counts[:, 1])
    open_at[1:] = np.cumsum(counts[:, 2])
    n_edges = out_ptr[-1]
    e_host = np.empty(n_edges, np.int32)
    e_met = np.empty(n_edges, np.int16)
    e_km2 = np.empty(n_edges, np.float64)
    e_spare = np.empty(n_edges, np.int16)
    any_ptr = np.empty(n_edges + 1, np.int32)
    open_ptr = np.empty(n_edges + 1, np.int32)
    any_s = np.empty(any_at[-1], np.int32)
    any_e = np.empty(any_at[-1], np.int32)
    open_s = np.empty(open_at[-1], np.int32)
    open_e = np.empty(open_at[-1], np.int32)
    any_ptr[n_edges] = any_at[-1]
    open_ptr[n_edges] = open_at[-1]
    for g in numba.prange(n_homes):
        host, start, end, is_open, wish, spare = _guest_pieces(
            g, w_first, w_place, w_start, w_end, w_party, w_km2, place_ptr, place_rows, place_starts,
            p_home, p_start, p_end, p_open, owner, region, sleeps, min_nights, cross, longest_period,
        )  # fmt: skip
        m = len(host)
        edge, at_any, at_open = out_ptr[g], any_at[g], open_at[g]
        i = 0
        while i < m:
            j = i
            while j < m and host[j] == host[i]:
                j += 1
            e_host[edge] = host[i]
            distinct = 0
            km2 = np.inf
            least = 10**6
            for q in range(i, j):
                seen = False
                for r in range(i, q):
                    if wish[r] == wish[q]:
                        seen = True
                        break
                if not seen:
                    distinct += 1
                km2 = min(km2, w_km2[wish[q]])
                least = min(least, spare[q])
            e_met[edge], e_km2[edge], e_spare[edge] = distinct, km2, least
            any_ptr[edge] = at_any
            at_any += _merge(start[i:j], end[i:j], j - i, any_s, any_e, at_any)
            open_ptr[edge] = at_open
            k = 0
            os_ = np.empty(j - i, np.int32)
            oe_ = np.empty(j - i, np.int32)
            for q in range(i, j):
                if is_open[q]:
                    os_[k], oe_[k] = start[q], end[q]
                    k += 1
            at_open += _merge(os_, oe_, k, open_s, open_e, at_open)
            edge += 1
            i = j
    return out_ptr, e_host, e_met, e_km2, e_spare, any_ptr, any_s, any_e, open_ptr, open_s, open_e


def _base() -> dict[str, np.ndarray]:
    """The published homes, their periods (by home), their wishes, and each distinct wish place's periods
    (those of the homes it contains, by start): places are tested once each, in memory (shapely's vectorised
    point-in-polygon on the prepared place, the test that ST_Contains makes)."""
    from exchanges.matching.graph import PLACES_SQL

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT id, owner_id, region_id, sleeps, ST_X(public_point), ST_Y(public_point), departement_id"
            " FROM exchanges_home WHERE status = 'published' ORDER BY id"
        )
        homes = cursor.fetchall()
        cursor.execute(
            "SELECT p.home_id, lower(p.period) - %(epoch)s, upper(p.period) - %(epoch)s, p.mode = 'open'"
            " FROM exchanges_availabilityperiod p"
            " JOIN exchanges_home h ON h.id = p.home_id AND h.status = 'published' ORDER BY p.home_id",
            {"epoch": EPOCH},
        )
        periods = cursor.fetchall()
        cursor.execute(
            "SELECT w.id, w.home_id, lower(w.dates) - w.flexibility_days - %(epoch)s,"
            " upper(w.dates) + w.flexibility_days - %(epoch)s, w.adults + w.children, w.target_km2"
            " FROM exchanges_destinationwish w"
            " JOIN exchanges_home g ON g.id = w.home_id AND g.status = 'published' ORDER BY w.id",
            {"epoch": EPOCH},
        )
        wishes = cursor.fetchall()
        cursor.execute(PLACES_SQL)
        places = cursor.fetchall()
    ids = np.array([h[0] for h in homes], dtype=np.int64)
    regions: dict[str, int] = {}
    deps: dict[str, int] = {}
    x = np.array([h[4] for h in homes], dtype=np.float64)
    y = np.array([h[5] for h in homes], dtype=np.float64)
    grid = _Grid(x, y)
    p_home = np.searchsorted(ids, np.array([p[0] for p in periods], dtype=np.int64))
    p_start = np.array([p[1] for p in periods], dtype=np.int32)
    p_first = np.searchsorted(p_home, np.arange(len(ids) + 1))
    by_start = np.argsort(p_start, kind="stable").astype(np.int32)  # period rows by start (then row)
    start_rank = np.empty(len(by_start), dtype=np.int32)
    start_rank[by_start] = np.arange(len(by_start), dtype=np.int32)
    w_ids = np.array([w[0] for w in wishes], dtype=np.int64)
    w_place = np.zeros(len(wishes), dtype=np.int64)
    place_ptr = [0]
    chunks: list[np.ndarray] = []
    for index, (wkb, wish_ids) in enumerate(places):
        w_place[np.searchsorted(w_ids, np.array(wish_ids, dtype=np.int64))] = index
        place = shapely.from_wkb(bytes(wkb))
        shapely.prepare(place)
        hosts = grid.inside(place)
        counts = p_first[hosts + 1] - p_first[hosts]
        rows = np.repeat(p_first[hosts] - np.cumsum(counts) + counts, counts) + np.arange(counts.sum())
        chunks.append(by_start[np.sort(start_rank[rows])])
        place_ptr.append(place_ptr[-1] + len(rows))
    return {
        "ids": ids,
        "owner": np.array([h[1] for h in homes], dtype=np.int64),
        "region": np.array([regions.setdefault(h[2], len(regions)) for h in homes], dtype=np.int64),
        "dep": np.array([deps.setdefault(h[6], len(deps)) for h in homes], dtype=np.int64),
        "sleeps": np.array([h[3] for h in homes], dtype=np.int64),
        "p_home": p_home.astype(np.int64),
        "p_start": p_start,
        "p_end": np.array([p[2] for p in periods], dtype=np.int32),
        "p_open": np.array([p[3] for p in periods], dtype=np.bool_),
        "w_guest": np.searchsorted(ids, np.array([w[1] for w in wishes], dtype=np.int64)),
        "w_place": w_place,
        "w_start": np.array([w[2] for w in wishes], dtype=np.int32),
        "w_end": np.array([w[3] for w in wishes], dtype=np.int32),
        "w_party": np.array([w[4] for w in wishes], dtype=np.int64),
        "w_km2": np.array([w[5] for w in wishes], dtype=np.float64),
        "place_ptr": np.array(place_ptr, dtype=np.int64),
        "place_rows": np.concatenate(chunks) if chunks else np.zeros(0, dtype=np.int32),
    }


class _Grid:
    """The homes' public points bucketed in cells of CELL degrees (column-major: the cells of one column are
    contiguous), to find the points a place contains: every point of a cell the place contains properly (its
    interior holds the whole closed cell: each point is inside, what ST_Contains asks), and the points of the
    cells on its outline one by one (shapely's contains_xy, the prepared place: ST_Contains's test)."""

    CELL = 0.1
    PAD = 1e-7
    CROWDED = 12

    def __init__(self, x: np.ndarray, y: np.ndarray) -> None:
        self.x, self.y = x, y
        self.x0 = float(x.min()) if len(x) else 0.0
        self.y0 = float(y.min()) if len(y) else 0.0
        cx = np.floor((x - self.x0) / self.CELL).astype(np.int64)
        cy = np.floor((y - self.y0) / self.CELL).astype(np.int64)
        self.nx, self.ny = int(cx.max(initial=0)) + 1, int(cy.max(initial=0)) + 1
        key = cx * self.ny + cy
        self.order = np.argsort(key, kind="stable")
        self.ptr = np.searchsorted(key[self.order], np.arange(self.nx * self.ny + 1))
        # The crowded cells' boxes (a box's test costs a few points' tests: it pays where points are many),
        # each a hair wider (PAD): its points stay inside it whatever the rounding of their cell.
        cells = np.flatnonzero(np.diff(self.ptr) >= self.CROWDED)
        self.box_of = np.full(self.nx * self.ny, -1, dtype=np.int64)
        self.box_of[cells] = np.arange(len(cells))
        cx, cy = cells // self.ny, cells % self.ny
        self.boxes = shapely.box(
            self.x0 + cx * self.CELL - self.PAD, self.y0 + cy * self.CELL - self.PAD,
            self.x0 + (cx + 1) * self.CELL + self.PAD, self.y0 + (cy + 1) * self.CELL + self.PAD,
        )  # fmt: skip

    def inside(self, place: Any) -> np.ndarray:
        """Indices of the points inside `place` (prepared), ascending."""
        west, south, east, north = shapely.bounds(place)
        i0, i1 = self._span(west, self.x0, self.nx), self._span(east, self.x0, self.nx)
        j0, j1 = self._span(south, self.y0, self.ny), self._span(north, self.y0, self.ny)
        if i1 < 0 or j1 < 0 or i0 >= self.nx or j0 >= self.ny:
            return np.zeros(0, dtype=np.int64)
        i0, j0, i1, j1 = max(i0, 0), max(j0, 0), min(i1, self.nx - 1), min(j1, self.ny - 1)
        ci, cj = np.meshgrid(np.arange(i0, i1 + 1), np.arange(j0, j1 + 1), indexing="ij")
        cells = (ci * self.ny + cj).ravel()
        cells = cells[self.ptr[cells + 1] > self.ptr[cells]]  # the cells holding points
        if not len(cells):
            return np.zeros(0, dtype=np.int64)
        counts = self.ptr[cells + 1] - self.ptr[cells]
        whole = np.zeros(len(cells), dtype=bool)
        boxes = self.box_of[cells]
        crowded = boxes >= 0
        if crowded.any():
            whole[crowded] = shapely.contains_properly(place, self.boxes[boxes[crowded]])
        at = np.repeat(self.ptr[cells] - np.cumsum(counts) + counts, counts) + np.arange(counts.sum())
        points = self.order[at]
        sure = np.repeat(whole, counts)
        test = points[~sure]
        found = np.concatenate([points[sure], test[shapely.contains_xy(place, self.x[test], self.y[test])]])
        found.sort()
        return found

    def _span(self, value: float, origin: float, size: int) -> int:
        return int(np.floor((value - origin) / self.CELL))


def load() -> Compact:
    """Every edge of the published homes' graph (see the module's docstring)."""
    from exchanges.matching.graph import settings_params

    params = settings_params()
    started = time.perf_counter()
    base = _base()
    read = time.perf_counter() - started
    loaded = _build(base, int(params["min"]), bool(params["cross"]))
    loaded.seconds = {"read": read, "edges": time.perf_counter() - started - read}
    return loaded


def _build(base: dict[str, np.ndarray], min_nights: int, cross: bool) -> Compact:
    ids, owner, region, sleeps = base["ids"], base["owner"], base["region"], base["sleeps"]
    p_home, p_start, p_end, p_open = base["p_home"], base["p_start"], base["p_end"], base["p_open"]
    order = np.argsort(base["w_guest"], kind="stable")
    w_first = np.searchsorted(base["w_guest"][order], np.arange(len(ids) + 1)).astype(np.int64)
    place_ptr, place_rows = base["place_ptr"], base["place_rows"]
    longest_period = int((p_end - p_start).max()) if len(p_start) else 0
    arrays = _edges(
        len(ids),
        w_first,
        base["w_place"][order],
        base["w_start"][order],
        base["w_end"][order],
        base["w_party"][order],
        base["w_km2"][order],
        place_ptr,
        place_rows,
        p_start[place_rows],
        p_home,
        p_start,
        p_end,
        p_open,
        owner,
        region,
        sleeps,
        min_nights,
        cross,
        longest_period,
    )
    out_ptr, host, met, km2, spare, any_ptr, any_s, any_e, open_ptr, open_s, open_e = arrays
    avail_ptr, avail_s, avail_e = _availability(p_home, p_start, p_end, len(ids))
    return Compact(
        ids,
        owner,
        out_ptr,
        host,
        met,
        km2,
        spare,
        any_ptr,
        any_s,
        any_e,
        open_ptr,
        open_s,
        open_e,
        avail_ptr,
        avail_s,
        avail_e,
        base["dep"],
    )


def _availability(
    p_home: np.ndarray, p_start: np.ndarray, p_end: np.ndarray, n_homes: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Each home's periods merged (engine.normalise's: overlapping or adjacent ones joined), as a CSR."""
    order = np.lexsort((p_start, p_home))
    home, start, end = p_home[order], p_start[order].astype(np.int64), p_end[order].astype(np.int64)
    if not len(home):
        return np.zeros(n_homes + 1, np.int64), np.zeros(0, np.int32), np.zeros(0, np.int32)
    first = np.ones(len(home), dtype=bool)
    first[1:] = home[1:] != home[:-1]
    shift = home * (int(end.max() - start.min()) + 2) - int(start.min())  # homes apart: one running maximum
    reach = np.maximum.accumulate(end + shift)
    opens = first.copy()
    opens[1:] |= start[1:] + shift[1:] > reach[:-1]
    at = np.flatnonzero(opens)
    merged_end = np.maximum.reduceat(end + shift, at) - shift[at]
    ptr = np.searchsorted(home[at], np.arange(n_homes + 1)).astype(np.int64)
    return ptr, start[at].astype(np.int32), merged_end.astype(np.int32)


def warm_up() -> int:
    """Compile (or load from numba's cache) every kernel on a tiny graph of two homes hosting each other
    (the types of `load`'s arrays): what a deployment runs once so that the nightly batch does not compile.
    Returns the number of suggestions found (2)."""
    i64, i32 = np.int64, np.int32
    base: dict[str, np.ndarray] = {
        "ids": np.array([1, 2], i64),
        "owner": np.array([1, 2], i64),
        "region": np.array([0, 1], i64),
        "dep": np.array([0, 1], i64),
        "sleeps": np.array([4, 4], i64),
        "p_home": np.array([0, 1], i64),
        "p_start": np.array([10, 10], i32),
        "p_end": np.array([30, 30], i32),
        "p_open": np.array([True, True]),
        "w_guest": np.array([0, 1], i64),
        "w_place": np.array([1, 0], i64),
        "w_start": np.array([5, 5], i32),
        "w_end": np.array([40, 40], i32),
        "w_party": np.array([2, 2], i64),
        "w_km2": np.array([100.0, 100.0]),
        "place_ptr": np.array([0, 1, 2], i64),
        "place_rows": np.array([0, 1], i32),
    }
    graph = _build(base, 5, True)
    empty = Graph()
    return len(suggestions(graph, people(graph, empty), beam=40, limit=20, min_nights=5)["home"])


# ---- The search -------------------------------------------------------------------------------------------


@numba.njit(cache=True, nogil=True)
def _precision(km2: float) -> float:
    return max(0.0, min(1.0, 1 - np.log10(max(km2, 1.0)) / 5.5))


@numba.njit(cache=True, nogil=True)
def _fit(spare: int) -> float:
    return 1.0 / (1 + max(0, spare - 1))


@numba.njit(cache=True, nogil=True)
def _quality(e: int, any_ptr: np.ndarray, any_s: np.ndarray, any_e: np.ndarray, km2: np.ndarray, spare: np.ndarray) -> float:  # fmt: skip
    nights = 0
    for i in range(any_ptr[e], any_ptr[e + 1]):
        nights = max(nights, any_e[i] - any_s[i])
    full = engine.OVERLAP_FULL_NIGHTS
    return min(nights, full) / full + _precision(km2[e]) + _fit(spare[e])


@numba.njit(cache=True, parallel=True)
def _tops(
    out_ptr: np.ndarray,
    host: np.ndarray,
    any_ptr: np.ndarray,
    any_s: np.ndarray,
    any_e: np.ndarray,
    km2: np.ndarray,
    spare: np.ndarray,
    beam: int,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Per home, the edges of its `beam` best stays out (by (-quality, host)) and in (by (-quality, guest)),
    best first: engine._top (order aside: the search does not depend on it)."""
    n = len(out_ptr) - 1
    quality = np.empty(len(host), np.float64)
    for g in numba.prange(n):
        for e in range(out_ptr[g], out_ptr[g + 1]):
            quality[e] = _quality(e, any_ptr, any_s, any_e, km2, spare)
    out_top = np.full((n, beam), -1, np.int64)
    for g in numba.prange(n):
        a, b = out_ptr[g], out_ptr[g + 1]
        if b - a <= beam:
            for i in range(b - a):
                out_top[g, i] = a + i
        else:
            # (-quality, host) ascending; hosts ascend inside the run: a bounded sorted list where an equal
            # quality met later goes after (a stable sort's first `beam`).
            best = np.full(beam, -np.inf)
            k = 0
            for e in range(a, b):
                q = quality[e]
                if k == beam and not q > best[k - 1]:
                    continue
                i = k if k < beam else beam - 1
                while i > 0 and q > best[i - 1]:
                    if i < beam:
                        best[i], out_top[g, i] = best[i - 1], out_top[g, i - 1]
                    i -= 1
                best[i], out_top[g, i] = q, e
                if k < beam:
                    k += 1
    # Into each host, a bounded sorted list kept while walking the edges guest by guest (guests ascending:
    # an equal quality met later loses, as the guest tie-break wants).
    in_q = np.full((n, beam), -np.inf)
    in_e = np.full((n, beam), -1, np.int64)
    in_g = np.full((n, beam), -1, np.int64)
    in_n = np.zeros(n, np.int64)
    # Hosts in bands, one thread each: every band walks all the edges in guest order and keeps its own hosts'.
    bands = 4
    for band in numba.prange(bands):
        lo, hi = band * n // bands, (band + 1) * n // bands
        for g in range(n):
            for e in range(out_ptr[g], out_ptr[g + 1]):
                h = host[e]
                if h < lo or h >= hi:
                    continue
                q = quality[e]
                k = in_n[h]
                if k == beam and not q > in_q[h, k - 1]:
                    continue
                i = k if k < beam else beam - 1
                while i > 0 and q > in_q[h, i - 1]:
                    if i < beam:
                        in_q[h, i], in_e[h, i], in_g[h, i] = in_q[h, i - 1], in_e[h, i - 1], in_g[h, i - 1]
                    i -= 1
                in_q[h, i], in_e[h, i], in_g[h, i] = q, e, g
                if k < beam:
                    in_n[h] = k + 1
    out_n = np.minimum(out_ptr[1:] - out_ptr[:-1], beam)
    return out_top, out_n, in_e, in_g, in_n


@numba.njit(cache=True, parallel=True)
def _areas(out_ptr: np.ndarray, host: np.ndarray, dep: np.ndarray) -> np.ndarray:
    """Per home g, the départements of its hosts as bits (64 a word): an edge g → h needs dep[h]'s."""
    n = len(out_ptr) - 1
    words = (int(dep.max()) >> 6) + 1 if len(dep) else 1
    areas = np.zeros((n, words), np.int64)
    for g in numba.prange(n):
        for e in range(out_ptr[g], out_ptr[g + 1]):
            d = dep[host[e]]
            areas[g, d >> 6] |= np.int64(1) << (d & 63)
    return areas


@numba.njit(cache=True, nogil=True)
def _maybe(areas: np.ndarray, dep: np.ndarray, g: int, h: int) -> bool:
    """Whether an edge g → h may exist (h's département holds one of g's hosts): a bit read before `_find`."""
    d = dep[h]
    return (areas[g, d >> 6] >> (d & 63)) & 1 == 1


@numba.njit(cache=True, nogil=True)
def _find(out_ptr: np.ndarray, host: np.ndarray, g: int, h: int) -> int:
    """The edge g → h, or -1."""
    a, b = out_ptr[g], out_ptr[g + 1]
    i = a + np.searchsorted(host[a:b], h)
    return i if i < b and host[i] == h else -1


@numba.njit(cache=True, nogil=True)
def _intersect(
    as_: np.ndarray, ae: np.ndarray, a0: int, a1: int, bs: np.ndarray, be: np.ndarray, b0: int, b1: int,
    out_s: np.ndarray, out_e: np.ndarray,
) -> int:  # fmt: skip
    """engine.intersect of as_/ae[a0:a1] and bs/be[b0:b1] into out_s/out_e; returns how many."""
    n = 0
    i, j = a0, b0
    while i < a1 and j < b1:
        s, e = max(as_[i], bs[j]), min(ae[i], be[j])
        if s < e:
            out_s[n], out_e[n] = s, e
            n += 1
        if ae[i] < be[j]:
            i += 1
        else:
            j += 1
    return n


@numba.njit(cache=True, nogil=True)
def _longest(s: np.ndarray, e: np.ndarray, n: int) -> int:
    """Index of engine.longest's run among the n intervals, or -1."""
    best = -1
    for i in range(n):
        if best < 0 or e[i] - s[i] > e[best] - s[best]:
            best = i
    return best


@numba.njit(cache=True, nogil=True)
def _long_enough(s: np.ndarray, e: np.ndarray, n: int, min_nights: int) -> bool:
    for i in range(n):  # noqa: SIM110 (compiled: a plain loop)
        if e[i] - s[i] >= min_nights:
            return True
    return False


@numba.njit(cache=True, nogil=True)
def _before(
    value: float, homes: np.ndarray, k: int, v2: float, homes2: np.ndarray, k2: int
) -> bool:  # fmt: skip
    """engine's order (-score, length, homes) on unrounded scores."""
    if value != v2:
        return value > v2
    if k != k2:
        return k < k2
    for i in range(k):
        if homes[i] != homes2[i]:
            return homes[i] < homes2[i]
    return False


@numba.njit(cache=True, nogil=True)
def _keep(
    a: int, homes: np.ndarray, k: int, s: int, e: int, value: float, stats: np.ndarray, response: float,
    c_n: np.ndarray, c_homes: np.ndarray, c_len: np.ndarray, c_win: np.ndarray, c_value: np.ndarray,
    c_stats: np.ndarray, c_response: np.ndarray, dropped: np.ndarray,
) -> None:  # fmt: skip
    """Insert a candidate into home a's sorted bounded list (the worst one out goes to `dropped`)."""
    size = c_homes.shape[1]
    n = c_n[a]
    if n == size:
        if not _before(value, homes, k, c_value[a, n - 1], c_homes[a, n - 1], c_len[a, n - 1]):
            dropped[a] = max(dropped[a], value)
            return
        dropped[a] = max(dropped[a], c_value[a, n - 1])
        n -= 1
    i = n
    while i > 0 and _before(value, homes, k, c_value[a, i - 1], c_homes[a, i - 1], c_len[a, i - 1]):
        c_homes[a, i], c_len[a, i], c_win[a, i] = c_homes[a, i - 1], c_len[a, i - 1], c_win[a, i - 1]
        c_value[a, i], c_stats[a, i], c_response[a, i] = (
            c_value[a, i - 1],
            c_stats[a, i - 1],
            c_response[a, i - 1],
        )
        i -= 1
    c_homes[a, i, :] = -1
    c_homes[a, i, :k] = homes[:k]
    c_len[a, i], c_win[a, i, 0], c_win[a, i, 1], c_value[a, i] = k, s, e, value
    c_stats[a, i], c_response[a, i] = stats, response
    c_n[a] = n + 1


@numba.njit(cache=True, nogil=True)
def _score(
    a: int, homes: np.ndarray, stays: np.ndarray, k: int, s: int, e: int,
    owner: np.ndarray, response: np.ndarray, swapped: np.ndarray, reputation: np.ndarray,
    rated_total: np.ndarray, rated_count: np.ndarray, met: np.ndarray, km2: np.ndarray, spare: np.ndarray,
    penalty: np.ndarray,
    c_n: np.ndarray, c_homes: np.ndarray, c_len: np.ndarray, c_win: np.ndarray, c_value: np.ndarray,
    c_stats: np.ndarray, c_response: np.ndarray, dropped: np.ndarray,
) -> None:  # fmt: skip
    """engine.score, in the same float operations and order, then kept if among the best."""
    for i in range(k):  # engine._distinct_owners
        for j in range(i):
            if owner[homes[i]] == owner[homes[j]]:
                return
    nights = e - s
    resp = 0.0
    newcomers = 0
    rep = 0.0
    reviews = 0
    total = 0
    for i in range(1, k):
        h = homes[i]
        resp += response[h]
        if not swapped[h]:
            newcomers += 1
        rep += reputation[h]
        reviews += rated_count[h]
        total += rated_total[h]
    resp = resp / (k - 1)
    prec = 0.0
    fits = 0.0
    theirs = 0
    for i in range(k):
        prec += _precision(km2[stays[i]])
        fits += _fit(spare[stays[i]])
        if i:
            theirs += met[stays[i]]
    full = engine.OVERLAP_FULL_NIGHTS
    value = (
        engine.W_OVERLAP * min(nights, full) / full
        + engine.W_PRECISION * prec / k
        + engine.W_FIT * fits / k
        + engine.W_RESPONSE * resp
        + engine.W_REVIEWS * rep / (k - 1)
        + engine.W_FAIRNESS * newcomers / (k - 1)
    ) * penalty[k]
    n = c_n[a]
    if n == c_homes.shape[1] and not _before(
        value, homes, k, c_value[a, n - 1], c_homes[a, n - 1], c_len[a, n - 1]
    ):
        dropped[a] = max(dropped[a], value)  # _keep's first test, before anything is allocated
        return
    stats = np.empty(7, np.int64)
    stats[0], stats[1], stats[2] = nights, met[stays[0]], theirs
    stats[3], stats[4], stats[5], stats[6] = max(0, spare[stays[0]]), reviews, total, newcomers
    _keep(
        a,
        homes,
        k,
        s,
        e,
        value,
        stats,
        resp,
        c_n,
        c_homes,
        c_len,
        c_win,
        c_value,
        c_stats,
        c_response,
        dropped,
    )


@numba.njit(cache=True, parallel=True)
def _search(
    targets: np.ndarray, size: int, min_nights: int, width: int,
    out_ptr: np.ndarray, host: np.ndarray, met: np.ndarray, km2: np.ndarray, spare: np.ndarray,
    any_ptr: np.ndarray, any_s: np.ndarray, any_e: np.ndarray,
    open_ptr: np.ndarray, open_s: np.ndarray, open_e: np.ndarray,
    avail_ptr: np.ndarray, avail_s: np.ndarray, avail_e: np.ndarray,
    out_top: np.ndarray, out_n: np.ndarray, in_e: np.ndarray, in_g: np.ndarray, in_n: np.ndarray,
    owner: np.ndarray, response: np.ndarray, swapped: np.ndarray, reputation: np.ndarray,
    rated_total: np.ndarray, rated_count: np.ndarray, penalty: np.ndarray, dep: np.ndarray, areas: np.ndarray,
) -> tuple[np.ndarray, ...]:  # fmt: skip
    """engine.matches_for(home, beam=BEAM) for each of `targets` (indices), its best `size` candidates kept
    (row t of the results is targets[t])."""
    t_count = len(targets)
    c_n = np.zeros(t_count, np.int64)
    c_homes = np.full((t_count, size, 4), -1, np.int64)
    c_len = np.zeros((t_count, size), np.int64)
    c_win = np.zeros((t_count, size, 2), np.int64)
    c_value = np.zeros((t_count, size), np.float64)
    c_stats = np.zeros((t_count, size, 7), np.int64)
    c_response = np.zeros((t_count, size), np.float64)
    dropped = np.full(t_count, -np.inf)
    for t in numba.prange(t_count):
        a = targets[t]
        homes = np.empty(4, np.int64)
        stays = np.empty(4, np.int64)
        w1s, w1e = np.empty(width, np.int32), np.empty(width, np.int32)
        w2s, w2e = np.empty(width, np.int32), np.empty(width, np.int32)
        w3s, w3e = np.empty(width, np.int32), np.empty(width, np.int32)
        beam_in = in_g.shape[1]
        wd_s, wd_e = np.empty((beam_in, width), np.int32), np.empty((beam_in, width), np.int32)
        d_m, d_n = np.empty(beam_in, np.int64), np.empty(beam_in, np.int64)
        homes[0] = a
        args = (owner, response, swapped, reputation, rated_total, rated_count, met, km2, spare, penalty)
        keep = (c_n, c_homes, c_len, c_win, c_value, c_stats, c_response, dropped)
        # Pairs: every reciprocal candidate, whatever the beam. The stay back into a uses a's availability
        # only: a stay out whose nights meet it for less than min_nights has no pair (no lookup then).
        v0, v1 = avail_ptr[a], avail_ptr[a + 1]
        for ab in range(out_ptr[a], out_ptr[a + 1]):
            n = _intersect(any_s, any_e, any_ptr[ab], any_ptr[ab + 1], avail_s, avail_e, v0, v1, w1s, w1e)
            if not _long_enough(w1s, w1e, n, min_nights):
                continue
            b = host[ab]
            if not _maybe(areas, dep, b, a):
                continue
            ba = _find(out_ptr, host, b, a)
            if ba < 0:
                continue
            n = _intersect(any_s, any_e, any_ptr[ab], any_ptr[ab + 1], any_s, any_e, any_ptr[ba], any_ptr[ba + 1], w1s, w1e)  # fmt: skip
            run = _longest(w1s, w1e, n)
            if run >= 0 and w1e[run] - w1s[run] >= min_nights:
                homes[1], stays[0], stays[1] = b, ab, ba
                _score(t, homes, stays, 2, w1s[run], w1e[run], *args, *keep)
        # Cycles through the beam's best stays out of a and into a.
        for i in range(out_n[a]):
            ab = out_top[a, i]
            b = host[ab]
            homes[1], stays[0] = b, ab
            o0, o1 = open_ptr[ab], open_ptr[ab + 1]
            if not _long_enough(open_s[o0:o1], open_e[o0:o1], o1 - o0, min_nights):
                continue
            # The guests d whose open stay into a shares a run of min_nights with a's into b, each with that
            # common window: the only ones that close a 3- or a 4-cycle through b (a cycle's nights lie within
            # every stay's), found once for both (the 4-cycles' inner loop then walks only them).
            nd = 0
            for m in range(in_n[a]):
                d, da = in_g[a, m], in_e[a, m]
                if d == b:
                    continue
                k = _intersect(open_s, open_e, o0, o1, open_s, open_e, open_ptr[da], open_ptr[da + 1], wd_s[nd], wd_e[nd])  # fmt: skip
                if _long_enough(wd_s[nd], wd_e[nd], k, min_nights):
                    d_m[nd], d_n[nd] = m, k
                    nd += 1
            for q in range(nd):  # A → B → C → A
                c, ca = in_g[a, d_m[q]], in_e[a, d_m[q]]
                if not _maybe(areas, dep, b, c):
                    continue
                bc = _find(out_ptr, host, b, c)
                if bc < 0:
                    continue
                n = _intersect(wd_s[q], wd_e[q], 0, d_n[q], open_s, open_e, open_ptr[bc], open_ptr[bc + 1], w2s, w2e)  # fmt: skip
                run = _longest(w2s, w2e, n)
                if run >= 0 and w2e[run] - w2s[run] >= min_nights:
                    homes[2], stays[1], stays[2] = c, bc, ca
                    _score(t, homes, stays, 3, w2s[run], w2e[run], *args, *keep)
            if not nd:
                continue
            for j in range(out_n[b]):  # A → B → C → D → A
                bc = out_top[b, j]
                c = host[bc]
                if c == a:
                    continue
                c0, c1 = open_ptr[bc], open_ptr[bc + 1]
                n1 = _intersect(open_s, open_e, o0, o1, open_s, open_e, c0, c1, w1s, w1e)
                if not _long_enough(w1s, w1e, n1, min_nights):
                    continue
                for q in range(nd):
                    d, da = in_g[a, d_m[q]], in_e[a, d_m[q]]
                    if d == c:
                        continue
                    # (a → b) ∩ (d → a) ∩ (b → c): the same nights, in the same sorted runs, as any order.
                    n2 = _intersect(wd_s[q], wd_e[q], 0, d_n[q], open_s, open_e, c0, c1, w2s, w2e)
                    if not _long_enough(w2s, w2e, n2, min_nights):
                        continue
                    if not _maybe(areas, dep, c, d):
                        continue
                    cd = _find(out_ptr, host, c, d)
                    if cd < 0:
                        continue
                    n3 = _intersect(w2s, w2e, 0, n2, open_s, open_e, open_ptr[cd], open_ptr[cd + 1], w3s, w3e)
                    run = _longest(w3s, w3e, n3)
                    if run >= 0 and w3e[run] - w3s[run] >= min_nights:
                        homes[2], homes[3] = c, d
                        stays[1], stays[2], stays[3] = bc, cd, da
                        _score(t, homes, stays, 4, w3s[run], w3e[run], *args, *keep)
    return c_n, c_homes, c_len, c_win, c_value, c_stats, c_response, dropped


@dataclass(frozen=True)
class Found:
    """One suggestion of the batch, as engine.Match has it (homes are ids, the window date ordinals)."""

    home: int
    rank: int
    homes: tuple[int, ...]
    window: tuple[int, int]
    score: float
    reason: str
    params: dict[str, int]


def people(compact: Compact, graph: Graph) -> dict[str, np.ndarray]:
    """Per home, what engine.score reads of its owner (graph.response, swapped, ratings), as arrays."""
    owners = compact.owner.tolist()
    ratings = [graph.ratings.get(o) for o in owners]
    return {
        "response": np.array([graph.response.get(o, engine.NEUTRAL_RESPONSE) for o in owners], np.float64),
        "swapped": np.array([o in graph.swapped for o in owners], np.bool_),
        "reputation": np.array([engine.reputation(r) for r in ratings], np.float64),
        "rated_total": np.array([r[0] if r else 0 for r in ratings], np.int64),
        "rated_count": np.array([r[1] if r else 0 for r in ratings], np.int64),
    }


Tops = tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]


def tops(compact: Compact, beam: int) -> Tops:
    """Per home, its `beam` best stays out and in (`_tops`): what `suggestions` and `best_hosts` read."""
    return _tops(compact.out_ptr, compact.host, compact.any_ptr, compact.any_s, compact.any_e, compact.km2, compact.spare, beam)  # fmt: skip


def best_hosts(compact: Compact, ranked: Tops) -> tuple[list[int], list[list[int]]]:
    """The homes that have stays out and, for each, the ids of the hosts of its best ones, best first
    (engine._top's order, what models.BestHosts keeps)."""
    out_top, out_n = ranked[0], ranked[1]
    homes = np.flatnonzero(out_n > 0)
    hosts = compact.ids[compact.host[np.clip(out_top[homes], 0, None)]]
    return compact.ids[homes].tolist(), [
        row[:n] for row, n in zip(hosts.tolist(), out_n[homes].tolist(), strict=True)
    ]


def suggestions(
    compact: Compact,
    who: dict[str, np.ndarray],
    *,
    beam: int,
    limit: int,
    min_nights: int | None = None,
    ranked: Tops | None = None,
) -> dict[str, Any]:
    """Every home's best `limit` suggestions (engine.matches_for(beam=beam)[:limit]), as column arrays sorted
    by (home, rank): home, rank, length, homes (ids, -1 beyond the length), start, end (date ordinals),
    score (rounded as engine.score does), and the reason's numbers. `ranked`: `tops(compact, beam)` if the
    caller has them already."""
    min_nights = settings.MATCHING_MIN_NIGHTS if min_nights is None else min_nights
    penalty = np.array([1.0, 1.0] + [engine.LENGTH_PENALTY ** (k - 2) for k in range(2, 5)], np.float64)
    best = tops(compact, beam) if ranked is None else ranked
    edges = (compact.out_ptr, compact.host, compact.met, compact.km2, compact.spare, compact.any_ptr, compact.any_s,
             compact.any_e, compact.open_ptr, compact.open_s, compact.open_e)  # fmt: skip
    scorers = (who["response"], who["swapped"], who["reputation"], who["rated_total"], who["rated_count"])

    widest = max(int(np.diff(compact.any_ptr).max(initial=0)), int(np.diff(compact.open_ptr).max(initial=0)))
    areas = _areas(compact.out_ptr, compact.host, compact.dep)
    # An intersection has fewer intervals than its two sides together.
    width = 2 * widest + 2 + int(np.diff(compact.avail_ptr).max(initial=0))

    def run(targets: np.ndarray, size: int) -> tuple[np.ndarray, ...]:
        return _search(
            targets, size, min_nights, width, *edges, compact.avail_ptr, compact.avail_s, compact.avail_e,
            *best, compact.owner, *scorers, penalty, compact.dep, areas,
        )  # fmt: skip

    # Each home's best candidates on unrounded scores; a home whose dropped candidates come within the
    # rounding margin of its limit-th is searched again keeping more.
    pending, size = np.arange(len(compact.ids), dtype=np.int64), limit + 12
    parts: list[list[np.ndarray]] = []
    while True:  # once at least: a graph without homes gives empty columns of the right shapes
        c_n, c_homes, c_len, c_win, c_value, c_stats, c_response, dropped = run(pending, size)
        last = c_value[np.arange(len(pending)), min(limit, size) - 1]
        again = (c_n == size) & (dropped >= last - _MARGIN)
        rows = np.nonzero(np.arange(size)[None, :] < np.where(again, 0, c_n)[:, None])
        parts.append(
            [
                pending[rows[0]],
                c_homes[rows],
                c_len[rows],
                c_win[rows],
                c_value[rows],
                c_stats[rows],
                c_response[rows],
            ]
        )
        pending, size = pending[again], size * 8
        if not len(pending):
            break
    home, idx, length, win, value, stats, response = (
        np.concatenate(column) for column in zip(*parts, strict=True)
    )
    score = np.array([round(v, 6) for v in value.tolist()], np.float64)
    ids = np.where(idx >= 0, compact.ids[np.clip(idx, 0, None)], -1)
    order = np.lexsort((ids[:, 3], ids[:, 2], ids[:, 1], ids[:, 0], length, -score, home))
    home, score, length, ids = home[order], score[order], length[order], ids[order]
    rank = np.arange(len(home)) - np.searchsorted(home, home, side="left") + 1
    kept = rank <= limit
    stats, window, response = stats[order][kept], win[order][kept], response[order][kept]
    return {
        "home": compact.ids[home[kept]],
        "rank": rank[kept],
        "length": length[kept],
        "homes": ids[kept],
        "start": window[:, 0] + _DAY0,
        "end": window[:, 1] + _DAY0,
        "score": score[kept],
        "nights": stats[:, 0],
        "wishes": stats[:, 1],
        "theirs": stats[:, 2],
        "spare": stats[:, 3],
        "response": np.rint(100 * response).astype(np.int64),
        "reviews": stats[:, 4],
        "rating": np.rint(10 * stats[:, 5] / np.maximum(1, stats[:, 4])).astype(np.int64),
        "newcomers": stats[:, 6],
    }


def found(columns: dict[str, Any]) -> list[Found]:
    """The suggestions as objects (for the tests and small graphs)."""
    out: list[Found] = []
    for i in range(len(columns["home"])):
        k = int(columns["length"][i])
        params = {
            "nights": int(columns["nights"][i]),
            "wishes": int(columns["wishes"][i]),
            "theirs": int(columns["theirs"][i]),
            "spare": int(columns["spare"][i]),
            "homes": k,
            "response": int(columns["response"][i]),
            "reviews": int(columns["reviews"][i]),
            "rating": int(columns["rating"][i]),
            "newcomers": int(columns["newcomers"][i]),
        }
        out.append(
            Found(
                int(columns["home"][i]),
                int(columns["rank"][i]),
                tuple(int(h) for h in columns["homes"][i][:k]),
                (int(columns["start"][i]), int(columns["end"][i])),
                float(columns["score"][i]),
                "pair" if k == 2 else "cycle",
                params,
            )
        )
    return out
