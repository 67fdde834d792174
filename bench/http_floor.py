"""Benchmark: the floor of the serving path. What does an API call cost through HTTP, beside its own SQL?

In one run, for each ASGI server compared (the one `make run` uses, and the previous one as baseline):
- p50/p95 of a trivial call (`GET /api/v1/geo/regions`, cached list) and of `GET /api/v1/geo/locate`,
  sequential, on one keep-alive connection, like a browser tab;
- the raw SQL of the same point lookup on a direct connection, and the ratio HTTP / SQL;
- the PostgreSQL sessions opened during the run (`pg_stat_database.sessions`): a pool keeps it flat.

Each setup is started here by `scripts/serve.sh` (what `make run` uses) on a free loopback port with the
development settings: the previous path (daphne, a new database session per request), then one change at a
time, up to what ships. Run: `make bench` or `.venv/bin/python -m bench.http_floor [N]`
(territories must be loaded: `make data`).
"""

import http.client
import os
import random
import statistics
import sys
import time
from pathlib import Path
from typing import Any

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "marketplace.settings.dev")
django.setup()

from django.db import connection  # noqa: E402

from bench.common import free_port, serve  # noqa: E402
from geo.models import Commune  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
LOCATE_SQL = (
    "SELECT c.code FROM geo_commune c WHERE ST_Contains(c.geom, "
    "ST_SetSRID(ST_MakePoint(%s, %s), 4326)) LIMIT 1"
)


# (label, environment of scripts/serve.sh): the previous serving path, one change at a time, then as shipped.
SETUPS = [
    ("daphne, no pool (before)", {"SERVER": "daphne", "DB_POOL_SIZE": "0"}),
    ("daphne + pool", {"SERVER": "daphne"}),
    ("uvicorn + pool, Django's ASGI handler", {"SERVER": "uvicorn", "ASGI_HTTP_HANDLER": "django"}),
    ("uvicorn + pool + one-hop handler (shipped)", {"SERVER": "uvicorn"}),
]


def sessions() -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT sessions FROM pg_stat_database WHERE datname = current_database()")
        return int(cursor.fetchone()[0])


def timed_get(conn: http.client.HTTPConnection, path: str) -> float:
    started = time.perf_counter()
    conn.request("GET", path)
    response = conn.getresponse()
    response.read()
    elapsed = (time.perf_counter() - started) * 1000
    if response.status != 200:
        raise RuntimeError(f"{path}: {response.status}")
    return elapsed


def percentiles(timings: list[float]) -> tuple[float, float]:
    return statistics.median(timings), statistics.quantiles(timings, n=20)[18]


def points(n: int) -> list[tuple[float, float]]:
    rng = random.Random(7)
    anchors = list(
        Commune.objects.exclude(departement__code__startswith="97").values_list("point", flat=True)
    )
    return [(p.x, p.y) for p in rng.sample(anchors, n)]


def raw_sql(sample: list[tuple[float, float]]) -> list[float]:
    timings = []
    with connection.cursor() as cursor:
        for lon, lat in sample:
            started = time.perf_counter()
            cursor.execute(LOCATE_SQL, [lon, lat])
            cursor.fetchall()
            timings.append((time.perf_counter() - started) * 1000)
    return timings


def measure(setup: dict[str, str], sample: list[tuple[float, float]], n: int) -> dict[str, Any]:
    port = free_port()
    proc = serve(port, setup, timeout=30)
    try:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        for _ in range(30):  # warm-up: imports, caches, pool
            timed_get(conn, "/api/v1/geo/regions")
        before = sessions()
        trivial = [timed_get(conn, "/api/v1/geo/regions") for _ in range(n)]
        locate = [timed_get(conn, f"/api/v1/geo/locate?lon={lon}&lat={lat}") for lon, lat in sample]
        opened = sessions() - before
    finally:
        proc.terminate()
        proc.wait(timeout=15)
    return {"trivial": percentiles(trivial), "locate": percentiles(locate), "sessions": opened}


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 500
    if not Commune.objects.exists():
        sys.exit("No territories loaded: run `make data` first.")
    sample = points(n)
    raw_sql(sample[:30])
    sql_p50, sql_p95 = percentiles(raw_sql(sample))
    print(f"HTTP floor: {n} sequential requests each on one keep-alive connection, 2 cores, dev settings")
    print(f"{'raw SQL of locate (direct connection)':<46} p50={sql_p50:6.2f} ms  p95={sql_p95:6.2f} ms")
    results = {}
    for label, setup in SETUPS:
        results[label] = r = measure(setup, sample, n)
        (t50, t95), (l50, l95) = r["trivial"], r["locate"]
        print(
            f"{label:<44} trivial p50={t50:6.2f} ms p95={t95:6.2f} ms | locate p50={l50:6.2f} ms p95={l95:6.2f} ms"
            f" = {l50 / sql_p50:5.1f}x SQL | PostgreSQL sessions opened: {r['sessions']}"
        )
    before, shipped = results[SETUPS[0][0]], results[SETUPS[-1][0]]
    print(
        f"shipped vs before (p50): trivial {before['trivial'][0] / shipped['trivial'][0]:.1f}x faster, "
        f"locate {before['locate'][0] / shipped['locate'][0]:.1f}x faster"
    )


if __name__ == "__main__":
    main()
