"""Benchmark: the monthly swap clearing (exchanges.clearing.solver) on seeded pools of opted-in homes.

For each size, in one run and on the same candidates: households swapped by the exact clearing (HiGHS per
connected component), by the greedy baseline (pairs first, then cycles by points) and the LP relaxation's
bound; the gain over greedy and the gap to the bound; runtime of each step and the process's peak memory;
the share of "never swapped" agents among the households served.

The pool is generated in memory, seeded, with the shape of bench/search.py's homes: homes drawn in one place
for 33 homes (weighted like town populations, a few large), 13 régions, each free one to three weeks in the
coming 200 days, most in the summer weeks (days 150 to 200) (open or reciprocal-only periods), sleeping 2 to 8; each household wishes to go to one or
two places of other régions within a window of 14 nights ± 3 days, for 2 to 4 people. The can-host edges
are built from that definition here, not through the SQL of exchanges.matching.graph (benchmarked on its
own): this bench measures the clearing. Run: `.venv/bin/python -m bench.clearing [SIZES…]` (default
10000 100000).
"""

import random
import resource
import sys
import time
from collections import defaultdict

from exchanges.clearing import solver
from exchanges.matching.engine import Edge, Graph, normalise

SEED = 2026
HOMES_PER_PLACE = 33  # the places grow with the pool: the density of wishes per place stays the same
REGIONS = 13
MIN_NIGHTS = 5


def season(rng: random.Random) -> int:
    """A first day: in the summer weeks two times out of three, else any time in the coming 200 days."""
    return rng.randint(150, 190) if rng.random() < 2 / 3 else rng.randint(7, 200)


def generate(size: int) -> tuple[solver.Pool, set[int]]:
    rng = random.Random(SEED)
    places = max(1, size // HOMES_PER_PLACE)
    weights = [1 / (rank + 1) ** 0.8 for rank in range(places)]  # a few big towns, many small ones
    region_of_place = [rng.randrange(REGIONS) for _ in range(places)]
    place = rng.choices(range(places), weights=weights, k=size)
    sleeps = [rng.choice([2, 3, 4, 4, 5, 6, 8]) for _ in range(size)]
    periods = []
    for _ in range(size):
        start = season(rng)
        periods.append((start, start + rng.choice([7, 14, 21]), rng.random() < 0.5))
    by_place: dict[int, list[int]] = defaultdict(list)
    for home, p in enumerate(place):
        by_place[p].append(home)
    graph = Graph()
    owners = size  # one home per household here
    for home in range(size):
        graph.owner[home] = home
    for guest in range(size):
        for _ in range(rng.choice([1, 1, 2])):
            target = rng.choices(range(places), weights=weights)[0]
            if region_of_place[target] == region_of_place[place[guest]]:
                continue
            w_start = season(rng)
            lo, hi = w_start - 3, w_start + 14 + 3
            party = rng.choice([2, 2, 3, 4])
            for host in by_place[target]:
                if sleeps[host] < party:
                    continue
                s, e, is_open = periods[host]
                s, e = max(s, lo), min(e, hi)
                if e - s < MIN_NIGHTS:
                    continue
                spare = sleeps[host] - party
                old = graph.out.get(guest, {}).get(host)
                window = normalise([(s, e), *(old.any if old else ())])
                open_ = normalise([(s, e)] if is_open else []) if old is None else old.open
                graph.add(Edge(guest, host, window, open_, 1, 300.0, spare))
    never = {h for h in range(owners) if rng.random() < 0.6}  # 60 % never swapped
    bonus = {h: solver.bonus(h in never, rng.choice([0, 0, 0, 1, 2])) for h in range(size)}
    pool = solver.Pool(graph=graph, bonus=bonus, min_nights=MIN_NIGHTS, max_nights=60, max_length=3)
    return pool, never


def peak_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def measure(size: int) -> None:
    began = time.perf_counter()
    pool, never = generate(size)
    generated = time.perf_counter() - began
    t = time.perf_counter()
    cands, capped = solver.candidates(pool)
    enumerated = time.perf_counter() - t
    solution = solver.solve(cands)
    served = [h for c in solution.chosen for h in c.homes]
    never_share = sum(1 for h in served if h in never) / len(served) if served else 0.0
    gain = (solution.households - solution.greedy_households) / max(1, solution.greedy_households)
    print(
        f"{size:>7} homes | edges {pool.graph.edge_count:>9} | candidates {solution.candidates:>8}"
        f" (capped: {'yes' if capped else 'no'}) | components {solution.components:>6}"
        f" (largest {solution.largest_component} homes)"
    )
    print(
        f"        households: clearing {solution.households} | greedy {solution.greedy_households}"
        f" | LP bound {solution.lp_households_bound:.1f} | gap to bound {100 * solution.gap:.3f} %"
        f" | gain over greedy {100 * gain:+.2f} % | served {100 * solution.households / size:.1f} % of the pool"
    )
    print(
        f"        never swapped among the served: {100 * never_share:.1f} % (60 % of the pool)"
        f" | seconds: generate {generated:.1f}, enumerate {enumerated:.1f}, solve {solution.seconds:.1f},"
        f" clearing total {enumerated + solution.seconds:.1f} | peak memory {peak_mib():.0f} MiB"
    )


def main() -> None:
    sizes = [int(a) for a in sys.argv[1:]] or [10_000, 100_000]
    print(f"Swap clearing benchmark: seeded pools {sizes}, cycles of at most 3 homes, 2 cores (shared)")
    for size in sizes:
        measure(size)


if __name__ == "__main__":
    main()
