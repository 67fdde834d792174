"""Benchmark: the home search and its vector tiles at national scale (100k and 1M homes).

For each size, in one run:
- generation: seeded homes in real communes drawn in proportion to population (COPY), each free for one to
  three weeks in the coming months, 5 % with a wish (a 20 km circle); timed;
- search through HTTP (uvicorn as `make run` serves it, one keep-alive connection): viewport + dates + party
  size, 50 results in the default order (nearest the viewport's centre first), p50/p95; and newest first;
- vector tiles at z5, z8, z11, z14 through HTTP: cold (first request of each tile) and warm (the same tiles
  again), p50/p95;
- the same tiles at z5, z8, z11 for filtered maps, cold: dates ± 3 days and party size (grouped on the fly);
  the same with a kind and an amenity; party size and kind alone (the faceted cells);
- the web process's peak memory (VmHWM);
- the naive baseline in the same run (100k only): the same search through Django with index scans off,
  beside the indexed one, and their ratio.

It uses its own database (`reciproque_bench` on the same server), migrated and loaded with the territories,
never the development data. Run: `.venv/bin/python -m bench.search [SIZES…]` (default 100000 1000000).
"""

import datetime as dt
import hashlib
import hmac
import http.client
import math
import os
import random
import statistics
import subprocess
import sys
import time
from pathlib import Path

import psycopg

from bench.common import ROOT, free_port, serve

BENCH_DB = "reciproque_bench"
SEED = 2026


def base_url() -> str:
    env = dict(os.environ)
    env.setdefault("DJANGO_SETTINGS_MODULE", "marketplace.settings.dev")
    out = subprocess.run(
        [
            sys.executable,
            "-c",
            "from marketplace.settings.base import DATABASES as D; d=D['default'];"
            "print(f\"postgis://{d['USER']}:{d['PASSWORD']}@{d['HOST']}:{d['PORT']}/\")",
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    return out.stdout.strip()


def conninfo(url: str) -> str:
    return url.replace("postgis://", "postgresql://")


def prepare(url: str) -> None:
    """The bench database, migrated, with the territories (idempotent)."""
    with psycopg.connect(conninfo(url + "postgres"), autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [BENCH_DB]).fetchone():
            conn.execute(f"CREATE DATABASE {BENCH_DB}")
        with psycopg.connect(conninfo(url + BENCH_DB), autocommit=True) as bench:
            # The bench homes are replaced by each run anyway: no migration has to rewrite a million of them.
            if bench.execute("SELECT to_regclass('exchanges_home')").fetchone()[0]:
                bench.execute(
                    "TRUNCATE exchanges_home, exchanges_availabilityperiod, exchanges_destinationwish CASCADE"
                )
    env = {**os.environ, "DATABASE_URL": url + BENCH_DB, "DJANGO_SETTINGS_MODULE": "marketplace.settings.dev"}
    for command in (["migrate", "--no-input", "-v", "0"], ["load_territories"]):
        subprocess.run([sys.executable, "manage.py", *command], cwd=ROOT, env=env, check=True)


def public_point(secret: bytes, home_id: int, lon: float, lat: float) -> tuple[float, float]:
    """The same offset as exchanges.services.home_public_point (300–800 m, direction from an HMAC)."""
    digest = hmac.new(secret, str(home_id).encode(), hashlib.sha256).digest()
    bearing = int.from_bytes(digest[:8], "big") / 2**64 * 2 * math.pi
    distance = 300 + int.from_bytes(digest[8:16], "big") / 2**64 * 500
    return (
        lon + distance * math.sin(bearing) / (111_320 * math.cos(math.radians(lat))),
        lat + distance * math.cos(bearing) / 111_320,
    )


def generate(url: str, size: int) -> float:
    """Replace the bench homes by `size` new ones; returns the seconds it took."""
    rng = random.Random(SEED)
    started = time.perf_counter()
    with psycopg.connect(conninfo(url + BENCH_DB)) as conn:
        # A bulk load: triggers off (the availability of each home is written with it, the cluster grid is
        # recounted once at the end by the service that does it after any bulk load).
        conn.execute("SET session_replication_role = replica")
        conn.execute(
            "TRUNCATE exchanges_home, exchanges_availabilityperiod, exchanges_destinationwish, exchanges_homecell, "
            "exchanges_homefacetcell, exchanges_homefreerun CASCADE"
        )
        communes = conn.execute(
            "SELECT code, departement_id, region_id, population, ST_X(point), ST_Y(point) FROM geo_commune "
            "WHERE population > 0"
        ).fetchall()
        owners = max(1, size // 4)
        conn.execute("DELETE FROM accounts_user WHERE email LIKE 'bench-%%'")
        with conn.cursor().copy(
            "COPY accounts_user (email, password, display_name, is_superuser, is_staff, "
            "is_active, date_joined, avatar, phone, preferred_language) FROM STDIN"
        ) as copy:
            now = dt.datetime.now(dt.UTC).isoformat()
            for i in range(owners):
                copy.write_row(
                    (f"bench-{i}@bench.invalid", "!", f"Agent {i}", False, False, True, now, "", "", "fr")
                )
        first_owner = conn.execute(
            "SELECT min(id) FROM accounts_user WHERE email LIKE 'bench-%%'"
        ).fetchone()[0]
        weights = [c[3] for c in communes]
        picks = rng.choices(communes, weights=weights, k=size)
        first_id = (conn.execute("SELECT coalesce(max(id), 0) FROM exchanges_home").fetchone()[0] or 0) + 1
        secret = b"bench-secret"
        today = dt.date.today()
        periods = []
        for _ in range(size):
            start = today + dt.timedelta(days=rng.randint(7, 200))
            periods.append((start, start + dt.timedelta(days=rng.choice([7, 14, 21]))))
        kinds = ["flat", "house", "other"]
        amenities = ["wifi", "garden", "balcony", "parking", "washing_machine", "lift", "child_equipment"]
        with conn.cursor().copy(
            "COPY exchanges_home (id, owner_id, title, description, kind, sleeps, bedrooms, amenities, "
            "accessibility, pets_allowed, smoking_allowed, address, point, public_point, commune_id, "
            "departement_id, region_id, status, paused_for_eligibility, created_at, updated_at, availability) "
            "FROM STDIN"
        ) as copy:
            now = dt.datetime.now(dt.UTC)
            for i, (code, dep, reg, _pop, x, y) in enumerate(picks):
                home_id = first_id + i
                lon, lat = x + rng.uniform(-0.004, 0.004), y + rng.uniform(-0.003, 0.003)
                plon, plat = public_point(secret, home_id, lon, lat)
                created = (now - dt.timedelta(minutes=size - i)).isoformat()
                copy.write_row(
                    (
                        home_id,
                        first_owner + i % owners,
                        f"Logement {home_id}",
                        "",
                        rng.choice(kinds),
                        rng.choice([2, 3, 4, 4, 5, 6, 8]),
                        2,
                        "{" + ",".join(rng.sample(amenities, 2)) + "}",
                        "{}",
                        False,
                        False,
                        "adresse",
                        f"SRID=4326;POINT({lon} {lat})",
                        f"SRID=4326;POINT({plon} {plat})",
                        code,
                        dep,
                        reg,
                        "published",
                        False,
                        created,
                        created,
                        f"{{[{periods[i][0]},{periods[i][1]})}}",
                    )
                )
        with conn.cursor().copy(
            "COPY exchanges_availabilityperiod (home_id, period, mode) FROM STDIN"
        ) as copy:
            for i, (start, end) in enumerate(periods):
                copy.write_row((first_id + i, f"[{start},{end})", rng.choice(["reciprocal", "open"])))
        with conn.cursor().copy(
            "COPY exchanges_destinationwish (home_id, regions, departements, communes, center, radius_m, target, "
            "target_km2, dates, flexibility_days, adults, children, created_at) FROM STDIN"
        ) as copy:
            for i in range(0, size, 20):
                _code, _dep, _reg, _pop, x, y = rng.choices(communes, weights=weights)[0]
                start = today + dt.timedelta(days=rng.randint(7, 200))
                ring = ",".join(
                    f"{x + 0.25 * math.cos(a / 16 * math.pi)} {y + 0.18 * math.sin(a / 16 * math.pi)}"
                    for a in range(33)
                )
                copy.write_row(
                    (
                        first_id + i,
                        "{}",
                        "{}",
                        "{}",
                        f"SRID=4326;POINT({x} {y})",
                        20000,
                        f"SRID=4326;MULTIPOLYGON((({ring})))",
                        round(math.pi * 20**2),  # the trigger that measures it is off during the load
                        f"[{start},{start + dt.timedelta(days=14)})",
                        3,
                        2,
                        0,
                        dt.datetime.now(dt.UTC).isoformat(),
                    )
                )
        conn.execute("SELECT setval(pg_get_serial_sequence('exchanges_home', 'id'), %s)", [first_id + size])
        conn.commit()
    django(url, "from exchanges.services import home_cells_rebuild; home_cells_rebuild()")
    with psycopg.connect(conninfo(url + BENCH_DB), autocommit=True) as conn:
        for table in ("exchanges_home", "exchanges_availabilityperiod", "exchanges_destinationwish"):
            conn.execute(f"VACUUM ANALYZE {table}")
        for table in ("exchanges_homecell", "exchanges_homefacetcell", "exchanges_homefreerun"):
            conn.execute(f"VACUUM ANALYZE {table}")
        # Once more, now that no ANALYZE (ours or autovacuum's, after the load) holds an older snapshot: the
        # first pass can leave the pages just written not all-visible (seen: relallvisible 0 of 19 308 pages of
        # the free runs), and an index-only scan then reads every row again. Autovacuum does the same in service.
        for table in ("exchanges_home", "exchanges_homefacetcell", "exchanges_homefreerun"):
            conn.execute(f"VACUUM {table}")
            pages, visible = conn.execute(
                "SELECT relpages, relallvisible FROM pg_class WHERE relname = %s", [table]
            ).fetchone()
            print(f"  {table}: {visible} of {pages} pages all-visible")
    return time.perf_counter() - started


def django(url: str, code: str) -> str:
    """Runs `code` in the project (manage.py shell) on the bench database; returns what it printed."""
    env = {**os.environ, "DATABASE_URL": url + BENCH_DB, "DJANGO_SETTINGS_MODULE": "marketplace.settings.dev"}
    out = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", code],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    return out.stdout


def session_cookie(url: str) -> str:
    """A signed-in session for a bench user who owns no home (searches see every home)."""
    code = (
        "from marketplace.core.sessions import SessionStore\n"
        "from marketplace.accounts.models import User\n"
        "u, _ = User.objects.get_or_create(email='searcher@bench.invalid', defaults={'display_name': 'Bench'})\n"
        "s = SessionStore(); s['_auth_user_id'] = str(u.pk)\n"
        "s['_auth_user_backend'] = 'django.contrib.auth.backends.ModelBackend'\n"
        "s['_auth_user_hash'] = u.get_session_auth_hash(); s.create(); print(s.session_key)\n"
    )
    return django(url, code).strip().splitlines()[-1]


def get(conn: http.client.HTTPConnection, path: str, cookie: str) -> tuple[float, int, int]:
    started = time.perf_counter()
    conn.request("GET", path, headers={"Cookie": f"sessionid={cookie}"})
    response = conn.getresponse()
    body = response.read()
    return (time.perf_counter() - started) * 1000, response.status, len(body)


def p50_p95(values: list[float]) -> str:
    return f"p50={statistics.median(values):7.1f} ms  p95={statistics.quantiles(values, n=20)[18]:7.1f} ms"


def tile_of(lon: float, lat: float, z: int) -> tuple[int, int]:
    x = int((lon + 180) / 360 * 2**z)
    y = int((1 - math.asinh(math.tan(math.radians(lat))) / math.pi) / 2 * 2**z)
    return x, y


def places(url: str, n: int) -> list[tuple[float, float]]:
    """Where people look: around homes (so, like them, in proportion to population), seeded."""
    with psycopg.connect(conninfo(url + BENCH_DB)) as conn:
        conn.execute("SELECT setseed(0.42)")
        rows = conn.execute(
            "SELECT ST_X(public_point), ST_Y(public_point) FROM exchanges_home ORDER BY random() LIMIT %s",
            [n],
        ).fetchall()
    return [(float(x), float(y)) for x, y in rows]


def searches(points: list[tuple[float, float]]) -> list[str]:
    rng = random.Random(7)
    today = dt.date.today()
    queries = []
    for lon, lat in points:
        start = today + dt.timedelta(days=rng.randint(10, 180))
        end = start + dt.timedelta(days=7)
        queries.append(
            f"/api/v1/homes/search?bbox={lon - 0.4:.4f},{lat - 0.3:.4f},{lon + 0.4:.4f},{lat + 0.3:.4f}"
            f"&start={start}&end={end}&flexibility=3&guests={rng.randint(2, 4)}&limit=50"
        )
    return queries


def peak_memory_mb(proc: subprocess.Popen[bytes]) -> float:
    """VmHWM of the server process and its children (uvicorn's worker), the largest."""
    peaks = []
    pids = [str(proc.pid)]
    children = Path(f"/proc/{proc.pid}/task/{proc.pid}/children")
    if children.exists():
        pids += children.read_text().split()
    for pid in pids:
        status = Path(f"/proc/{pid}/status")
        if status.exists():
            for line in status.read_text().splitlines():
                if line.startswith("VmHWM:"):
                    peaks.append(int(line.split()[1]) / 1024)
    return max(peaks, default=0.0)


def naive_ratio(url: str, queries: list[str]) -> None:
    """The search's own SQL (as the API runs it: same FilterSet, same order, 50 rows, captured from Django),
    with its indexes, then with index scans off (the naive plan: every home read and tested)."""
    code = f"""
import statistics, time
from django.db import connection, transaction
from django.http import QueryDict
from django.test.utils import CaptureQueriesContext
from exchanges.filters import HomeSearchFilter
from exchanges.selectors import homes_searchable
from marketplace import lists
from marketplace.accounts.models import User
me = User.objects.get(email="searcher@bench.invalid")
queries = {[q.split("?", 1)[1] for q in queries]!r}
sqls = []
for q in queries:
    with CaptureQueriesContext(connection) as captured:
        lists.paginate(QueryDict(q), HomeSearchFilter, homes_searchable(me), max_limit=500)
    sqls.append(captured.captured_queries[-1]["sql"])
def run(n):
    timings = []
    with connection.cursor() as c:
        for sql in sqls[:n]:
            started = time.perf_counter()
            c.execute(sql)
            c.fetchall()
            timings.append((time.perf_counter() - started) * 1000)
    return statistics.median(timings)
run(10)
indexed = run(len(sqls))
with transaction.atomic():
    with connection.cursor() as c:
        c.execute("SET LOCAL enable_indexscan = off; SET LOCAL enable_bitmapscan = off")
    naive = run(max(5, len(sqls) // 10))
print(f"search SQL, indexed p50={{indexed:7.1f}} ms | naive (no index scans) p50={{naive:7.1f}} ms | ratio {{naive / indexed:5.0f}}x")
"""
    print(django(url, code).strip().splitlines()[-1])


def measure(url: str, size: int, n: int) -> None:
    seconds = generate(url, size)
    print(f"\n{size:,} homes generated in {seconds:.0f} s (COPY)".replace(",", " "))
    cookie = session_cookie(url)
    port = free_port()
    proc = serve(port, {"DATABASE_URL": url + BENCH_DB, "SERVER": "uvicorn", "LOG_LEVEL": "WARNING"})
    try:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        points = places(url, n)
        queries = searches(points)
        for q in queries[:10]:
            get(conn, q, cookie)
        timings = []
        for q in queries:
            ms, status, _ = get(conn, q, cookie)
            if status != 200:
                raise RuntimeError(f"{q}: {status}")
            timings.append(ms)
        print(f"search (viewport + dates + party, 50 results, nearest first)  {p50_p95(timings)}")
        newest = [get(conn, q + "&sort=-created_at", cookie)[0] for q in queries[: max(10, n // 4)]]
        print(f"the same, newest first (sort=-created_at)  {p50_p95(newest)}")
        for z in (5, 8, 11, 14):
            tiles = sorted({tile_of(lon, lat, z) for lon, lat in points})[: max(10, n // 4)]
            cold = [get(conn, f"/api/v1/tiles/homes/{z}/{x}/{y}.mvt", cookie) for x, y in tiles]
            warm = [get(conn, f"/api/v1/tiles/homes/{z}/{x}/{y}.mvt", cookie) for x, y in tiles]
            size_kb = statistics.median([c[2] for c in cold]) / 1024
            print(
                f"tiles z{z:<2} ({len(tiles):>3} tiles, median {size_kb:6.1f} KB)  cold {p50_p95([c[0] for c in cold])}"
                f"  | warm {p50_p95([w[0] for w in warm])}"
            )
        # The same tiles for filtered maps, as the map page asks them: dates ± 3 days and party size (grouped on
        # the fly: the dates index at low zoom, the search index above); the same with a kind and an amenity;
        # party size and kind alone (the faceted cells up to z8).
        dated = "&".join(
            p for p in queries[0].split("?", 1)[1].split("&") if not p.startswith(("bbox=", "limit="))
        )
        for filters in (dated, dated + "&kind=house&amenities=wifi", "guests=4&kind=house"):
            for z in (5, 8, 11):
                tiles = sorted({tile_of(lon, lat, z) for lon, lat in points})[:10]
                cold = [get(conn, f"/api/v1/tiles/homes/{z}/{x}/{y}.mvt?{filters}", cookie) for x, y in tiles]
                if any(c[1] != 200 for c in cold):
                    raise RuntimeError(f"tiles z{z} {filters}: {[c[1] for c in cold]}")
                print(
                    f"tiles z{z:<2} filtered ({len(tiles):>3} tiles: {filters})  cold {p50_p95([c[0] for c in cold])}"
                )
        print(f"web process peak memory: {peak_memory_mb(proc):.0f} MB")
    finally:
        proc.terminate()
        proc.wait(timeout=20)
    if size <= 100_000:
        naive_ratio(url, queries)


def main() -> None:
    sizes = [int(a) for a in sys.argv[1:]] or [100_000, 1_000_000]
    url = base_url()
    print(f"Home search benchmark on {BENCH_DB}: sizes {sizes}, 2 cores; uvicorn as make run serves it")
    prepare(url)
    for size in sizes:
        measure(url, size, n=200)


if __name__ == "__main__":
    main()
