"""Benchmark: facilities (local offers) at national scale.

Sections, each a function of the run's `Bench` (the database URL, the size), run in order by `main`; a section
is one more entry in SECTIONS (the bulk import's timing comes as another section, beside its baselines).

- seed: `size` published facilities in real communes drawn in proportion to population, with weekly hours
  (COPY into `reciproque_bench`, triggers off, then VACUUM ANALYZE); timed;
- nearest: the 10 nearest facilities of 200 seeded points within 50 km (`near` + `radius`, the API's own SQL
  captured from Django: the FilterSet's KNN order on the `facility_search` GiST index), p50/p95 in the
  database, beside the same SQL with index scans off (the naive plan) and their ratio; then the same search
  through HTTP (uvicorn as `make run` serves it, one keep-alive connection), p50/p95, beside the same server
  reading the session from the database on every request (the previous session store), requests in turn;
- tiles: vector tiles at z8 and z13 around the same points through HTTP, cold, p50/p95;
- bulk_import: a GeoPackage of `size` facilities in Lambert-93 (local_offers/samples/make_sample.py: real
  town halls of metropolitan France) imported end to end by the services a correspondent's wizard calls
  (upload and checks, preview, the worker's run in one transaction) three times, each first import into the
  table as the previous one found it (its rows deleted and vacuumed, not timed), then again (nothing
  changes); beside, in the same run, Django `bulk_create` of the same rows three times (communes already
  known: the write alone, committed as the import's run is, so both pay the deferred foreign-key checks): the
  ratio is of the two medians, with the range of every trial against every other printed beside it; the
  straightforward Django path (geopandas read, `territory_for_point` and a `Facility` per row, `bulk_create`),
  measured on its first 5,000 rows and projected, and `GeoDataFrame.to_postgis` of the same rows (a plain
  table: no check, no commune, no duplicate).

Targets (issue 13): nearest ≤ 5 ms in the database and ≤ 15 ms through the API (p95); the import of 100,000
rows ≤ 15 s end to end and ≥ 10× Django `bulk_create` of the same rows.
Run: `.venv/bin/python -m bench.facilities [SIZE]` (default 100000).
"""

from __future__ import annotations

import datetime as dt
import http.client
import random
import statistics
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import psycopg

from bench.common import free_port, serve, stop
from bench.search import BENCH_DB, base_url, conninfo, django, get, p50_p95, prepare, session_cookie, tile_of

SEED = 2027
POINTS = 200
CATEGORIES = [
    "museum",
    "heritage",
    "library",
    "cinema",
    "performance",
    "pool",
    "sports",
    "leisure_park",
    "zoo",
    "holiday_centre",
    "campsite",
    "other",
]


@dataclass
class Bench:
    url: str
    size: int
    points: list[tuple[float, float]] = field(default_factory=list)
    cookie: str = ""


def seed(bench: Bench) -> None:
    """Replace the bench facilities by `size` published ones, weekly hours included (COPY)."""
    rng = random.Random(SEED)
    organisation = (
        django(
            bench.url,
            "from marketplace.organisations.models import Organisation\n"
            "from marketplace.organisations.validators import siren_complete\n"
            "o = Organisation.objects.filter(siren=siren_complete('99900001')).first()\n"
            "o = o or Organisation.objects.create(name='Bench', kind='commune', siren=siren_complete('99900001'),"
            " seat_commune_id='38185', status='validated')\n"
            "print(o.pk)",
        )
        .strip()
        .splitlines()[-1]
    )
    started = time.perf_counter()
    with psycopg.connect(conninfo(bench.url + BENCH_DB)) as conn:
        conn.execute("SET session_replication_role = replica")
        conn.execute("TRUNCATE local_offers_facility CASCADE")
        communes = conn.execute(
            "SELECT code, departement_id, region_id, population, ST_X(point), ST_Y(point) FROM geo_commune "
            "WHERE population > 0"
        ).fetchall()
        picks = rng.choices(communes, weights=[c[3] for c in communes], k=bench.size)
        now = dt.datetime.now(dt.UTC).isoformat()
        with conn.cursor().copy(
            "COPY local_offers_facility (id, organisation_id, category, name, description, address, location,"
            " commune_id, departement_id, region_id, access_motor, access_visual, access_hearing, access_mental,"
            " accessibility_note, website, phone, email, external_id, status, published_at, created_at,"
            " updated_at) FROM STDIN"
        ) as copy:
            for i, (code, dep, reg, _pop, lon, lat) in enumerate(picks, start=1):
                x, y = lon + rng.uniform(-0.01, 0.01), lat + rng.uniform(-0.007, 0.007)
                copy.write_row(
                    (
                        i,
                        organisation,
                        rng.choice(CATEGORIES),
                        f"Équipement {i}",
                        "",
                        "",
                        f"SRID=4326;POINT({x} {y})",
                        code,
                        dep,
                        reg,
                        rng.random() < 0.6,
                        rng.random() < 0.3,
                        rng.random() < 0.3,
                        rng.random() < 0.3,
                        "",
                        "",
                        "",
                        "",
                        f"B{i}",
                        "published",
                        now,
                        now,
                        now,
                    )
                )
        with conn.cursor().copy(
            "COPY local_offers_facilityopeninghours (facility_id, weekday, minutes) FROM STDIN"
        ) as copy:
            for i in range(1, bench.size + 1):
                for day in range(2, 8):
                    copy.write_row((i, day, "[600,1080)"))
        conn.execute(
            "SELECT setval(pg_get_serial_sequence('local_offers_facility', 'id'), %s)", [bench.size + 1]
        )
        conn.commit()
    with psycopg.connect(conninfo(bench.url + BENCH_DB), autocommit=True) as conn:
        for table in ("local_offers_facility", "local_offers_facilityopeninghours"):
            conn.execute(f"VACUUM ANALYZE {table}")
    bench.points = _points(bench)
    seconds = time.perf_counter() - started
    print(f"\n{bench.size:,} facilities seeded in {seconds:.0f} s (COPY with their hours)".replace(",", " "))


def _points(bench: Bench) -> list[tuple[float, float]]:
    """The search centres: POINTS seeded facilities drawn with a fixed seed (the same after each seed)."""
    with psycopg.connect(conninfo(bench.url + BENCH_DB), autocommit=True) as conn:
        conn.execute("SELECT setseed(0.42)")
        return [
            (float(x), float(y))
            for x, y in conn.execute(
                "SELECT ST_X(location), ST_Y(location) FROM local_offers_facility WHERE id <= %s "
                "ORDER BY random() LIMIT %s",
                [bench.size, POINTS],
            ).fetchall()
        ]


def _queries(bench: Bench) -> list[str]:
    if not bench.points:  # `nearest` or `tiles` without `seed` in the same run: the seeded facilities
        bench.points = _points(bench)
    return [f"near={lon:.5f},{lat:.5f}&radius=50000&limit=10" for lon, lat in bench.points]


def nearest(bench: Bench) -> None:
    """The 10 nearest within 50 km: the API's SQL in the database (indexed, then naive), then through HTTP."""
    code = f"""
import statistics, time
from django.db import connection, transaction
from django.http import QueryDict
from django.test.utils import CaptureQueriesContext
from local_offers.filters import FacilitySearchFilter
from local_offers.selectors import facilities_searchable
from marketplace import lists
sqls = []
for q in {_queries(bench)!r}:
    with CaptureQueriesContext(connection) as captured:
        page = lists.paginate(QueryDict(q), FacilitySearchFilter, facilities_searchable(), max_limit=500)
    sqls.append(captured.captured_queries[-1]["sql"])
def run(n):
    timings = []
    with connection.cursor() as c:
        for sql in sqls[:n]:
            started = time.perf_counter()
            c.execute(sql)
            c.fetchall()
            timings.append((time.perf_counter() - started) * 1000)
    return timings
run(20)
indexed = run(len(sqls))
with transaction.atomic():
    with connection.cursor() as c:
        c.execute("SET LOCAL enable_indexscan = off; SET LOCAL enable_bitmapscan = off")
    naive = run(20)
p95 = statistics.quantiles(indexed, n=20)[18]
print(f"10 nearest in the database (API SQL, {{len(indexed)}} points)  p50={{statistics.median(indexed):7.2f}} ms"
      f"  p95={{p95:7.2f}} ms | naive (no index scans, 20 points) p50={{statistics.median(naive):7.1f}} ms"
      f" | ratio {{statistics.median(naive) / statistics.median(indexed):5.0f}}x  (target p95 <= 5 ms)")
"""
    print(django(bench.url, code).strip().splitlines()[-1])
    # Beside it in the same run, request by request in turn (the same noise for both): the same server with the
    # session read from the database on every request (the previous session store).
    with (
        _server(bench) as conn,
        _server(bench, SESSION_ENGINE="django.contrib.sessions.backends.db") as before,
    ):
        for q in _queries(bench)[:20]:
            get(conn, f"/api/v1/facilities?{q}", bench.cookie)
            get(before, f"/api/v1/facilities?{q}", bench.cookie)
        timings, baseline = [], []
        for q in _queries(bench):
            for connection, out in ((conn, timings), (before, baseline)):
                ms, status, _ = get(connection, f"/api/v1/facilities?{q}", bench.cookie)
                if status != 200:
                    raise RuntimeError(f"{q}: {status}")
                out.append(ms)
        print(
            f"10 nearest through the API (HTTP, {len(timings)} points)  {p50_p95(timings)}  (target p95 <= 15 ms)"
            f" | session from the database on each request {p50_p95(baseline)}"
        )


def tiles(bench: Bench) -> None:
    """Vector tiles at z8 (grouped) and z13 (grouped, street level) around the points, cold."""
    with _server(bench) as conn:
        for z in (8, 13):
            wanted = sorted({tile_of(lon, lat, z) for lon, lat in bench.points})[:100]
            cold = [get(conn, f"/api/v1/tiles/facilities/{z}/{x}/{y}.mvt", bench.cookie) for x, y in wanted]
            if any(status != 200 for _ms, status, _size in cold):
                raise RuntimeError(f"a tile at z{z} failed")
            size_kb = statistics.median([c[2] for c in cold]) / 1024
            print(
                f"tiles z{z:<2} ({len(wanted):>3} tiles, median {size_kb:5.1f} KB)  cold {p50_p95([c[0] for c in cold])}"
            )


class _server:
    """uvicorn as `make run` serves it (DEBUG off, as in production), on the bench database; one keep-alive
    connection."""

    def __init__(self, bench: Bench, **env: str) -> None:
        self.bench = bench
        self.env = env

    def __enter__(self) -> http.client.HTTPConnection:
        port = free_port()
        self.proc = serve(
            port,
            {
                "DATABASE_URL": self.bench.url + BENCH_DB,
                "SERVER": "uvicorn",
                "LOG_LEVEL": "WARNING",
                # As production serves (and bench.messaging): no debug cursor recording every query.
                "DEBUG": "false",
                **self.env,
            },
        )
        return http.client.HTTPConnection("127.0.0.1", port, timeout=60)

    def __exit__(self, *exc: object) -> None:
        stop(self.proc)


def bulk_import(bench: Bench) -> None:
    """The bulk import end to end, beside bulk_create, the per-row Django path and to_postgis (same rows)."""
    print(
        django(bench.url, f"from bench.facilities import import_in_django; import_in_django({bench.size})"),
        end="",
    )


NAIVE_ROWS = 5000
# First imports and bulk_create runs timed in a run of the section: their medians are compared.
TRIALS = 3


def _each(seconds: list[float]) -> str:
    return " / ".join(f"{s:.1f}" for s in seconds) + " s"


def _n(value: int) -> str:
    return f"{value:,}".replace(",", "\u202f")


def import_in_django(size: int) -> None:
    """Runs inside the project (manage.py shell on the bench database): see `bulk_import`."""
    import tempfile
    from pathlib import Path

    import geopandas as gpd
    from django.conf import settings
    from django.contrib.gis.geos import Point
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.db import connection, transaction
    from sqlalchemy import create_engine

    from geo.selectors import territory_for_point
    from local_offers.imports import services
    from local_offers.models import Facility
    from local_offers.samples.make_sample import frame
    from marketplace.accounts.models import User
    from marketplace.organisations.models import Organisation, StaffRole
    from marketplace.organisations.validators import siren_complete

    organisation = Organisation.objects.filter(siren=siren_complete("99900002")).first() or (
        Organisation.objects.create(
            name="Bench import",
            kind="commune",
            siren=siren_complete("99900002"),
            seat_commune_id="38185",
            status="validated",
        )
    )
    user, _ = User.objects.get_or_create(
        email="importer@bench.invalid", defaults={"display_name": "Importer"}
    )
    if not StaffRole.objects.active_correspondents().filter(user=user, organisation=organisation).exists():
        StaffRole.objects.create(user=user, organisation=organisation, role="correspondent", status="active")
    Facility.objects.filter(organisation=organisation).delete()
    # The previous run's rows, just deleted, are dead tuples still in the heap and the unique index: every
    # insert would check their visibility (twice the write's time). Autovacuum clears them in production
    # within a minute; here the measured runs start from a vacuumed table (not timed).
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE local_offers_facility")

    folder = Path(tempfile.mkdtemp(prefix="bench-import-"))
    path = folder / "equipements_lambert93.gpkg"
    data = frame(size)
    data.to_file(path, layer="equipements", driver="GPKG", engine="pyogrio")
    content = path.read_bytes()
    print(
        f"\nbulk import: {_n(len(data))} rows, GeoPackage in EPSG:{data.crs.to_epsg()}, "
        f"{len(content) / 1e6:.1f} MB"
    )

    def import_once() -> tuple[float, float, float, Any]:
        started = time.perf_counter()
        record = services.facility_import_upload(
            actor=user, organisation_id=organisation.pk, upload=SimpleUploadedFile(path.name, content)
        )
        uploaded = time.perf_counter()
        record = services.facility_import_preview(actor=user, facility_import=record)
        previewed = time.perf_counter()
        record = services.facility_import_confirm(actor=user, facility_import=record, publish=True)
        record = services.facility_import_run(import_id=record.pk)
        done = time.perf_counter()
        return uploaded - started, previewed - uploaded, done - previewed, record

    # TRIALS first imports, each into the table as the previous one found it (its rows deleted and vacuumed,
    # not timed), and TRIALS bulk_create below: the ratio is of the medians (on this shared machine one run's
    # time moves by a tenth or more, either way, in the same minutes).
    trials = []
    for trial in range(TRIALS):
        if trial:
            _forget(organisation)
        trials.append(import_once())
    trials_s = [sum(t[:3]) for t in trials]
    upload_s, preview_s, run_s, record = sorted(trials, key=lambda t: sum(t[:3]))[TRIALS // 2]
    total = statistics.median(trials_s)
    print(
        f"  import (ours)      upload+checks {upload_s:5.1f} s | preview {preview_s:5.1f} s | run (worker, one "
        f"transaction) {run_s:5.1f} s | end to end {total:5.1f} s, median of {_each(trials_s)}  (target <= 15 s) "
        f"created={record.created_count} rejected={record.rejected_count}"
    )
    again = import_once()
    print(
        f"  same file again    end to end {sum(again[:3]):5.1f} s  created={again[3].created_count} "
        f"updated={again[3].updated_count} unchanged={again[3].unchanged_count}"
    )

    rows = list(
        Facility.objects.filter(organisation=organisation).values(
            "category",
            "name",
            "address",
            "website",
            "phone",
            "email",
            "external_id",
            "access_motor",
            "location",
            "commune_id",
            "departement_id",
            "region_id",
        )
    )
    # The baselines write into the table as our first import found it: those rows gone and vacuumed (deleted
    # inside their own transaction, every insert would check the deleted duplicates of its unique key).
    _forget(organisation)
    # Committed, as our import's run is: the foreign keys are deferred, so a transaction rolled back (as this
    # baseline used to be) never checks them, and the import pays them at its COMMIT. Its rows go afterwards
    # (not timed), and the table is vacuumed again for the next baseline.
    bulk_trials_s = []
    for _trial in range(TRIALS):
        started = time.perf_counter()
        with transaction.atomic():
            Facility.objects.bulk_create(
                [Facility(organisation=organisation, status="published", **row) for row in rows],
                batch_size=2000,
            )
        bulk_trials_s.append(time.perf_counter() - started)
        _forget(organisation)
    bulk_s = statistics.median(bulk_trials_s)
    print(
        f"  bulk_create        {bulk_s:5.1f} s, median of {_each(bulk_trials_s)}, for the same {_n(len(rows))} "
        f"rows, communes given (the write and its COMMIT) | ours end to end is {bulk_s / total:4.1f}x faster "
        f"(medians; each trial's ours against each bulk_create: {min(bulk_trials_s) / max(trials_s):.1f}x to "
        f"{max(bulk_trials_s) / min(trials_s):.1f}x)  (target >= 10x)"
    )

    started = time.perf_counter()
    everything = gpd.read_file(path, engine="pyogrio").to_crs(4326)
    read_s = time.perf_counter() - started
    naive = everything.head(NAIVE_ROWS)
    started = time.perf_counter()
    with transaction.atomic():
        objects = []
        for row in naive.itertuples():
            point = Point(row.geometry.x, row.geometry.y, srid=4326)
            territory = territory_for_point(point)
            objects.append(
                Facility(
                    organisation=organisation,
                    status="published",
                    category="museum",
                    name=row.libelle,
                    address=row.adresse,
                    external_id=row.identifiant,
                    location=point,
                    commune=territory.commune,
                    departement=territory.departement,
                    region=territory.region,
                )
            )
        Facility.objects.bulk_create(objects, batch_size=2000)
    naive_s = read_s + (time.perf_counter() - started) * size / NAIVE_ROWS
    _forget(organisation)
    print(
        f"  Django per row     {naive_s:5.1f} s projected for {_n(size)} rows (read {read_s:.1f} s, then "
        f"territory_for_point, Facility(), bulk_create and COMMIT timed on {_n(NAIVE_ROWS)} rows and scaled) "
        f"| ours is {naive_s / total:4.1f}x faster"
    )

    db = settings.DATABASES["default"]
    engine = create_engine(
        f"postgresql+psycopg://{db['USER']}:{db['PASSWORD']}@{db['HOST']}:{db['PORT']}/{db['NAME']}"
    )
    started = time.perf_counter()
    table = gpd.read_file(path, engine="pyogrio").to_crs(4326)
    table.to_postgis("bench_to_postgis", engine, if_exists="replace", chunksize=10_000)
    postgis_s = time.perf_counter() - started
    with engine.begin() as conn:
        conn.exec_driver_sql("DROP TABLE bench_to_postgis")
    print(
        f"  to_postgis         {postgis_s:5.1f} s for the same rows (read, reproject, plain table: no check, commune "
        f"or duplicate) | ours takes {total / postgis_s:4.1f}x its time"
    )


def _forget(organisation: Any) -> None:
    """A baseline's committed rows deleted, the table vacuumed (not timed)."""
    from django.db import connection

    from local_offers.models import Facility

    Facility.objects.filter(organisation=organisation).delete()
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE local_offers_facility")


# The sections of a run, in order.
SECTIONS: list[Callable[[Bench], None]] = [seed, nearest, tiles, bulk_import]


def main() -> None:
    size = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
    only = sys.argv[2].split(",") if len(sys.argv) > 2 else None  # e.g. `seed,bulk_import`
    url = base_url()
    print(f"Facilities benchmark on {BENCH_DB}: {size} facilities, 2 cores; uvicorn as make run serves it")
    prepare(url)
    bench = Bench(url=url, size=size)
    bench.cookie = session_cookie(url)
    for section in SECTIONS:
        if only is None or section.__name__ in only:
            section(bench)


if __name__ == "__main__":
    main()
