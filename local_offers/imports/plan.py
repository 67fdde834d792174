"""The import's set-based core, in the caller's transaction: prepared rows are COPYed into a temporary
staging table, located in communes (`geo.selectors.communes_locate`), matched against each other and against
the employer's facilities (same external id, or same name within 50 m), classified (create, update, unchanged)
and, for a run, written with one INSERT … SELECT and one UPDATE … FROM.

The preview runs the same statements, reads the result and rolls back.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.db import connection
from django.utils import timezone
from django.utils.translation import gettext as _

from geo.models import Commune
from geo.selectors import communes_locate
from geo.services import SEARCH_NAME_SQL
from local_offers.imports.rows import BOOLEAN_FIELDS, Prepared, Rejection
from local_offers.models import Facility, FacilityStatus

STAGE = "facility_import_stage"
DUPLICATE_DISTANCE_M = 50
TEXT_COLUMNS = ("name", "category", "description", "address", "website", "phone", "email", "external_id")
STAGE_COLUMNS = ("row", *TEXT_COLUMNS, *BOOLEAN_FIELDS, "location")
SAMPLE = 20
# The staged rows that become new facilities (no rewrite of 100,000 rows to mark them: a predicate).
TO_CREATE = "s.facility_id IS NULL AND s.commune IS NOT NULL AND s.merged_into IS NULL"
PREVIEW_REJECTIONS = 1000


@dataclass
class Plan:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    rejections: list[Rejection] = field(default_factory=list)
    merged: list[tuple[int, int]] = field(default_factory=list)
    samples: dict[str, list[dict[str, Any]]] = field(default_factory=dict)

    @property
    def rejected(self) -> int:
        return len(self.rejections)

    def preview(self) -> dict[str, Any]:
        return {
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "rejected": self.rejected,
            "merged": len(self.merged),
            "rejections": [r.as_dict() for r in self.rejections[:PREVIEW_REJECTIONS]],
            "merges": [{"row": a, "into": b} for a, b in self.merged[:PREVIEW_REJECTIONS]],
            "samples": self.samples,
        }


def _spatial_order(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    # Stripes of 0.05° (about 5 km) run west to east: neighbouring rows mostly fall in the same commune, whose
    # prepared polygon PostGIS then reuses.
    return sorted(rows, key=lambda r: (int(r["lat"] * 20), r["lon"]))


def stage(prepared: Prepared) -> None:
    with connection.cursor() as cursor:
        raw = cursor.cursor  # psycopg's own cursor, for COPY
        # Dropped at commit; an import inside a caller's larger transaction may find the previous one's.
        raw.execute(f"DROP TABLE IF EXISTS {STAGE}")
        raw.execute(
            f"CREATE TEMP TABLE {STAGE} ("
            "row integer PRIMARY KEY, name text, category text, description text, address text, website text, "
            "phone text, email text, external_id text, access_motor boolean, access_visual boolean, "
            "access_hearing boolean, access_mental boolean, location geometry(Point, 4326), "
            "name_key text, commune varchar(5), facility_id bigint, merged_into integer, action text"
            ") ON COMMIT DROP"
        )
        with raw.copy(f"COPY {STAGE} ({', '.join(STAGE_COLUMNS)}) FROM STDIN") as copy:
            for row in _spatial_order(prepared.rows):
                copy.write_row(
                    (
                        row["row"],
                        *(row.get(c, "") for c in TEXT_COLUMNS),
                        *(row.get(c) for c in BOOLEAN_FIELDS),
                        f"SRID=4326;POINT({row['lon']!r} {row['lat']!r})",
                    )
                )
        raw.execute(f"UPDATE {STAGE} SET name_key = {SEARCH_NAME_SQL.format('name')}")  # noqa: S608  (constants)
        # The points indexed: locating then walks the communes and finds their points, so each commune's
        # polygon is prepared once for all its points rather than parsed again for each.
        raw.execute(f"CREATE INDEX ON {STAGE} USING gist (location)")
        # Statistics of the filled table: without them the planner pairs every row with every other.
        raw.execute(f"ANALYZE {STAGE}")


def locate() -> list[Rejection]:
    """Communes of the staged rows; the rows in none (abroad, at sea) are rejected."""
    communes_locate(STAGE, point="location", commune="commune")
    with connection.cursor() as cursor:
        cursor.execute(f"CREATE INDEX ON {STAGE} (name_key)")
        cursor.execute(f"CREATE INDEX ON {STAGE} (external_id) WHERE external_id <> ''")
        cursor.execute(f"ANALYZE {STAGE}")  # communes now known: the matching's plans count on them
        cursor.execute(f"SELECT row FROM {STAGE} WHERE commune IS NULL ORDER BY row")  # noqa: S608
        outside = [r for (r,) in cursor.fetchall()]
    message = _("Ce point n'est dans aucune commune française (hors de France ou en mer).")
    return [Rejection(r, "point_outside_france", message) for r in outside]


def match(organisation_id: int) -> list[tuple[int, int]]:
    """Duplicates: within the file (same name within 50 m: the earlier row merges into the later one), then
    against the employer's facilities (same external id; else same name within 50 m, ids not contradicting)."""
    fac = Facility._meta.db_table
    dwithin = f"ST_DWithin(%s::geography, %s::geography, {DUPLICATE_DISTANCE_M})"
    live = "commune IS NOT NULL AND merged_into IS NULL"
    with connection.cursor() as cursor:
        cursor.execute(
            f"WITH pairs AS (SELECT a.row AS a, max(b.row) AS b FROM {STAGE} a JOIN {STAGE} b "  # noqa: S608
            "ON b.name_key = a.name_key AND b.row > a.row "
            f"AND {dwithin % ('a.location', 'b.location')} "
            "AND (a.external_id = '' OR b.external_id = '' OR a.external_id = b.external_id) "
            "WHERE a.commune IS NOT NULL AND b.commune IS NOT NULL GROUP BY a.row) "
            f"UPDATE {STAGE} s SET merged_into = pairs.b FROM pairs WHERE s.row = pairs.a "
            "RETURNING s.row, pairs.b"
        )
        merged = sorted((int(a), int(b)) for a, b in cursor.fetchall())
        # A merged row gives its identifier to the row it merges into when that one has none.
        cursor.execute(
            f"UPDATE {STAGE} b SET external_id = a.external_id FROM {STAGE} a "  # noqa: S608
            "WHERE a.merged_into = b.row AND b.external_id = '' AND a.external_id <> ''"
        )
        cursor.execute(
            f"UPDATE {STAGE} s SET facility_id = f.id FROM {fac} f "  # noqa: S608
            f"WHERE f.organisation_id = %(org)s AND s.external_id <> '' AND f.external_id = s.external_id AND {live}",
            {"org": organisation_id},
        )
        cursor.execute(
            f"WITH m AS (SELECT DISTINCT ON (f.id) f.id, s.row FROM {STAGE} s JOIN {fac} f "  # noqa: S608
            f"ON f.organisation_id = %(org)s AND {SEARCH_NAME_SQL.format('f.name')} = s.name_key "
            f"AND {dwithin % ('f.location', 's.location')} "
            "AND (f.external_id = '' OR s.external_id = '' OR f.external_id = s.external_id) "
            f"WHERE s.facility_id IS NULL AND s.{live.replace(' AND ', ' AND s.')} "
            f"AND NOT EXISTS (SELECT 1 FROM {STAGE} t WHERE t.facility_id = f.id) "
            "ORDER BY f.id, s.row) "
            f"UPDATE {STAGE} s SET facility_id = m.id FROM m WHERE s.row = m.row",
            {"org": organisation_id},
        )
    return merged


def _differs(mapped: list[str]) -> str:
    columns = [c for c in mapped if c in TEXT_COLUMNS or c in BOOLEAN_FIELDS]
    left = ", ".join([f"f.{c}" for c in columns] + ["ST_AsBinary(f.location)", "f.commune_id"])
    right = ", ".join([f"s.{c}" for c in columns] + ["ST_AsBinary(s.location)", "s.commune"])
    return f"({left}) IS DISTINCT FROM ({right})"


def classify(mapped: list[str]) -> dict[str, int]:
    fac = Facility._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {STAGE} s SET action = CASE WHEN {_differs(mapped)} THEN 'update' ELSE 'same' END "  # noqa: S608
            f"FROM {fac} f WHERE f.id = s.facility_id"
        )
        cursor.execute(f"SELECT action, count(*) FROM {STAGE} WHERE action IS NOT NULL GROUP BY action")  # noqa: S608
        counts = {str(a): int(n) for a, n in cursor.fetchall()}
        cursor.execute(f"SELECT count(*) FROM {STAGE} s WHERE {TO_CREATE}")  # noqa: S608
        counts["create"] = int(cursor.fetchone()[0])
        return counts


def samples() -> dict[str, list[dict[str, Any]]]:
    out: dict[str, list[dict[str, Any]]] = {}
    with connection.cursor() as cursor:
        for action, where in (("create", TO_CREATE), ("update", "s.action = 'update'")):
            cursor.execute(
                f"SELECT s.row, s.name, s.category, c.name FROM {STAGE} s "  # noqa: S608
                f"JOIN {Commune._meta.db_table} c ON c.code = s.commune "
                f"WHERE {where} ORDER BY s.row LIMIT %s",
                [SAMPLE],
            )
            out[action] = [
                {"row": r, "name": n, "category": cat, "commune": commune}
                for r, n, cat, commune in cursor.fetchall()
            ]
    return out


def build(prepared: Prepared, organisation_id: int, progress: Callable[[int], None] | None = None) -> Plan:
    """Stages, locates, matches and classifies (inside the caller's transaction)."""
    step = progress or (lambda _percent: None)
    stage(prepared)
    step(40)
    outside = locate()
    step(60)
    merged = match(organisation_id)
    counts = classify(prepared.mapped)
    step(70)
    rejections = sorted([*prepared.rejections, *outside], key=lambda r: r.row)
    return Plan(
        created=counts.get("create", 0),
        updated=counts.get("update", 0),
        unchanged=counts.get("same", 0),
        rejections=rejections,
        merged=sorted([*prepared.merged, *merged]),
        samples=samples(),
    )


def write(*, organisation_id: int, actor_id: int | None, mapped: list[str], publish: bool) -> tuple[int, int]:
    """Inserts the rows to create and updates the rows that changed (mapped fields only). Returns the counts."""
    fac = Facility._meta.db_table
    communes = Commune._meta.db_table
    now = timezone.now()
    status = FacilityStatus.PUBLISHED.value if publish else FacilityStatus.DRAFT.value
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {fac} (organisation_id, structure_id, category, name, description, address, "  # noqa: S608
            "location, commune_id, departement_id, region_id, access_motor, access_visual, access_hearing, "
            "access_mental, accessibility_note, website, phone, email, external_id, status, published_at, "
            "created_by_id, created_at, updated_at) "
            "SELECT %(org)s, NULL, s.category, s.name, s.description, s.address, s.location, c.code, "
            "c.departement_id, c.region_id, coalesce(s.access_motor, false), coalesce(s.access_visual, false), "
            "coalesce(s.access_hearing, false), coalesce(s.access_mental, false), '', s.website, s.phone, "
            "s.email, s.external_id, %(status)s, %(published_at)s, %(actor)s, %(now)s, %(now)s "
            f"FROM {STAGE} s JOIN {communes} c ON c.code = s.commune WHERE {TO_CREATE} ORDER BY s.row",
            {
                "org": organisation_id,
                "status": status,
                "published_at": now if publish else None,
                "actor": actor_id,
                "now": now,
            },
        )
        created = cursor.rowcount
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
            f"UPDATE {fac} f SET {', '.join(sets)} FROM {STAGE} s JOIN {communes} c ON c.code = s.commune "  # noqa: S608
            "WHERE s.action = 'update' AND f.id = s.facility_id",
            {"now": now},
        )
        updated = cursor.rowcount
    return created, updated
