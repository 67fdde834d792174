"""Benchmark: territory_for_point on random points of metropolitan France, national data (34,871 communes).

Side by side in the same run:
- indexed: the selector as shipped (GiST index on commune boundaries, ST_Contains);
- naive: the same SQL with index scans disabled, so PostgreSQL tests every commune polygon.

Run: `make bench` or `.venv/bin/python -m bench.geo_locate [N]` (territories must be loaded: `make data`).
"""

import contextlib
import os
import random
import statistics
import sys
import time

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "marketplace.settings.dev")
django.setup()

from django.contrib.gis.geos import Point  # noqa: E402
from django.db import connection, transaction  # noqa: E402

from geo.exceptions import PointOutsideFrance  # noqa: E402
from geo.models import Commune  # noqa: E402
from geo.selectors import territory_for_point  # noqa: E402


def points(n: int, seed: int = 42) -> list[Point]:
    """Random town-hall points jittered by up to ~2 km: inside France, spread like the population is not."""
    rng = random.Random(seed)
    anchors = list(
        Commune.objects.exclude(departement__code__startswith="97").values_list("point", flat=True)
    )
    chosen = rng.sample(anchors, n)
    return [Point(p.x + rng.uniform(-0.02, 0.02), p.y + rng.uniform(-0.02, 0.02), srid=4326) for p in chosen]


def run(sample: list[Point]) -> list[float]:
    timings = []
    for point in sample:
        started = time.perf_counter()
        with contextlib.suppress(PointOutsideFrance):  # jittered points may fall at sea
            territory_for_point(point)
        timings.append((time.perf_counter() - started) * 1000)
    return timings


def report(label: str, timings: list[float]) -> float:
    p50 = statistics.median(timings)
    p95 = statistics.quantiles(timings, n=20)[18]
    total = sum(timings)
    print(
        f"{label:<28} n={len(timings):>5}  p50={p50:8.2f} ms  p95={p95:8.2f} ms  total={total / 1000:7.2f} s"
        f"  ({len(timings) / (total / 1000):8.0f} lookups/s)"
    )
    return p50


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 500
    communes = Commune.objects.count()
    if communes == 0:
        sys.exit("No territories loaded: run `make data` first.")
    print(f"territory_for_point on {communes} communes, {n} random points (seeded), PostgreSQL + PostGIS")
    sample = points(n)
    run(sample[:20])
    indexed = report("indexed (GiST, as shipped)", run(sample))
    naive_n = max(20, n // 10)
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_indexscan = off; SET LOCAL enable_bitmapscan = off")
        naive = report("naive (no spatial index)", run(sample[:naive_n]))
    print(f"ratio naive / indexed (p50): {naive / indexed:.0f}x")


if __name__ == "__main__":
    main()
