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
own): this bench measures the clearing. They are found in numpy, one row per wish × host (as the matching's
SQL gives them), and merged into the solver's arrays (`solver.Arcs`), as a run merges the SQL's rows.
Peak memory is each phase's own (VmHWM, reset between phases): the clearing's is what a run needs once its
graph is loaded. Run: `.venv/bin/python -m bench.clearing [SIZES…]` (default
10000 100000).
"""

import contextlib
import gc
import itertools
import random
import resource
import sys
import time
from collections import defaultdict
from pathlib import Path

import numpy as np

from exchanges.clearing import solver

SEED = 2026
HOMES_PER_PLACE = 33  # the places grow with the pool: the density of wishes per place stays the same
REGIONS = 13
MIN_NIGHTS = 5
CHUNK = 4_000_000  # wishes × hosts compared at once


def season(rng: random.Random) -> int:
    """A first day: in the summer weeks two times out of three, else any time in the coming 200 days."""
    return rng.randint(150, 190) if rng.random() < 2 / 3 else rng.randint(7, 200)


def generate(size: int) -> tuple[solver.Pool, set[int]]:
    """The pool, seeded. The draws are made one household at a time (Python's random, as before); the edges
    of each wished place are found at once in numpy, CHUNK wishes × hosts at a time, as pieces (one row per
    wish × host, like the matching's SQL), then merged into the solver's Arcs: no Python object per edge."""
    rng = random.Random(SEED)
    places = max(1, size // HOMES_PER_PLACE)
    cum_weights = list(
        itertools.accumulate(1 / (rank + 1) ** 0.8 for rank in range(places))
    )  # a few big towns
    region_of_place = [rng.randrange(REGIONS) for _ in range(places)]
    place = rng.choices(range(places), cum_weights=cum_weights, k=size)
    sleeps = np.array([rng.choice([2, 3, 4, 4, 5, 6, 8]) for _ in range(size)], dtype=np.int32)
    p_start = np.zeros(size, dtype=np.int32)
    p_end = np.zeros(size, dtype=np.int32)
    p_open = np.zeros(size, dtype=bool)
    for home in range(size):
        start = season(rng)
        p_start[home], p_end[home], p_open[home] = start, start + rng.choice([7, 14, 21]), rng.random() < 0.5
    by_place: dict[int, list[int]] = defaultdict(list)
    for home, p in enumerate(place):
        by_place[p].append(home)
    wishes: dict[int, list[tuple[int, int, int]]] = defaultdict(list)  # place → (guest, first day, party)
    for guest in range(size):
        for _ in range(rng.choice([1, 1, 2])):
            target = rng.choices(range(places), cum_weights=cum_weights)[0]
            if region_of_place[target] == region_of_place[place[guest]]:
                continue
            wishes[target].append((guest, season(rng), rng.choice([2, 2, 3, 4])))
    out: dict[str, list[np.ndarray]] = defaultdict(list)
    wish_id = 0
    for target, rows in wishes.items():
        hosts = np.array(by_place[target], dtype=np.int32)
        if not len(hosts):
            wish_id += len(rows)
            continue
        w = np.array(rows, dtype=np.int32).reshape(-1, 3)
        step = max(1, CHUNK // len(hosts))
        for at in range(0, len(w), step):
            part = w[at : at + step]
            lo, hi = part[:, 1:2] - 3, part[:, 1:2] + 14 + 3  # 14 nights ± 3 days
            s = np.maximum(p_start[hosts][None, :], lo)
            e = np.minimum(p_end[hosts][None, :], hi)
            ok = (e - s >= MIN_NIGHTS) & (sleeps[hosts][None, :] >= part[:, 2:3])
            row, col = np.nonzero(ok)
            out["guest"].append(part[row, 0])
            out["host"].append(hosts[col])
            out["start"].append(s[row, col])
            out["end"].append(e[row, col])
            out["open"].append(p_open[hosts[col]])
            out["wish"].append((wish_id + at + row).astype(np.int32))
            out["spare"].append((sleeps[hosts[col]] - part[row, 2]).astype(np.int8))
        wish_id += len(rows)
    pieces = {k: np.concatenate(out.pop(k)) for k in list(out)}  # each list freed once joined
    arcs = solver.Arcs.from_pieces(
        owner=np.arange(size),  # one home per household here
        guest=pieces["guest"],
        host=pieces["host"],
        start=pieces["start"],
        end=pieces["end"],
        is_open=pieces["open"],
        wish=pieces["wish"],
        km2=np.full(len(pieces["guest"]), 300.0),
        spare=pieces["spare"],
    )
    del pieces
    never = {h for h in range(size) if rng.random() < 0.6}  # 60 % never swapped
    bonus = {h: solver.bonus(h in never, rng.choice([0, 0, 0, 1, 2])) for h in range(size)}
    pool = solver.Pool(arcs=arcs, bonus=bonus, min_nights=MIN_NIGHTS, max_nights=60, max_length=3)
    return pool, never


def reset_peak() -> None:
    """Linux: the process's peak resident memory (VmHWM) starts again from what is resident now."""
    with contextlib.suppress(OSError):
        Path("/proc/self/clear_refs").write_text("5")


def peak_mib() -> float:
    """The peak resident memory since the last reset_peak (VmHWM), or of the whole process elsewhere."""
    with contextlib.suppress(OSError):
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def measure(size: int) -> None:
    gc.collect()
    reset_peak()
    began = time.perf_counter()
    pool, never = generate(size)
    generated = time.perf_counter() - began
    generation_peak = peak_mib()
    gc.collect()
    reset_peak()
    t, cpu = time.perf_counter(), time.process_time()
    cands, capped = solver.candidates(pool)
    enumerated = time.perf_counter() - t
    solution = solver.solve(cands)
    cpu = time.process_time() - cpu
    clearing_peak = peak_mib()
    served = [h for c in solution.chosen for h in c.homes]
    never_share = sum(1 for h in served if h in never) / len(served) if served else 0.0
    gain = (solution.households - solution.greedy_households) / max(1, solution.greedy_households)
    print(
        f"{size:>7} homes | edges {pool.edge_count:>9} | candidates {solution.candidates:>8}"
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
        f" clearing total {enumerated + solution.seconds:.1f} (CPU {cpu:.1f})"
    )
    print(
        f"        peak memory: generation {generation_peak:.0f} MiB, clearing {clearing_peak:.0f} MiB"
        " (resident peak of each phase; the clearing's includes the generated pool it reads)"
    )


def main() -> None:
    sizes = [int(a) for a in sys.argv[1:]] or [10_000, 100_000]
    print(f"Swap clearing benchmark: seeded pools {sizes}, cycles of at most 3 homes, 2 cores (shared)")
    for size in sizes:
        measure(size)


if __name__ == "__main__":
    main()
