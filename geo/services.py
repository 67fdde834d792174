"""Loading the committed territory files (geo/data/) into PostGIS."""

from __future__ import annotations

import csv
import gzip
import hashlib
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from django.db import connection, transaction
from tqdm import tqdm

from geo.models import Commune, Departement, Region, TerritoryDataset

DATA_DIR = Path(__file__).resolve().parent / "data"
FILES = ("regions.csv.gz", "departements.csv.gz", "communes.csv.gz")

# What commune search compares: lower case, no accents, hyphens and apostrophes as spaces.
SEARCH_NAME_SQL = "regexp_replace(unaccent(lower({})), '[-''’]+', ' ', 'g')"

# Columns of each staging table, in file order, and how each target column is computed from them.
_TABLES: dict[str, tuple[str, list[str], dict[str, str]]] = {
    "regions.csv.gz": (
        Region._meta.db_table,
        ["code", "name", "chef_lieu", "population", "geom", "geom_simple"],
        {
            "code": "code",
            "name": "name",
            "chef_lieu": "chef_lieu",
            "population": "population::int",
            "geom": "{twkb}(geom)",
            "geom_simple": "{twkb}(geom_simple)",
        },
    ),
    "departements.csv.gz": (
        Departement._meta.db_table,
        ["code", "name", "region", "chef_lieu", "population", "geom", "geom_simple"],
        {
            "code": "code",
            "name": "name",
            "region_id": "region",
            "chef_lieu": "chef_lieu",
            "population": "population::int",
            "geom": "{twkb}(geom)",
            "geom_simple": "{twkb}(geom_simple)",
        },
    ),
    "communes.csv.gz": (
        Commune._meta.db_table,
        ["code", "name", "departement", "region", "population", "postal_codes", "lon", "lat", "geom"],
        {
            "code": "code",
            "name": "name",
            "departement_id": "departement",
            "region_id": "region",
            "population": "population::int",
            "postal_codes": "string_to_array(nullif(postal_codes, ''), ' ')::varchar(5)[]",
            "point": "ST_SetSRID(ST_MakePoint(lon::float8, lat::float8), 4326)",
            "geom": "{twkb}(geom)",
            "search_name": SEARCH_NAME_SQL.format("name"),
        },
    ),
}
_TWKB = "ST_Multi(ST_SetSRID(ST_GeomFromTWKB(decode({}, 'hex')), 4326))"


@dataclass(frozen=True)
class LoadResult:
    skipped: bool
    regions: int
    departements: int
    communes: int
    changed: int
    seconds: float


def data_checksum(data_dir: Path = DATA_DIR) -> str:
    digest = hashlib.sha256()
    for name in FILES:
        digest.update((data_dir / name).read_bytes())
    return digest.hexdigest()


def _rows(path: Path) -> Iterator[list[str]]:
    csv.field_size_limit(sys.maxsize)
    with gzip.open(path, "rt", encoding="utf-8", newline="") as handle:
        reader = csv.reader(handle)
        next(reader)
        yield from reader


def _upsert(cursor: object, name: str, data_dir: Path, progress: Callable[[int], object]) -> int:
    table, columns, targets = _TABLES[name]
    stage = f"stage_{table}"
    raw = cursor.cursor  # type: ignore[attr-defined]  # Django's wrapper around the psycopg cursor
    raw.execute(f"CREATE TEMP TABLE {stage} ({', '.join(f'{c} text' for c in columns)}) ON COMMIT DROP")
    with raw.copy(f"COPY {stage} ({', '.join(columns)}) FROM STDIN") as copy:
        for row in _rows(data_dir / name):
            copy.write_row(row)
            progress(1)
    expressions = [
        expr.replace("{twkb}(geom)", _TWKB.format("geom")).replace(
            "{twkb}(geom_simple)", _TWKB.format("geom_simple")
        )
        for expr in targets.values()
    ]
    target_columns = list(targets)
    updates = ", ".join(f"{c} = EXCLUDED.{c}" for c in target_columns if c != "code")
    changed_when = " OR ".join(
        f"{table}.{c} IS DISTINCT FROM EXCLUDED.{c}" for c in target_columns if c != "code"
    )
    raw.execute(
        f"INSERT INTO {table} ({', '.join(target_columns)}) "  # noqa: S608  (identifiers are constants)
        f"SELECT {', '.join(expressions)} FROM {stage} "
        f"ON CONFLICT (code) DO UPDATE SET {updates} WHERE {changed_when}"
    )
    return int(raw.rowcount)


def territories_load(
    *, force: bool = False, show_progress: bool = True, data_dir: Path = DATA_DIR
) -> LoadResult:
    """Load régions, départements and communes from geo/data/, in one transaction.

    Idempotent: when the files are the ones already loaded (same checksum) and the tables are full,
    nothing is written, unless `force`.
    """
    started = time.monotonic()
    checksum = data_checksum(data_dir)
    with transaction.atomic():
        previous = TerritoryDataset.objects.select_for_update().first()
        counts = (Region.objects.count(), Departement.objects.count(), Commune.objects.count())
        if (
            not force
            and previous is not None
            and previous.checksum == checksum
            and counts == (previous.regions, previous.departements, previous.communes)
        ):
            return LoadResult(True, *counts, changed=0, seconds=time.monotonic() - started)
        total = sum(1 for name in FILES for _ in _rows(data_dir / name))
        changed = 0
        with (
            tqdm(total=total, unit=" lignes", desc="Territoires", disable=not show_progress) as bar,
            connection.cursor() as cursor,
        ):
            for name in FILES:
                changed += _upsert(cursor, name, data_dir, bar.update)
        counts = (Region.objects.count(), Departement.objects.count(), Commune.objects.count())
        TerritoryDataset.objects.all().delete()
        TerritoryDataset.objects.create(
            checksum=checksum, regions=counts[0], departements=counts[1], communes=counts[2]
        )
    return LoadResult(False, *counts, changed=changed, seconds=time.monotonic() - started)
