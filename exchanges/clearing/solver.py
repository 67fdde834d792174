"""The clearing in memory: candidate pairs and cycles on the can-host graph, then the set of vertex-disjoint
ones that maximises the objective, exactly (HiGHS, the cycle formulation, one model per connected
component), beside a greedy baseline and the LP relaxation's bound. No database here: the tests compare it
with a brute force, the benchmark runs it on large seeded pools.

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
from collections.abc import Iterable, Mapping
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
class Pool:
    """What the candidates are built from: the graph (edges between pool homes only), each home's term 2,
    the edges remembered as failing, and the nights that must be in the future."""

    graph: Graph
    bonus: Mapping[int, int] = field(default_factory=dict)
    banned: set[tuple[int, int]] = field(default_factory=set)
    busy: Mapping[int, Window] = field(default_factory=dict)  # host → nights already taken (confirmed)
    first_night: int = 0  # ordinal of the first night a stay may start
    min_nights: int = 5
    max_nights: int = 60
    max_length: int = 3


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


def _candidate(pool: Pool, homes: tuple[int, ...]) -> Candidate | None:
    graph = pool.graph
    owners = [graph.owner.get(h, -h) for h in homes]
    if len(set(owners)) != len(owners):
        return None
    stays = [graph.out[homes[i]][homes[(i + 1) % len(homes)]] for i in range(len(homes))]
    if any((e.guest, e.host) in pool.banned for e in stays):
        return None
    window = _window(pool, stays, pair=len(homes) == 2)
    if window is None:
        return None
    points = sum(pool.bonus.get(h, 0) for h in homes) + len(homes) * quality_points(stays)
    return Candidate(homes, window, points)


def candidates(pool: Pool) -> tuple[list[Candidate], bool]:
    """Every valid pair and cycle of up to pool.max_length homes, each once (smallest home first); and
    whether a cap stopped the enumeration somewhere (then some cycles were left out)."""
    out = pool.graph.out
    succ = {g: sorted(h for h in hosts if h > g) for g, hosts in out.items()}
    found: list[Candidate] = []
    capped = False
    for a in sorted(succ):
        mine = 0
        a_in = pool.graph.into.get(a, {})
        for b in succ[a]:
            b_out = out.get(b, {})
            tries: list[tuple[int, ...]] = []
            if a in b_out:
                tries.append((a, b))
            if pool.max_length >= 3:
                tries.extend((a, b, c) for c in b_out if c > a and c != b and c in a_in)
            if pool.max_length >= 4:
                for c in b_out:
                    if c <= a or c == b:
                        continue
                    tries.extend(
                        (a, b, c, d) for d in out.get(c, {}) if d > a and d not in (b, c) and d in a_in
                    )
            for homes in tries:
                if mine >= MAX_CYCLES_PER_HOME or len(found) >= MAX_CYCLES:
                    capped = True
                    break
                if (found_one := _candidate(pool, homes)) is not None:
                    found.append(found_one)
                    mine += 1
    return found, capped


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
