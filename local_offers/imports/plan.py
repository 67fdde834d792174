"""The import's set-based core, in the caller's transaction: prepared rows are COPYed (text format) into a scratch
table, from which the import's staging table is made by ONE CREATE TABLE … AS that computes each row's search
name and its commune (a spatial join on the indexed commune polygons, `geo.selectors.communes_found_sql`);
the staged rows are matched against each other and against the employer's facilities (same external id, or
same name within 50 m), classified (create, update, unchanged) and, for a run, written with one INSERT … SELECT
and one UPDATE … FROM.

The staging table belongs to one import (`stage_table`, unlogged: it is scratch data, rebuilt from the file if
lost). The preview builds it and keeps it; the run reuses it (only the match against the employer's facilities,
which may have changed since, is done again), writes and drops it. A run that finds no staging table (cleaned
up, or lost in a crash) builds it again from the file.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from django.db import IntegrityError, connection
from django.utils import timezone
from django.utils.translation import gettext as _
from psycopg import sql

from geo.models import Commune
from geo.selectors import communes_found_sql, communes_locate_coast
from geo.services import SEARCH_NAME_SQL
from local_offers.imports.models import FacilityImport, ImportStatus
from local_offers.imports.reading import Table
from local_offers.imports.rows import BOOLEAN_FIELDS, Prepared, Rejection, prepare
from local_offers.models import Facility, FacilityStatus
from marketplace.accounts.models import User
from marketplace.organisations.models import Organisation

STAGE_PREFIX = "facility_import_stage_"
RAW_PREFIX = "facility_import_raw_"
POINTS_PREFIX = "facility_import_points_"
# A previewed import not confirmed within this delay loses its staging table (its run would build it again).
STAGE_KEPT = dt.timedelta(days=2)
DUPLICATE_DISTANCE_M = 50
TEXT_COLUMNS = ("name", "category", "description", "address", "website", "phone", "email", "external_id")
STAGE_COLUMNS = ("row", *TEXT_COLUMNS, *BOOLEAN_FIELDS, "location")
SAMPLE = 20
# The staged rows that become new facilities (no rewrite of 100,000 rows to mark them: a predicate).
TO_CREATE = "s.facility_id IS NULL AND s.commune IS NOT NULL AND s.merged_into IS NULL"
PREVIEW_REJECTIONS = 1000
STAGE_STATISTICS = 10


@dataclass
class Plan:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    rejections: list[Rejection] = field(default_factory=list)
    merged: list[tuple[int, int]] = field(default_factory=list)
    samples: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    # Carried over from the preview by a run that reuses its staged rows: the lists above are then the
    # preview's first PREVIEW_REJECTIONS, these the whole counts.
    rejected_total: int | None = None
    merged_total: int | None = None

    @property
    def rejected(self) -> int:
        return len(self.rejections) if self.rejected_total is None else self.rejected_total

    @property
    def merged_count(self) -> int:
        return len(self.merged) if self.merged_total is None else self.merged_total

    def preview(self) -> dict[str, Any]:
        return {
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "rejected": self.rejected,
            "merged": self.merged_count,
            "rejections": [r.as_dict() for r in self.rejections[:PREVIEW_REJECTIONS]],
            "merges": [{"row": a, "into": b} for a, b in self.merged[:PREVIEW_REJECTIONS]],
            "samples": self.samples,
        }


def stage_table(import_id: int) -> str:
    return f"{STAGE_PREFIX}{int(import_id)}"


def stage_exists(table: str) -> bool:
    with connection.cursor() as cursor:
        cursor.execute("SELECT to_regclass(%s) IS NOT NULL", [table])
        return bool(cursor.fetchone()[0])


def drop_stage(table: str) -> None:
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE IF EXISTS {table}")


def drop_stale_stages() -> int:
    """Drops the staging tables no run will use: of imports done, failed or gone, and of previews older than
    STAGE_KEPT. Returns how many."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT tablename FROM pg_tables WHERE schemaname = current_schema() AND tablename LIKE %s",
            [STAGE_PREFIX.replace("_", r"\_") + "%"],
        )
        tables = {int(name.removeprefix(STAGE_PREFIX)): name for (name,) in cursor.fetchall()}
    if not tables:
        return 0
    kept = set(
        FacilityImport.objects.filter(
            pk__in=tables, status__in=(ImportStatus.PREVIEWED, ImportStatus.RUNNING)
        )
        .exclude(status=ImportStatus.PREVIEWED, created_at__lt=timezone.now() - STAGE_KEPT)
        .values_list("pk", flat=True)
    )
    stale = [name for pk, name in tables.items() if pk not in kept]
    for name in stale:
        drop_stage(name)
    return len(stale)


_BOOLEANS = {True: "t", False: "f", None: r"\N"}


def _escaped(values: list[str]) -> list[str]:
    """Text cells for COPY's text format: backslash, tab and line breaks escaped (looked for once in the whole
    column, so a clean column, the common case, is sent as it is)."""
    try:
        joined = "".join(values)
    except TypeError:  # a None among them: an empty text, as the CSV path wrote it
        values = ["" if v is None else v for v in values]
        joined = "".join(values)
    if not any(special in joined for special in ("\\", "\t", "\n", "\r")):
        return values
    return [
        v.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r") for v in values
    ]


# Rows per piece of the COPY: the server parses a piece while the next one is built.
COPY_ROWS = 10_000


def _copy_text(prepared: Prepared, start: int = 0, stop: int | None = None) -> str:
    """The rows `start:stop` in COPY's text format, built column by column (about twice as fast as
    csv.writer): a text column not mapped is empty text, a boolean not mapped is NULL. (Their points went to
    the database before: `_PointsStaged`.)"""
    columns = {name: values[start:stop] for name, values in prepared.columns.items()}
    n = len(columns["row"])
    cells: list[list[str]] = [list(map(str, columns["row"]))]
    for name in TEXT_COLUMNS:
        values = columns.get(name)
        cells.append(_escaped(values) if values is not None else [""] * n)
    for name in BOOLEAN_FIELDS:
        flags = columns.get(name)
        cells.append([_BOOLEANS[v] for v in flags] if flags is not None else [r"\N"] * n)
    if not n:
        return ""
    return "\n".join(map("\t".join, zip(*cells, strict=True))) + "\n"


# The planner's settings that make it weigh parallel workers against the few rows it expects.
_PARALLEL = ("parallel_setup_cost", "parallel_tuple_cost", "min_parallel_table_scan_size")


class _PointsStaged:
    """An import's points staged, and their communes found, by the database in a thread of its own while the
    caller reads the attributes and normalises the text columns (Python): on the transaction's connection, a
    COPY of the points into a scratch table, its SP-GiST index, then the parallel walk of the communes
    (`communes_found_sql`) into a table of its own. The caller uses the connection again only once `wait` (or
    `join`) has returned."""

    def __init__(self, table: str) -> None:
        self.points = POINTS_PREFIX + table.removeprefix(STAGE_PREFIX)
        self.located = f"{self.points}_communes"
        self.thread: threading.Thread | None = None
        self.error: BaseException | None = None
        self.sent = threading.Event()

    def start(self, rows: Any, lon: Any, lat: Any) -> None:
        """`prepare`'s `on_points`: the rows' numbers and points (SRID 4326), numpy arrays. Returns once the
        thread has sent the long statements (the index and the walk): from then on it waits on the server
        without Python's lock, so the caller's own work (reading a file's attributes holds that lock for a
        third of a second) never holds it up between two statements."""
        data = _binary_points(rows, lon, lat)
        connection.ensure_connection()
        self.thread = threading.Thread(
            target=self._run, args=(connection.connection, data), name="facility-import-points", daemon=True
        )
        self.thread.start()
        self.sent.wait()

    def _run(self, raw: Any, data: bytes) -> None:
        try:
            with raw.cursor() as cursor:
                cursor.execute(
                    f"DROP TABLE IF EXISTS {self.points}, {self.located}; "
                    f"CREATE UNLOGGED TABLE {self.points} (row integer, lon double precision, "
                    # The point made by the database from the numbers (no WKT text to format per row).
                    "lat double precision, location geometry(Point, 4326) "
                    "GENERATED ALWAYS AS (ST_SetSRID(ST_MakePoint(lon, lat), 4326)) STORED)"
                )
                with cursor.copy(f"COPY {self.points} (row, lon, lat) FROM STDIN (FORMAT BINARY)") as copy:
                    copy.write(data)
                before = _parallel_on(cursor)
                found = communes_found_sql(self.points, point="location", key="row")
                self.sent.set()
                # In one round trip (several statements, no parameter): the points indexed, as locating walks
                # the communes and finds their points, so each commune's polygon is prepared once for all its
                # points rather than parsed again for each (no ANALYZE: the index build counts the rows, and
                # the plan is the same without the column's statistics); the walk, in parallel; the
                # planner's settings back. SP-GiST (a quadtree) rather than GiST for these points: its
                # build takes longer, but each of the ~35,000 communes' lookups is faster, and the walk is
                # most of this work (100,000 points across France, in one process: build 0.21 s against
                # 0.13, walk 0.51 s against 0.73).
                cursor.execute(
                    f"CREATE INDEX ON {self.points} USING spgist (location); "
                    f"CREATE UNLOGGED TABLE {self.located} AS {found}; "
                    f"{_parallel_back(before)}"
                )
        except BaseException as error:  # handed to the caller by `wait`
            self.error = error
        finally:
            self.sent.set()

    def join(self) -> None:
        if self.thread is not None:
            self.thread.join()
            self.thread = None

    def wait(self) -> None:
        """Returns once the communes are found; raises what the database raised."""
        self.join()
        if self.error is not None:
            error, self.error = self.error, None
            raise error


# COPY's binary format (PostgreSQL's documentation, "Binary Format"): a signature, flags and header extension,
# then per row its field count and each field's length and value, big-endian; -1 as the count ends the data.
_BINARY_HEADER = b"PGCOPY\n\xff\r\n\x00" + b"\x00\x00\x00\x00" + b"\x00\x00\x00\x00"
_BINARY_TRAILER = b"\xff\xff"
_POINT_ROW = np.dtype(
    [
        ("fields", ">i2"),
        ("row_size", ">i4"),
        ("row", ">i4"),
        ("lon_size", ">i4"),
        ("lon", ">f8"),
        ("lat_size", ">i4"),
        ("lat", ">f8"),
    ]
)


def _binary_points(rows: Any, lon: Any, lat: Any) -> bytes:
    """The points' rows (integer, double, double) in COPY's binary format, laid out by numpy in one go: no text
    to format in Python nor to parse in the server."""
    out = np.empty(len(rows), dtype=_POINT_ROW)
    out["fields"] = 3
    out["row_size"], out["lon_size"], out["lat_size"] = 4, 8, 8
    out["row"], out["lon"], out["lat"] = rows, lon, lat
    return _BINARY_HEADER + out.tobytes() + _BINARY_TRAILER


@contextmanager
def _in_parallel(cursor: Any) -> Iterator[None]:
    """The statements run within may use parallel workers: a `CREATE TABLE … AS` may (an INSERT … SELECT
    never does). The planner cannot tell how many communes the file's extent covers (a parameter: it guesses a
    handful), so the workers' start-up and tuple costs and the table size worth them are set to nothing
    meanwhile; the server's own limit on workers still holds."""
    before = _parallel_on(cursor)
    yield
    cursor.execute(_parallel_back(before))


def _parallel_on(cursor: Any) -> list[str]:
    """`_in_parallel`'s settings made (for the rest of the transaction); returns those they replace."""
    cursor.execute(
        "SELECT "
        + ", ".join(f"current_setting('{name}'), set_config('{name}', '0', true)" for name in _PARALLEL)
    )
    return [str(value) for value in cursor.fetchone()[::2]]


def _parallel_back(before: list[str]) -> str:
    """The statement that sets back what `_parallel_on` replaced (the values as literals: it may go with other
    statements in one round trip, where no parameter can)."""
    values = (sql.Literal(value).as_string() for value in before)
    return "SELECT " + ", ".join(
        f"set_config('{name}', {value}, true)" for name, value in zip(_PARALLEL, values, strict=True)
    )


def stage(prepared: Prepared, table: str, points: _PointsStaged) -> None:
    """The import's staging table, built again from its points, already staged with their communes
    (`points`), and its text columns: these COPYed into a scratch table, then the staging table made by ONE
    `CREATE TABLE … AS` joining them and computing the search names (no second version of any row)."""
    copied = ", ".join(STAGE_COLUMNS[:-1])
    # The file's text columns as normalised: unlogged like the stage (a temporary table would spill past
    # temp_buffers), dropped once staged.
    loaded = RAW_PREFIX + table.removeprefix(STAGE_PREFIX)
    with connection.cursor() as cursor:
        raw = cursor.cursor  # psycopg's own cursor, for COPY
        raw.execute(f"DROP TABLE IF EXISTS {table}, {loaded}")
        raw.execute(
            f"CREATE UNLOGGED TABLE {loaded} ("
            "row integer, name text, category text, description text, address text, website text, phone text, "
            "email text, external_id text, access_motor boolean, access_visual boolean, access_hearing boolean, "
            "access_mental boolean)"
        )
        with raw.copy(f"COPY {loaded} ({copied}) FROM STDIN") as copy:
            for start in range(0, prepared.count, COPY_ROWS):
                copy.write(_copy_text(prepared, start, start + COPY_ROWS))
        with _in_parallel(raw):
            raw.execute(
                # Room on each page: the matching's updates then stay on the page (HOT, no index entry to add).
                f"CREATE UNLOGGED TABLE {table} WITH (fillfactor = 60) AS SELECT "  # noqa: S608
                f"{', '.join(f'r.{c}' for c in STAGE_COLUMNS[:-1])}, p.location, "
                f"{SEARCH_NAME_SQL.format('r.name')} AS name_key, f.code AS commune, NULL::bigint AS facility_id, "
                "NULL::integer AS merged_into, NULL::text AS action "
                f"FROM {loaded} r JOIN {points.points} p ON p.row = r.row "
                f"LEFT JOIN {points.located} f ON f.row = r.row"
            )
        raw.execute(f"ALTER TABLE {table} ADD PRIMARY KEY (row)")
        raw.execute(f"DROP TABLE {loaded}, {points.points}, {points.located}")
    # Just off the simplified coastline: the nearest commune within the tolerance (the few rows in none).
    communes_locate_coast(table, point="location", commune="commune")
    with connection.cursor() as cursor:
        # Statistics of the filled table: without them the planner pairs every row with every other. A sample
        # of 3,000 rows (statistics target 10) tells the joins' sizes and how distinct the keys are as well as
        # the default 30,000 for these hash joins, in a sixth of the time. `merged_into` (NULL on nearly every
        # row, as the match leaves it) for the rows `write` inserts (TO_CREATE): without it the planner
        # expects a two-hundredth of them and joins their communes one index lookup at a time.
        stats = ("row", "name_key", "external_id", "commune", "facility_id", "merged_into")
        cursor.execute(
            f"ALTER TABLE {table} "
            + ", ".join(f"ALTER COLUMN {c} SET STATISTICS {STAGE_STATISTICS}" for c in stats)
        )
        cursor.execute(f"ANALYZE {table} ({', '.join(stats)})")


def outside(table: str) -> list[Rejection]:
    """The staged rows in no commune (abroad, at sea): rejected."""
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT row FROM {table} WHERE commune IS NULL ORDER BY row")  # noqa: S608
        rows = [r for (r,) in cursor.fetchall()]
    message = _("Ce point n'est dans aucune commune française (hors de France ou en mer).")
    return [Rejection(r, "point_outside_france", message) for r in rows]


_DWITHIN = f"ST_DWithin(%s::geography, %s::geography, {DUPLICATE_DISTANCE_M})"
_LIVE = "commune IS NOT NULL AND merged_into IS NULL"


def match_file(table: str) -> list[tuple[int, int]]:
    """Duplicates within the file: same name within 50 m (the earlier row merges into the later one)."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"WITH pairs AS (SELECT a.row AS a, max(b.row) AS b FROM {table} a JOIN {table} b "  # noqa: S608
            "ON b.name_key = a.name_key AND b.row > a.row "
            f"AND {_DWITHIN % ('a.location', 'b.location')} "
            "AND (a.external_id = '' OR b.external_id = '' OR a.external_id = b.external_id) "
            "WHERE a.commune IS NOT NULL AND b.commune IS NOT NULL GROUP BY a.row) "
            f"UPDATE {table} s SET merged_into = pairs.b FROM pairs WHERE s.row = pairs.a "
            "RETURNING s.row, pairs.b"
        )
        merged = sorted((int(a), int(b)) for a, b in cursor.fetchall())
        # A merged row gives its identifier to the row it merges into when that one has none.
        cursor.execute(
            f"UPDATE {table} b SET external_id = a.external_id FROM {table} a "  # noqa: S608
            "WHERE a.merged_into = b.row AND b.external_id = '' AND a.external_id <> ''"
        )
    return merged


def match_existing(table: str, organisation_id: int, *, matched_before: bool = True) -> bool:
    """The staged rows that are one of the employer's facilities (same external id; else same name within
    50 m, ids not contradicting), judged against what the employer has now (again by the run). False when
    the employer has no facility (its first import): then no row is one, and none has an action.
    `matched_before`: whether some staged rows may hold an earlier match (not so for rows just staged)."""
    fac = Facility._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT EXISTS (SELECT 1 FROM {fac} WHERE organisation_id = %s)", [organisation_id])  # noqa: S608
        if not cursor.fetchone()[0]:
            if matched_before:  # a preview's matches undone when the employer's facilities are gone since
                cursor.execute(
                    f"UPDATE {table} SET facility_id = NULL, action = NULL "  # noqa: S608
                    "WHERE facility_id IS NOT NULL OR action IS NOT NULL"
                )
            return False
        # Every row's match by external id in one pass, rewriting only the rows whose match changed (a run
        # after its preview rewrites none when nothing changed in between); a row unmatched has no action.
        cursor.execute(
            f"UPDATE {table} s SET facility_id = f.id, action = NULL FROM {table} t "  # noqa: S608
            f"LEFT JOIN {fac} f ON f.organisation_id = %(org)s AND t.external_id <> '' "
            # The unique key's own expression (`facility_external_id_once_per_org`): a few rows matched
            # against a large employer's facilities by index lookups.
            f"AND NULLIF(f.external_id, '') = t.external_id AND t.{_LIVE.replace(' AND ', ' AND t.')} "
            "WHERE t.row = s.row AND s.facility_id IS DISTINCT FROM f.id",
            {"org": organisation_id},
        )
        cursor.execute(
            f"WITH m AS (SELECT DISTINCT ON (f.id) f.id, s.row FROM {table} s JOIN {fac} f "  # noqa: S608
            f"ON f.organisation_id = %(org)s AND {SEARCH_NAME_SQL.format('f.name')} = s.name_key "
            f"AND {_DWITHIN % ('f.location', 's.location')} "
            "AND (f.external_id = '' OR s.external_id = '' OR f.external_id = s.external_id) "
            f"WHERE s.facility_id IS NULL AND s.{_LIVE.replace(' AND ', ' AND s.')} "
            f"AND NOT EXISTS (SELECT 1 FROM {table} t WHERE t.facility_id = f.id) "
            "ORDER BY f.id, s.row) "
            f"UPDATE {table} s SET facility_id = m.id FROM m WHERE s.row = m.row",
            {"org": organisation_id},
        )
    return True


def _differs(mapped: list[str]) -> str:
    columns = [c for c in mapped if c in TEXT_COLUMNS or c in BOOLEAN_FIELDS]
    left = ", ".join([f"f.{c}" for c in columns] + ["ST_AsBinary(f.location)", "f.commune_id"])
    right = ", ".join([f"s.{c}" for c in columns] + ["ST_AsBinary(s.location)", "s.commune"])
    return f"({left}) IS DISTINCT FROM ({right})"


def classify(table: str, mapped: list[str], matched: bool = True) -> dict[str, int]:
    """How many staged rows each action takes: `create`, `update`, `same` (unchanged). `matched`: whether
    `match_existing` found the employer has facilities (else no row has one to compare with)."""
    fac = Facility._meta.db_table
    with connection.cursor() as cursor:
        if matched:
            cursor.execute(
                f"UPDATE {table} s SET action = c.action FROM (SELECT s.row, "  # noqa: S608
                f"CASE WHEN {_differs(mapped)} THEN 'update' ELSE 'same' END AS action "
                f"FROM {table} s JOIN {fac} f ON f.id = s.facility_id) c "
                "WHERE c.row = s.row AND s.action IS DISTINCT FROM c.action"
            )
        cursor.execute(
            "SELECT count(*) FILTER (WHERE s.action = 'update'), count(*) FILTER (WHERE s.action = 'same'), "  # noqa: S608
            f"count(*) FILTER (WHERE {TO_CREATE}) FROM {table} s"
        )
        update, same, create = cursor.fetchone()
        return {"update": int(update), "same": int(same), "create": int(create)}


def samples(table: str, counts: dict[str, int]) -> dict[str, list[dict[str, Any]]]:
    """The first SAMPLE rows to create and to update (none looked for when `counts` says there are none)."""
    out: dict[str, list[dict[str, Any]]] = {}
    with connection.cursor() as cursor:
        for action, where in (("create", TO_CREATE), ("update", "s.action = 'update'")):
            if not counts.get(action):
                out[action] = []
                continue
            cursor.execute(
                f"SELECT s.row, s.name, s.category, c.name FROM {table} s "  # noqa: S608
                f"JOIN {Commune._meta.db_table} c ON c.code = s.commune "
                f"WHERE {where} ORDER BY s.row LIMIT %s",
                [SAMPLE],
            )
            out[action] = [
                {"row": r, "name": n, "category": cat, "commune": commune}
                for r, n, cat, commune in cursor.fetchall()
            ]
    return out


def prepare_and_build(
    read: Table,
    mapping: dict[str, str],
    crs: int | None,
    organisation_id: int,
    table: str,
    progress: Callable[[int], None] | None = None,
) -> tuple[Prepared, Plan]:
    """The file's rows prepared (`rows.prepare`) and staged, matched and classified (inside the caller's
    transaction; the staging table stays for the run): the database stages the points and finds their
    communes while the text columns are normalised. Raises what `prepare` raises."""
    points = _PointsStaged(table)
    try:
        prepared = prepare(read, mapping, crs=crs, on_points=points.start)
    except BaseException:
        points.join()  # the connection free again before the transaction is rolled back
        raise
    points.wait()
    return prepared, build(prepared, organisation_id, table, points, progress)


def build(
    prepared: Prepared,
    organisation_id: int,
    table: str,
    points: _PointsStaged,
    progress: Callable[[int], None] | None = None,
) -> Plan:
    """Stages (with the points already staged), matches and classifies (inside the caller's transaction);
    the staging table stays for the run."""
    step = progress or (lambda _percent: None)
    stage(prepared, table, points)
    step(50)
    located_nowhere = outside(table)
    merged = match_file(table)
    matched = match_existing(table, organisation_id, matched_before=False)
    counts = classify(table, prepared.mapped, matched)
    step(70)
    rejections = sorted([*prepared.rejections, *located_nowhere], key=lambda r: r.row)
    return Plan(
        created=counts.get("create", 0),
        updated=counts.get("update", 0),
        unchanged=counts.get("same", 0),
        rejections=rejections,
        merged=sorted([*prepared.merged, *merged]),
        samples=samples(table, counts),
    )


def replan(table: str, organisation_id: int, mapped: list[str], previewed: FacilityImport) -> Plan:
    """The plan of a run on the rows its preview staged: only the match against the employer's facilities is
    done again (they may have changed since); rejections and merges are the preview's. When no row was one of
    the employer's facilities then nor is now (an employer's first import), the rows are as the preview
    classified them: its counts and samples stand, and nothing is read again."""
    preview = previewed.preview or {}
    matched_before = previewed.updated_count + previewed.unchanged_count > 0
    matched = match_existing(table, organisation_id, matched_before=matched_before)
    if matched or matched_before or "samples" not in preview:
        counts = classify(table, mapped, matched)
        found = samples(table, counts)
    else:
        counts = {"create": previewed.created_count, "update": 0, "same": 0}
        found = preview["samples"]
    return Plan(
        created=counts.get("create", 0),
        updated=counts.get("update", 0),
        unchanged=counts.get("same", 0),
        rejections=[Rejection(r["row"], r["code"], r["message"]) for r in preview.get("rejections", [])],
        merged=[(m["row"], m["into"]) for m in preview.get("merges", [])],
        samples=found,
        rejected_total=previewed.rejected_count,
        merged_total=previewed.merged_count,
    )


def write(
    *,
    table: str,
    organisation_id: int,
    actor_id: int | None,
    mapped: list[str],
    publish: bool,
    updates: bool = True,
) -> tuple[int, int]:
    """Inserts the rows to create and updates the rows that changed (mapped fields only; `updates` False when
    the plan has none: the staged rows are not read for them). Returns the counts."""
    fac = Facility._meta.db_table
    communes = Commune._meta.db_table
    now = timezone.now()
    status = FacilityStatus.PUBLISHED.value if publish else FacilityStatus.DRAFT.value
    with connection.cursor() as cursor:
        checked = _checks_referenced_rows(cursor, organisation_id=organisation_id, actor_id=actor_id)
        if checked:
            # The rows' references were checked (and locked) as a set just above: the INSERT skips the same
            # checks queued row by row (three per row, run at COMMIT: about as long as the INSERT itself).
            cursor.execute("SET LOCAL session_replication_role = replica")
        # The rows in commune order (then file order): the territory indexes' entries then go in key order,
        # each index page filled in turn rather than pages all over the index touched at random (and
        # identifiers usually follow the commune: the unique index too); about a fifth off the INSERT at
        # 100,000 rows, measured (bench/README.md). Sorted byte-wise (COLLATE "C"): the codes' order is the
        # indexes' order, without the locale's comparison per pair (a third of the sort's time).
        cursor.execute(
            f"INSERT INTO {fac} (organisation_id, structure_id, category, name, description, address, "  # noqa: S608
            "location, commune_id, departement_id, region_id, access_motor, access_visual, access_hearing, "
            "access_mental, accessibility_note, website, phone, email, external_id, status, published_at, "
            "created_by_id, created_at, updated_at) "
            "SELECT %(org)s, NULL, s.category, s.name, s.description, s.address, s.location, c.code, "
            "c.departement_id, c.region_id, coalesce(s.access_motor, false), coalesce(s.access_visual, false), "
            "coalesce(s.access_hearing, false), coalesce(s.access_mental, false), '', s.website, s.phone, "
            "s.email, s.external_id, %(status)s, %(published_at)s, %(actor)s, %(now)s, %(now)s "
            f"FROM {table} s LEFT JOIN {communes} c ON c.code = s.commune WHERE {TO_CREATE} "
            'ORDER BY s.commune COLLATE "C", s.row',
            {
                "org": organisation_id,
                "status": status,
                "published_at": now if publish else None,
                "actor": actor_id,
                "now": now,
            },
        )
        created = cursor.rowcount
        if checked:
            cursor.execute("SET LOCAL session_replication_role = origin")
        if not updates:
            return created, 0
        columns = [c for c in mapped if c in TEXT_COLUMNS or c in BOOLEAN_FIELDS]
        sets = [f"{c} = s.{c}" for c in columns if c != "external_id"]
        if "external_id" in columns:
            sets.append(
                "external_id = CASE WHEN s.external_id <> '' THEN s.external_id ELSE f.external_id END"
            )
        sets += [
            "location = s.location",
            "commune_id = c.code",
            "departement_id = c.departement_id",
            "region_id = c.region_id",
            "updated_at = %(now)s",
        ]
        cursor.execute(
            f"UPDATE {fac} f SET {', '.join(sets)} FROM {table} s JOIN {communes} c ON c.code = s.commune "  # noqa: S608
            "WHERE s.action = 'update' AND f.id = s.facility_id",
            {"now": now},
        )
        updated = cursor.rowcount
    return created, updated


# `write`'s INSERT replaces the foreign keys' row-by-row triggers of the facility table by one set-based check
# (`_checks_referenced_rows`). `session_replication_role = replica` skips every ordinary trigger of that
# statement, not only those: a test (`test_the_facility_table_has_no_trigger_but_its_foreign_keys`) fails if
# the table gets a trigger of another kind, which the import would then have to fire itself.


def may_check_references_as_a_set() -> bool:
    """Whether this database role may skip the row-by-row foreign-key triggers of one statement
    (`session_replication_role`: a superuser, or granted SET on it from PostgreSQL 15). Otherwise the import's
    INSERT keeps them: the same result, checked row by row at COMMIT."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT current_setting('is_superuser') = 'on', current_setting('server_version_num')::int"
        )
        superuser, version = cursor.fetchone()
        if superuser or version < 150000:  # no SET privilege on parameters before PostgreSQL 15
            return bool(superuser)
        cursor.execute("SELECT has_parameter_privilege('session_replication_role', 'SET')")
        return bool(cursor.fetchone()[0])


def _checks_referenced_rows(cursor: Any, *, organisation_id: int, actor_id: int | None) -> bool:
    """The references of the rows to create, checked once as a set, locked as the foreign-key triggers would
    lock them (nobody deletes them or changes their keys before the import commits): the employer and the
    author each locked FOR KEY SHARE; the communes, with their départements and régions (the INSERT takes
    them from the commune row itself), by a SHARE lock on the commune table for the rest of the transaction
    (no commune written by anyone until the import commits: the territory data's load waits those seconds)
    rather than tens of thousands of rows locked one by one. A commune gone before the lock leaves its rows
    without one: the INSERT (a LEFT JOIN) then fails on the NOT NULL commune. Raises IntegrityError, as the
    triggers would, when the employer or the author is gone. False when this role may not skip the triggers
    (nothing checked: they will)."""
    if not may_check_references_as_a_set():
        return False
    communes = Commune._meta.db_table
    organisations, users = Organisation._meta.db_table, User._meta.db_table
    cursor.execute(f"SELECT 1 FROM {organisations} WHERE id = %s FOR KEY SHARE", [organisation_id])  # noqa: S608
    missing = [] if cursor.fetchone() else [f"organisation {organisation_id}"]
    if actor_id is not None:
        cursor.execute(f"SELECT 1 FROM {users} WHERE id = %s FOR KEY SHARE", [actor_id])  # noqa: S608
        if not cursor.fetchone():
            missing.append(f"user {actor_id}")
    # Locked first, then read by the INSERT's join (each statement sees the rows as committed, and nobody
    # can delete a commune nor change its key any more).
    cursor.execute(f"LOCK TABLE {communes} IN SHARE MODE")
    if missing:
        raise IntegrityError(f"facility import: referenced rows gone: {', '.join(missing)}")
    return True
