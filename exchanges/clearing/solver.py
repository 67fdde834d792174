"""The clearing in memory: candidate pairs and cycles on the can-host graph, then the set of vertex-disjoint
ones that maximises the objective, exactly (HiGHS, the cycle formulation, one model per connected
component), beside a greedy baseline and the LP relaxation's bound. No database here: the tests compare it
with a brute force, the benchmark runs it on large seeded pools.

The graph is held in numpy arrays (`Arcs`: millions of edges at 100k homes, no Python object per edge). Pairs
are found by looking each edge's reverse up; cycles by growing paths from their smallest home a chunk at a
time, only on open edges inside a strongly connected component, keeping those whose stays' date hulls still
share min_nights, and closing them on the edge back (a hashed table first, then a binary search). Only the
cycles found get Python objects, for the exact check of their windows and their points.

THE OBJECTIVE (the one place it is written; the page explains it from these constants). Each chosen pair or
cycle is worth, for every household it swaps:
  1. HOUSEHOLD points, so large that one more household swapped always wins over any sum of the terms
     below (per component: more than all the other points its homes could ever bring);
  2. fairness: NEVER_SWAPPED points when the owner never took part in a swap, LEFT_OUT points for each
     earlier run in which the home was in the pool but got nothing (at most LEFT_OUT_MAX runs counted);
  3. quality of fit: up to QUALITY points, the mean of the stays' quality (dates, precision of the wishes
     met, size of the home) from the matching engine, and a shorter cycle is preferred at equal points
     (fewer people need to agree) since its homes' points are earned with fewer acceptances.
"""

from __future__ import annotations

import datetime as dt
import itertools
import time
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field

import highspy
import numpy as np
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components

from exchanges.matching.engine import Edge, Graph, Window, intersect, longest

NEVER_SWAPPED = 20
LEFT_OUT = 10
LEFT_OUT_MAX = 3
QUALITY = 10
MAX_BONUS = NEVER_SWAPPED + LEFT_OUT * LEFT_OUT_MAX + QUALITY  # per household, the most terms 2–3 bring
MAX_CYCLES = 2_000_000  # candidates in all
MAX_CYCLES_PER_HOME = 400  # candidates whose smallest home is this one: what keeps a dense component small


def household_points(component_size: int) -> int:
    """Term 1 for a component of this many homes: above everything terms 2–3 can add in it."""
    return MAX_BONUS * component_size + 1


def bonus(owner_never_swapped: bool, left_out_runs: int) -> int:
    """Term 2 for one household."""
    return NEVER_SWAPPED * owner_never_swapped + LEFT_OUT * min(left_out_runs, LEFT_OUT_MAX)


def quality_points(stays: list[Edge]) -> int:
    """Term 3 for each household of a cycle: the stays' mean quality (each 0–3) on 0–QUALITY."""
    return round(QUALITY * sum(e.quality for e in stays) / (3 * len(stays)))


@dataclass(frozen=True, slots=True)
class Candidate:
    """The household of homes[i] stays at homes[i + 1], the last at the first, over [window)."""

    homes: tuple[int, ...]
    window: tuple[int, int]  # date ordinals, end exclusive
    points: int  # terms 2 and 3, summed over its households

    @property
    def start(self) -> dt.date:
        return dt.date.fromordinal(self.window[0])

    @property
    def end(self) -> dt.date:
        return dt.date.fromordinal(self.window[1])


@dataclass
class Arcs:
    """The can-host graph in numpy arrays, what the enumeration walks without a Python object per edge: homes
    indexed 0…n-1 (`ids`, sorted; their owners), one row per edge (guest and host indices), sorted by guest
    then host, each edge once; its nights as two windows in CSR form (date ordinals, sorted and merged as
    `normalise` does): `any` (every period of the host the guest's wishes meet) and `open` (those open to any
    request); and what its quality needs (wishes met, smallest place in km², spare beds)."""

    ids: np.ndarray  # int64
    owner: np.ndarray  # int64
    guest: np.ndarray  # int32
    host: np.ndarray  # int32
    any_ptr: np.ndarray  # int64, one more than the edges
    any_start: np.ndarray  # int32
    any_end: np.ndarray  # int32
    open_ptr: np.ndarray
    open_start: np.ndarray
    open_end: np.ndarray
    met: np.ndarray  # int32
    km2: np.ndarray  # float64
    spare: np.ndarray  # int32

    @property
    def edge_count(self) -> int:
        return len(self.guest)

    def window(self, edge: int, *, open_only: bool) -> Window:
        ptr, start, end = (
            (self.open_ptr, self.open_start, self.open_end)
            if open_only
            else (self.any_ptr, self.any_start, self.any_end)
        )
        lo, hi = int(ptr[edge]), int(ptr[edge + 1])
        return tuple(zip(start[lo:hi].tolist(), end[lo:hi].tolist(), strict=True))

    def edge(self, edge: int) -> Edge:
        """The engine's Edge of one row (home ids): for the few edges of the cycles found."""
        return Edge(
            int(self.ids[self.guest[edge]]),
            int(self.ids[self.host[edge]]),
            self.window(edge, open_only=False),
            self.window(edge, open_only=True),
            int(self.met[edge]),
            float(self.km2[edge]),
            int(self.spare[edge]),
        )

    def graph_of(self, cycles: Iterable[tuple[int, ...]]) -> Graph:
        """An engine Graph of these cycles' stays (home ids) and their homes' owners."""
        graph = Graph()
        n = len(self.ids)
        keys = self.guest.astype(np.int64) * n + self.host
        for homes in cycles:
            at = np.searchsorted(self.ids, np.array(homes, dtype=np.int64))
            for i, home in enumerate(homes):
                graph.add(self.edge(int(np.searchsorted(keys, at[i] * n + at[(i + 1) % len(homes)]))))
                graph.owner[home] = int(self.owner[at[i]])
        return graph

    @classmethod
    def from_graph(cls, graph: Graph) -> Arcs:
        """The arrays of an engine Graph (a home without a known owner is its own owner)."""
        ids = np.array(sorted(set(graph.out) | set(graph.into) | set(graph.owner)), dtype=np.int64)
        index = {h: i for i, h in enumerate(ids.tolist())}
        edges = sorted(
            ((index[g], index[h]), edge) for g, hosts in graph.out.items() for h, edge in hosts.items()
        )
        any_pieces = [(i, s, e) for i, (_k, edge) in enumerate(edges) for s, e in edge.any]
        open_pieces = [(i, s, e) for i, (_k, edge) in enumerate(edges) for s, e in edge.open]

        def csr(pieces: list[tuple[int, int, int]]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
            rows = np.array(pieces, dtype=np.int64).reshape(-1, 3)
            ptr = np.searchsorted(rows[:, 0], np.arange(len(edges) + 1))
            return ptr, rows[:, 1], rows[:, 2]

        any_ptr, any_start, any_end = csr(any_pieces)
        open_ptr, open_start, open_end = csr(open_pieces)
        return cls(
            ids=ids,
            owner=np.array([graph.owner.get(h, -h) for h in ids.tolist()], dtype=np.int64),
            guest=np.array([k[0] for k, _e in edges], dtype=np.int32),
            host=np.array([k[1] for k, _e in edges], dtype=np.int32),
            any_ptr=any_ptr,
            any_start=any_start,
            any_end=any_end,
            open_ptr=open_ptr,
            open_start=open_start,
            open_end=open_end,
            met=np.array([e.met for _k, e in edges], dtype=np.int32),
            km2=np.array([e.area_km2 for _k, e in edges], dtype=np.float64),
            spare=np.array([e.spare for _k, e in edges], dtype=np.int32),
        )

    @classmethod
    def from_pieces(
        cls,
        owner: np.ndarray,
        guest: np.ndarray,
        host: np.ndarray,
        start: np.ndarray,
        end: np.ndarray,
        is_open: np.ndarray,
        wish: np.ndarray,
        km2: np.ndarray,
        spare: np.ndarray,
        ids: np.ndarray | None = None,
    ) -> Arcs:
        """The arrays from one row per piece (a wish of the guest × a period of the host: the nights they
        share, as the matching's SQL or `load_compact` give them), homes indexed 0…n-1 (their ids in `ids`,
        sorted; 0…n-1 when not given), `owner` in that order: pieces of the same edge are merged (windows),
        their wishes counted, the smallest place and spare beds kept. Vectorised: a few sorts of the pieces, no Python object per piece."""
        n = len(owner)
        ids = np.arange(n, dtype=np.int64) if ids is None else np.asarray(ids, dtype=np.int64)
        owner = np.asarray(owner, dtype=np.int64)
        if not len(guest):
            none = np.zeros(0, dtype=np.int32)
            ptr = np.zeros(1, dtype=np.int64)
            return cls(ids, owner, none, none, ptr, none, none, ptr, none, none, none, np.zeros(0), none)
        keys = guest.astype(np.int64) * n + host
        order = np.lexsort((start, keys))
        keys = keys[order]
        head = np.r_[True, keys[1:] != keys[:-1]]
        first = np.flatnonzero(head)
        edge_keys = keys[first]
        del keys
        edges = len(first)
        edge_of = np.cumsum(head, dtype=np.int32) - 1
        del head
        s, e = start[order], end[order]
        any_ptr, any_start, any_end = _merge(edge_of, s, e, edges)
        opened = is_open[order]
        open_ptr, open_start, open_end = _merge(edge_of[opened], s[opened], e[opened], edges)
        del s, e, opened
        # Wishes met: 1 for an edge of one piece, the distinct wishes of its pieces otherwise.
        counts = np.diff(np.r_[first, len(order)])
        met = np.ones(edges, dtype=np.int32)
        several = counts > 1
        if several.any():
            rows = np.flatnonzero(np.repeat(several, counts))
            w = wish[order[rows]].astype(np.int64)
            w -= w.min()
            width = int(w.max()) + 1
            distinct = np.unique(edge_of[rows].astype(np.int64) * width + w)
            met[several] = np.bincount(distinct // width, minlength=edges)[several]
        return cls(
            ids=ids,
            owner=owner,
            guest=(edge_keys // n).astype(np.int32),
            host=(edge_keys % n).astype(np.int32),
            any_ptr=any_ptr,
            any_start=any_start,
            any_end=any_end,
            open_ptr=open_ptr,
            open_start=open_start,
            open_end=open_end,
            met=met,
            km2=np.minimum.reduceat(np.asarray(km2, dtype=np.float64)[order], first),
            spare=np.minimum.reduceat(spare[order], first).astype(np.int32),
        )


def _merge(
    edge: np.ndarray, start: np.ndarray, end: np.ndarray, edges: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Pieces sorted by edge then start, merged as `normalise` merges them (overlapping or adjacent), in CSR
    form: each edge's runs are runs[ptr[edge]:ptr[edge + 1]]."""
    if not len(edge):
        return np.zeros(edges + 1, dtype=np.int64), np.zeros(0, np.int32), np.zeros(0, np.int32)
    base = int(start.min())
    span = int(end.max()) - base + 1
    reach = np.maximum.accumulate(
        edge.astype(np.int64) * span + (end - base)
    )  # within each edge: sorted keys
    new = np.r_[
        True, (edge[1:] != edge[:-1]) | (start[1:] - base > reach[:-1] - edge[1:].astype(np.int64) * span)
    ]
    heads = np.flatnonzero(new)
    run_start = start[heads].astype(np.int32)
    run_end = np.maximum.reduceat(end, heads).astype(np.int32)
    ptr = np.searchsorted(edge[heads], np.arange(edges + 1))
    return ptr, run_start, run_end


@dataclass
class Pool:
    """What the candidates are built from: the graph (edges between pool homes only: an engine Graph, or the
    same as Arcs), each home's term 2, the edges remembered as failing, and the nights that must be in the
    future. Homes are ids (`Arcs.ids`)."""

    graph: Graph = field(default_factory=Graph)
    bonus: Mapping[int, int] = field(default_factory=dict)
    banned: set[tuple[int, int]] = field(default_factory=set)
    busy: Mapping[int, Window] = field(default_factory=dict)  # host → nights already taken (confirmed)
    first_night: int = 0  # ordinal of the first night a stay may start
    min_nights: int = 5
    max_nights: int = 60
    max_length: int = 3
    arcs: Arcs | None = None  # when given, the graph is not read

    @property
    def edge_count(self) -> int:
        return self.arcs.edge_count if self.arcs is not None else self.graph.edge_count

    def graph_of(self, cycles: Iterable[tuple[int, ...]]) -> Graph:
        """An engine Graph of these cycles' stays and homes' owners only (for their explanations)."""
        if self.arcs is None:
            return self.graph
        return self.arcs.graph_of(cycles)


def _window(pool: Pool, stays: list[Edge], *, pair: bool) -> tuple[int, int] | None:
    """The stay of the cycle: the longest run common to every stay (any period for a pair, open ones for a
    cycle), from the first night on, outside the hosts' confirmed stays, at least min_nights, at most
    max_nights from its start."""
    window: Window = ((pool.first_night, 10**7),)
    for edge in stays:
        window = intersect(window, edge.any if pair else edge.open)
        busy = pool.busy.get(edge.host)
        if busy:
            window = _minus(window, busy)
    run = longest(window)
    if run is None or run[1] - run[0] < pool.min_nights:
        return None
    return (run[0], min(run[1], run[0] + pool.max_nights))


def _minus(window: Window, taken: Window) -> Window:
    out: list[tuple[int, int]] = []
    for start, end in window:
        pieces = [(start, end)]
        for t_start, t_end in taken:
            pieces = [
                piece
                for s, e in pieces
                for piece in ((s, min(e, t_start)), (max(s, t_end), e))
                if piece[0] < piece[1]
            ]
        out.extend(pieces)
    return tuple(out)


def _candidate(pool: Pool, homes: tuple[int, ...], stays: list[Edge]) -> Candidate | None:
    """The exact check of one cycle found by the enumeration (home ids, its stays): distinct owners, no
    remembered failing stay, a common stay long enough outside the hosts' confirmed stays; and its points.
    (Distinct owners are checked by the enumeration.)"""
    if any((e.guest, e.host) in pool.banned for e in stays):
        return None
    window = _window(pool, stays, pair=len(homes) == 2)
    if window is None:
        return None
    points = sum(pool.bonus.get(h, 0) for h in homes) + len(homes) * quality_points(stays)
    return Candidate(homes, window, points)


CHUNK = 2_000_000  # path extensions made at once: what bounds the enumeration's memory, whatever the graph
TABLE_BYTES_MAX = 1 << 27  # a hashed presence table of edges (a byte a slot): at most 128 MiB
GOLDEN = np.uint64(0x9E3779B97F4A7C15)


def _hull(ptr: np.ndarray, start: np.ndarray, end: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Each edge's first night and last night + 1 of a CSR window ([0, 0) when empty), as int32 ordinals."""
    filled = ptr[1:] > ptr[:-1]
    lo = np.zeros(len(ptr) - 1, dtype=np.int32)
    hi = np.zeros(len(ptr) - 1, dtype=np.int32)
    lo[filled] = start[ptr[:-1][filled]]
    hi[filled] = end[ptr[1:][filled] - 1]
    return lo, hi


def _hash(keys: np.ndarray, bits: int) -> np.ndarray:
    """Fibonacci hashing of int64 keys to `bits` bits."""
    return (keys.astype(np.uint64) * GOLDEN >> np.uint64(64 - bits)).astype(np.intp)


class _KeySet:
    """Sorted int64 keys behind a hashed presence table (a byte per slot, about 8 slots a key, at most
    TABLE_BYTES_MAX): most looked-up keys are absent and cost one random read instead of a binary search."""

    def __init__(self, keys: np.ndarray) -> None:
        self.keys = keys
        self.bits = max(10, min(TABLE_BYTES_MAX.bit_length() - 1, (8 * len(keys)).bit_length()))
        self.table = np.zeros(1 << self.bits, dtype=np.uint8)
        self.table[_hash(keys, self.bits)] = 1

    def find(self, needles: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(indices of the needles present, their positions in the keys)."""
        maybe = np.flatnonzero(self.table[_hash(needles, self.bits)])
        if not len(self.keys):
            return maybe[:0], maybe[:0]
        at = np.minimum(np.searchsorted(self.keys, needles[maybe]), len(self.keys) - 1)
        hit = self.keys[at] == needles[maybe]
        return maybe[hit], at[hit]


def _pairs(arcs: Arcs, allowed: np.ndarray, pool: Pool) -> list[tuple[int, ...]]:
    """Pairs a ↔ b (a < b, indices): both edges, distinct owners, hulls of their any-windows with min_nights
    in common (the exact window is checked afterwards)."""
    n = len(arcs.ids)
    any_lo, any_hi = _hull(arcs.any_ptr, arcs.any_start, arcs.any_end)
    np.maximum(any_lo, pool.first_night, out=any_lo)
    usable = allowed & (any_hi - any_lo >= pool.min_nights)
    forward = np.flatnonzero(usable & (arcs.guest < arcs.host))
    backward = np.flatnonzero(usable & (arcs.guest > arcs.host))
    del usable
    returns = _KeySet(arcs.guest[backward].astype(np.int64) * n + arcs.host[backward])
    guest, host = arcs.guest[forward], arcs.host[forward]
    found, at = returns.find(host.astype(np.int64) * n + guest)
    forward, guest, host, back = forward[found], guest[found], host[found], backward[at]
    pair = (
        np.minimum(any_hi[forward], any_hi[back]) - np.maximum(any_lo[forward], any_lo[back])
        >= pool.min_nights
    )
    pair &= arcs.owner[guest] != arcs.owner[host]
    return list(zip(guest[pair].tolist(), host[pair].tolist(), strict=True))


@dataclass
class _Walk:
    """What the cycle enumeration walks: the open edges that may lie on a cycle (sorted by guest, then host;
    CSR by guest), their hulls, the homes' owners, and the edges that can close a cycle (back to its
    smallest home: host < guest) as sorted keys guest * n + host behind a hashed presence table (one random
    read instead of a binary search for most of the paths, which close nowhere)."""

    n: int
    first_out: np.ndarray  # int64, n + 1
    host: np.ndarray  # int32
    lo: np.ndarray  # int32
    hi: np.ndarray  # int32
    owner: np.ndarray
    closing: _KeySet  # keys guest * n + host
    close_lo: np.ndarray
    close_hi: np.ndarray
    min_nights: int
    max_length: int

    @classmethod
    def build(cls, arcs: Arcs, keep: np.ndarray, lo: np.ndarray, hi: np.ndarray, pool: Pool) -> _Walk:
        n = len(arcs.ids)
        edges = np.flatnonzero(keep)
        guest, host = arcs.guest[edges], arcs.host[edges]
        if len(edges):
            # Only edges inside a strongly connected component can lie on a cycle.
            ones = np.ones(len(edges), dtype=np.int8)
            matrix = coo_matrix((ones, (guest, host)), shape=(n, n)).tocsr()
            del ones
            _count, label = connected_components(matrix, directed=True, connection="strong")
            del matrix
            edges = edges[label[guest] == label[host]]
            guest, host = arcs.guest[edges], arcs.host[edges]
        e_lo, e_hi = lo[edges], hi[edges]
        closing = host < guest
        return cls(
            n=n,
            first_out=np.searchsorted(guest, np.arange(n + 1)),
            host=host,
            lo=e_lo,
            hi=e_hi,
            owner=arcs.owner,
            closing=_KeySet(guest[closing].astype(np.int64) * n + host[closing]),
            close_lo=e_lo[closing],
            close_hi=e_hi[closing],
            min_nights=pool.min_nights,
            max_length=pool.max_length,
        )

    def cycles(self) -> Iterator[np.ndarray]:
        """Chunks of cycles of 3 to max_length homes (rows of home indices, smallest first) whose edges'
        hulls have min_nights in common and whose homes have distinct owners: a necessary condition,
        vectorised; the exact windows are checked afterwards on the few cycles found. Paths a → b → … grow
        one edge at a time (next home larger than the first, not on the path), CHUNK extensions at a time,
        and close on the edge back to a."""
        guest = np.repeat(np.arange(self.n, dtype=np.int32), np.diff(self.first_out))
        start = (guest < self.host) & (self.owner[guest] != self.owner[self.host])
        paths = np.stack([guest[start], self.host[start]], axis=1)
        del guest
        yield from self._grow(paths, self.lo[start], self.hi[start])

    def _grow(self, paths: np.ndarray, p_lo: np.ndarray, p_hi: np.ndarray) -> Iterator[np.ndarray]:
        counts = np.diff(self.first_out)[paths[:, -1]]
        ends = np.cumsum(counts)
        begin = 0
        while begin < len(paths):
            done = int(ends[begin - 1]) if begin else 0
            stop = max(begin + 1, int(np.searchsorted(ends, done + CHUNK, side="right")))
            chunk, c_counts = paths[begin:stop], counts[begin:stop]
            row = np.repeat(np.arange(len(chunk), dtype=np.int32), c_counts)
            edge = np.arange(len(row), dtype=np.int64) - np.repeat(np.cumsum(c_counts) - c_counts, c_counts)
            edge += self.first_out[chunk[row, -1]]
            nxt = self.host[edge]
            ok = nxt > chunk[row, 0]  # the smallest home stays first: about half the extensions go here
            row, edge, nxt = row[ok], edge[ok], nxt[ok]
            lo = np.maximum(p_lo[begin:stop][row], self.lo[edge])
            hi = np.minimum(p_hi[begin:stop][row], self.hi[edge])
            del edge
            ok = hi - lo >= self.min_nights
            nxt_owner = self.owner[nxt]
            for col in range(chunk.shape[1]):
                ok &= (nxt != chunk[row, col]) & (nxt_owner != self.owner[chunk[row, col]])
            del nxt_owner
            grown = np.concatenate([chunk[row[ok]], nxt[ok, None]], axis=1)
            lo, hi = lo[ok], hi[ok]
            del row, nxt, ok
            yield grown[self._closes(grown, lo, hi)]
            if grown.shape[1] < self.max_length:
                yield from self._grow(grown, lo, hi)
            begin = stop

    def _closes(self, paths: np.ndarray, lo: np.ndarray, hi: np.ndarray) -> np.ndarray:
        """Which paths have the edge from their last home back to their first, over their common hull."""
        found, at = self.closing.find(paths[:, -1].astype(np.int64) * self.n + paths[:, 0])
        hit = (
            np.minimum(hi[found], self.close_hi[at]) - np.maximum(lo[found], self.close_lo[at])
            >= self.min_nights
        )
        closes = np.zeros(len(paths), dtype=bool)
        closes[found[hit]] = True
        return closes


def candidates(pool: Pool) -> tuple[list[Candidate], bool]:
    """Every valid pair and cycle of up to pool.max_length homes, each once (smallest home first), in the
    order of their homes; and whether a cap left some out (then each home keeps the first
    MAX_CYCLES_PER_HOME of those it is the smallest home of, and MAX_CYCLES in all)."""
    arcs = pool.arcs if pool.arcs is not None else Arcs.from_graph(pool.graph)
    n = len(arcs.ids)
    if not arcs.edge_count:
        return [], False
    keys = arcs.guest.astype(np.int64) * n + arcs.host
    allowed = np.ones(arcs.edge_count, dtype=bool)
    if pool.banned:
        at = np.searchsorted(arcs.ids, np.array(sorted(pool.banned), dtype=np.int64).reshape(-1, 2))
        inside = (at < n).all(axis=1)
        at = at[inside]
        known = (arcs.ids[at] == np.array(sorted(pool.banned), dtype=np.int64)[inside]).all(axis=1)
        allowed &= ~np.isin(keys, at[known, 0].astype(np.int64) * n + at[known, 1])
    found = _pairs(arcs, allowed, pool)
    if pool.max_length >= 3:
        open_lo, open_hi = _hull(arcs.open_ptr, arcs.open_start, arcs.open_end)
        np.maximum(open_lo, pool.first_night, out=open_lo)
        walk = _Walk.build(arcs, allowed & (open_hi - open_lo >= pool.min_nights), open_lo, open_hi, pool)
        del open_lo, open_hi
        for cycles in walk.cycles():
            found.extend(map(tuple, cycles.tolist()))
        del walk
    found.sort()
    out: list[Candidate] = []
    capped = False
    mine, smallest = 0, -1
    for cycle in found:
        if cycle[0] != smallest:
            mine, smallest = 0, cycle[0]
        if mine >= MAX_CYCLES_PER_HOME or len(out) >= MAX_CYCLES:
            capped = True
            continue
        size = len(cycle)
        at = np.searchsorted(keys, [cycle[i] * n + cycle[(i + 1) % size] for i in range(size)])
        stays = [arcs.edge(int(i)) for i in at]
        homes = tuple(int(arcs.ids[h]) for h in cycle)
        if (cand := _candidate(pool, homes, stays)) is not None:
            out.append(cand)
            mine += 1
    return out, capped


@dataclass
class Solution:
    chosen: list[Candidate]
    households: int
    points: int
    greedy_households: int
    greedy_points: int
    lp_households_bound: float  # no set of disjoint candidates swaps more households than this
    candidates: int
    components: int
    largest_component: int
    seconds: float

    @property
    def gap(self) -> float:
        """How far the clearing may be from the best possible, in households (0 when proved optimal)."""
        if self.lp_households_bound <= 0:
            return 0.0
        return max(0.0, (self.lp_households_bound - self.households) / self.lp_households_bound)


def greedy(cands: Iterable[Candidate]) -> list[Candidate]:
    """The baseline: pairs first, then longer cycles, each by points, taken when their homes are free."""
    taken: set[int] = set()
    chosen: list[Candidate] = []
    for cand in sorted(cands, key=lambda c: (len(c.homes), -c.points, c.homes)):
        if taken.isdisjoint(cand.homes):
            chosen.append(cand)
            taken.update(cand.homes)
    return chosen


def _components(cands: list[Candidate]) -> list[list[int]]:
    """Indices of the candidates, grouped by connected component of the homes they share."""
    if not cands:
        return []
    homes = sorted({h for c in cands for h in c.homes})
    index = {h: i for i, h in enumerate(homes)}
    rows, cols = [], []
    for cand in cands:
        first = index[cand.homes[0]]
        for home in cand.homes[1:]:
            rows.append(first)
            cols.append(index[home])
    matrix = coo_matrix((np.ones(len(rows)), (rows, cols)), shape=(len(homes), len(homes)))
    _count, labels = connected_components(matrix, directed=False)
    groups: dict[int, list[int]] = {}
    for i, cand in enumerate(cands):
        groups.setdefault(int(labels[index[cand.homes[0]]]), []).append(i)
    return list(groups.values())


def _solve_component(cands: list[Candidate]) -> tuple[list[int], float]:
    """The best disjoint subset (indices) by HiGHS, and the LP relaxation's optimum in households (what no
    set of disjoint candidates of the component can beat)."""
    homes = sorted({h for c in cands for h in c.homes})
    row = {h: i for i, h in enumerate(homes)}
    big = household_points(len(homes))
    costs = np.array([big * len(c.homes) + c.points for c in cands], dtype=np.float64)
    starts = np.zeros(len(cands), dtype=np.int32)
    indices: list[int] = []
    for j, cand in enumerate(cands):
        starts[j] = len(indices)
        indices.extend(sorted(row[h] for h in cand.homes))
    lp = highspy.HighsLp()
    lp.num_col_, lp.num_row_ = len(cands), len(homes)
    lp.col_cost_ = costs
    lp.col_lower_ = np.zeros(len(cands))
    lp.col_upper_ = np.ones(len(cands))
    lp.row_lower_ = np.full(len(homes), -highspy.kHighsInf)
    lp.row_upper_ = np.ones(len(homes))
    lp.sense_ = highspy.ObjSense.kMaximize
    lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
    lp.a_matrix_.start_ = np.append(starts, len(indices)).astype(np.int32)
    lp.a_matrix_.index_ = np.array(indices, dtype=np.int32)
    lp.a_matrix_.value_ = np.ones(len(indices))
    solver = highspy.Highs()
    solver.setOptionValue("output_flag", False)
    solver.setOptionValue("threads", 1)
    lp.col_cost_ = np.array([len(c.homes) for c in cands], dtype=np.float64)  # the bound: households only
    solver.passModel(lp)
    solver.run()
    relaxed = solver.getInfo().objective_function_value
    lp.col_cost_ = costs
    lp.integrality_ = [highspy.HighsVarType.kInteger] * len(cands)
    solver.passModel(lp)
    solver.setOptionValue("mip_rel_gap", 0.0)
    solver.setOptionValue("mip_abs_gap", 0.5)  # the objective is an integer
    solver.run()
    values = solver.getSolution().col_value
    chosen = [j for j in range(len(cands)) if values[j] > 0.5]
    return chosen, relaxed


def solve(cands: list[Candidate]) -> Solution:
    began = time.perf_counter()
    chosen: list[Candidate] = []
    bound = 0.0
    groups = _components(cands)
    for group in groups:
        comp = [cands[i] for i in group]
        if len(comp) == 1:
            chosen.append(comp[0])
            bound += len(comp[0].homes)
            continue
        picked, relaxed = _solve_component(comp)
        chosen.extend(comp[j] for j in picked)
        bound += relaxed
    base = greedy(cands)
    chosen.sort(key=lambda c: c.homes)
    return Solution(
        chosen=chosen,
        households=sum(len(c.homes) for c in chosen),
        points=sum(c.points for c in chosen),
        greedy_households=sum(len(c.homes) for c in base),
        greedy_points=sum(c.points for c in base),
        lp_households_bound=bound,
        candidates=len(cands),
        components=len(groups),
        largest_component=max((len({h for i in g for h in cands[i].homes}) for g in groups), default=0),
        seconds=time.perf_counter() - began,
    )


def brute_force(cands: list[Candidate]) -> tuple[int, int]:
    """(households, points) of the best set of disjoint candidates, by trying every subset: for tests."""
    best = (0, 0)
    for size in range(1, len(cands) + 1):
        for subset in itertools.combinations(cands, size):
            homes = [h for c in subset for h in c.homes]
            if len(homes) == len(set(homes)):
                best = max(best, (len(homes), sum(c.points for c in subset)))
    return best
