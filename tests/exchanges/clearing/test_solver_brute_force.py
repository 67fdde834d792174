"""The clearing's choice against a brute force written from the definition, on hundreds of small random
graphs: the brute force lists every pair and cycle by trying every ordering of homes (not the solver's
enumeration), keeps those with distinct owners, no remembered failing stay and a common run of nights (any
period for a pair, open periods for a cycle, from the first night on, outside the hosts' confirmed stays),
and tries every set of disjoint ones. The solver's optimum (households, then points) must equal it; the
greedy baseline never beats it, the LP bound never falls below it, and each chosen cycle is valid."""

import itertools

from hypothesis import event, given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from exchanges.clearing import solver
from exchanges.matching.engine import Edge, Graph, normalise

edge_st = st.tuples(
    st.integers(0, 8),  # start
    st.integers(2, 14),  # nights
    st.sampled_from([True, True, True, False]),  # open to any request
    st.integers(0, 3),  # spare beds
)
instance_st = st.fixed_dictionaries(
    {
        "homes": st.integers(3, 7),
        "owners": st.lists(st.integers(0, 12), min_size=7, max_size=7),
        # The edge guest → host at index guest * 7 + host (None: no edge), about half of them present.
        "edges": st.lists(
            st.one_of(st.none(), st.lists(edge_st, min_size=1, max_size=2)), min_size=49, max_size=49
        ),
        "bonus": st.lists(st.sampled_from([0, 10, 20, 30, 50]), min_size=7, max_size=7),
        "banned": st.sets(st.tuples(st.integers(0, 6), st.integers(0, 6)), max_size=3),
        "busy": st.dictionaries(
            st.integers(0, 6), st.tuples(st.integers(0, 15), st.integers(1, 6)), max_size=2
        ),
        "first": st.integers(0, 4),
        "length": st.sampled_from([2, 3, 4]),
    }
)
MIN = 3


def _build(spec):
    n = spec["homes"]
    graph = Graph()
    for h in range(n):
        graph.owner[h] = spec["owners"][h]
    nights = {}
    for index, pieces in enumerate(spec["edges"]):
        g, h = divmod(index, 7)
        if g >= n or h >= n or g == h or pieces is None:
            continue
        any_ = [(s, s + k) for s, k, _o, _sp in pieces]
        open_ = [(s, s + k) for s, k, o, _sp in pieces if o]
        spare = min(sp for *_x, sp in pieces)
        graph.add(Edge(g, h, normalise(any_), normalise(open_), len(pieces), 100.0, spare))
        nights[(g, h)] = (
            {d for s, e in any_ for d in range(s, e)},
            {d for s, e in open_ for d in range(s, e)},
        )
    busy = {h: ((s, s + k),) for h, (s, k) in spec["busy"].items() if h < n}
    pool = solver.Pool(
        graph=graph,
        bonus={h: spec["bonus"][h] for h in range(n)},
        banned=set(spec["banned"]),
        busy=busy,
        first_night=spec["first"],
        min_nights=MIN,
        max_nights=8,
        max_length=spec["length"],
    )
    return pool, nights


def _longest(days):
    best, run = 0, 0
    for d in sorted(days):
        run = run + 1 if d - 1 in days else 1
        best = max(best, run)
    return best


def _brute_cycles(pool, nights):
    n = len(pool.graph.owner)
    found = {}
    for size in range(2, pool.max_length + 1):
        for homes in itertools.permutations(range(n), size):
            if homes[0] != min(homes):
                continue
            stays = [(homes[i], homes[(i + 1) % size]) for i in range(size)]
            if any(s not in nights for s in stays) or any(s in pool.banned for s in stays):
                continue
            if len({pool.graph.owner[h] for h in homes}) < size:
                continue
            common = set(range(pool.first_night, 40))
            for g, h in stays:
                common &= nights[(g, h)][0 if size == 2 else 1]
                for s, e in pool.busy.get(h, ()):
                    common -= set(range(s, e))
            if _longest(common) < MIN:
                continue
            edges = [pool.graph.out[g][h] for g, h in stays]
            found[homes] = sum(pool.bonus[h] for h in homes) + size * solver.quality_points(edges)
    return found


def _brute_best(cycles):
    best = (0, 0)
    items = list(cycles.items())
    # Disjoint cycles of two homes at least: no more of them than half the homes (beyond, every subset of a
    # dense instance would be walked for nothing: 2^91 of them, which once hung the suite).
    most = len({h for c in cycles for h in c}) // 2
    for k in range(1, min(len(items), most) + 1):
        for subset in itertools.combinations(items, k):
            homes = [h for c, _p in subset for h in c]
            if len(homes) == len(set(homes)):
                best = max(best, (len(homes), sum(p for _c, p in subset)))
    return best


@hsettings(max_examples=400, deadline=None)
@given(instance_st)
def test_the_clearing_optimum_equals_the_brute_force(spec):
    pool, nights = _build(spec)
    cands, capped = solver.candidates(pool)
    assert not capped
    brute = _brute_cycles(pool, nights)
    assert {c.homes: c.points for c in cands} == brute  # the same candidates, the same points
    solution = solver.solve(cands)
    assert (solution.households, solution.points) == _brute_best(brute)
    event(f"households chosen: {min(solution.households, 4)}+, candidates: {min(len(cands), 5)}+")
    assert (solution.greedy_households, solution.greedy_points) <= (solution.households, solution.points)
    assert solution.lp_households_bound >= solution.households - 1e-6
    assert 0 <= solution.gap < 1
    seen: set[int] = set()
    for cand in solution.chosen:  # disjoint, and each valid over its window
        assert seen.isdisjoint(cand.homes)
        seen.update(cand.homes)
        start, end = cand.window
        assert MIN <= end - start <= pool.max_nights
        assert start >= pool.first_night
        for i, g in enumerate(cand.homes):
            h = cand.homes[(i + 1) % len(cand.homes)]
            offered = nights[(g, h)][0 if len(cand.homes) == 2 else 1]
            assert set(range(start, end)) <= offered
            assert not any(s < end and start < e for s, e in pool.busy.get(h, ()))


def test_a_dense_component_hits_the_cap_and_says_so(monkeypatch):
    monkeypatch.setattr(solver, "MAX_CYCLES_PER_HOME", 5)
    graph = Graph()
    for g, h in itertools.permutations(range(8), 2):
        graph.owner[g] = g
        graph.add(Edge(g, h, ((0, 10),), ((0, 10),), 1, 10.0, 0))
    cands, capped = solver.candidates(solver.Pool(graph=graph, min_nights=3, max_length=3))
    assert capped
    assert sum(1 for c in cands if c.homes[0] == 0) == 5
    solution = solver.solve(cands)
    assert solution.households == 8  # still a perfect choice among what was kept
