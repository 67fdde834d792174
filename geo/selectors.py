"""Reads on territories. Spatial predicates live here, one helper each, reused by every filter."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

from django.contrib.gis.geos import Point
from django.core.cache import cache
from django.db import connection
from django.db.models import QuerySet

from geo.exceptions import CoordinatesSwapped, InvalidCoordinates, PointOutsideFrance, TerritoryNotFound
from geo.models import Commune, Departement, Region, TerritoryDataset
from geo.services import SEARCH_NAME_SQL

# A point just off the simplified coastline (a beach, a harbour) still belongs to the nearest commune.
COAST_TOLERANCE_M = 1000
# Bounding-box prefilter for that tolerance: 0.02° is ≥ 1 km of longitude up to 63° N, of latitude anywhere.
_COAST_TOLERANCE_DEG = 0.02
_LIGHT = (
    "code",
    "name",
    "point",
    "departement__code",
    "departement__name",
    "region__code",
    "region__name",
)


@dataclass(frozen=True)
class Territory:
    commune: Commune
    departement: Departement
    region: Region


def check_coordinates(lon: float, lat: float) -> Point:
    if not (math.isfinite(lon) and math.isfinite(lat)) or not (-180 <= lon <= 180 and -90 <= lat <= 90):
        raise InvalidCoordinates(
            detail={
                "lon": lon if math.isfinite(lon) else str(lon),
                "lat": lat if math.isfinite(lat) else str(lat),
            }
        )
    return Point(lon, lat, srid=4326)


def _communes() -> QuerySet[Commune]:
    return Commune.objects.select_related("departement", "region").only(*_LIGHT, "population", "postal_codes")


def commune_containing(point: Point) -> Commune | None:
    """The commune whose boundary contains the point, or the nearest one within COAST_TOLERANCE_M."""
    commune = _communes().filter(geom__contains=point).first()
    if commune is not None:
        return commune
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT code FROM {Commune._meta.db_table} "  # noqa: S608  (table name is a constant)
            "WHERE geom && ST_Expand(%(p)s::geometry, %(deg)s) "
            "AND ST_DWithin(geom::geography, %(p)s::geography, %(m)s) "
            "ORDER BY geom <-> %(p)s::geometry LIMIT 1",
            {"p": point.ewkt, "deg": _COAST_TOLERANCE_DEG, "m": COAST_TOLERANCE_M},
        )
        row = cursor.fetchone()
    return _communes().get(code=row[0]) if row else None


def communes_found_sql(table: str, *, point: str, key: str) -> str:
    """A query of (`key`, commune code) for the rows of `table` whose `point` (SRID 4326) lies in a commune:
    commune by commune (LATERAL), each finding its points through the table's spatial index (GiST or SP-GiST)
    on `point`, so a polygon is prepared once for all its points rather than parsed again for each. One row
    per key: a point in two communes' polygons (a few overlap) gets the lowest code, the same every time,
    whatever order the communes were walked in (the walk may run in parallel). Rows outside every commune are
    absent: see `communes_locate_coast`."""
    t, p, k = (connection.ops.quote_name(name) for name in (table, point, key))
    communes = Commune._meta.db_table
    return (
        f"SELECT DISTINCT ON (p.id) p.id AS {k}, c.code FROM {communes} c, "  # noqa: S608
        f"LATERAL (SELECT s.{k} AS id FROM {t} s WHERE s.{p} && c.geom AND ST_Contains(c.geom, s.{p})) p "
        f"WHERE c.geom && (SELECT ST_SetSRID(ST_Extent({p})::geometry, 4326) FROM {t}) ORDER BY p.id, c.code"
    )


def communes_locate_coast(table: str, *, point: str, commune: str) -> None:
    """Fills the NULL `commune` of the rows of `table` with the nearest commune within COAST_TOLERANCE_M of
    their `point` (just off the simplified coastline); NULL stays for points outside France or at sea."""
    t, p, c = (connection.ops.quote_name(name) for name in (table, point, commune))
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {t} s SET {c} = (SELECT k.code FROM {Commune._meta.db_table} k "  # noqa: S608
            f"WHERE k.geom && ST_Expand(s.{p}, %(deg)s) "
            f"AND ST_DWithin(k.geom::geography, s.{p}::geography, %(m)s) "
            f"ORDER BY k.geom <-> s.{p} LIMIT 1) WHERE s.{c} IS NULL AND s.{p} IS NOT NULL",
            {"deg": _COAST_TOLERANCE_DEG, "m": COAST_TOLERANCE_M},
        )


def communes_locate(table: str, *, point: str, commune: str) -> None:
    """Fills column `commune` of every row of `table` (a staging table of the caller's transaction) with the
    code of the commune containing its `point` (SRID 4326), or the nearest within COAST_TOLERANCE_M: what
    `commune_containing` answers for one point, for many in two statements. NULL stays for points outside
    France or at sea. A bulk load rather computes the commune while it writes its rows, with
    `communes_found_sql` (no second version of every row), then calls `communes_locate_coast`."""
    t, c = (connection.ops.quote_name(name) for name in (table, commune))
    found = communes_found_sql(table, point=point, key="ctid")
    with connection.cursor() as cursor:
        cursor.execute(
            f"WITH found AS ({found}) UPDATE {t} s SET {c} = found.code FROM found "  # noqa: S608
            'WHERE s.ctid = found."ctid"'
        )
    communes_locate_coast(table, point=point, commune=commune)


def territory_for_point(point: Point) -> Territory:
    """Commune, département and région of a WGS 84 point.

    Raises InvalidCoordinates, CoordinatesSwapped (the point is in France once lat and lon are
    swapped) or PointOutsideFrance.
    """
    point = check_coordinates(point.x, point.y)
    commune = commune_containing(point)
    if commune is None:
        if -180 <= point.y <= 180 and -90 <= point.x <= 90:
            swapped = Point(point.y, point.x, srid=4326)
            if _communes().filter(geom__contains=swapped).exists():
                raise CoordinatesSwapped(detail={"lon": point.x, "lat": point.y})
        raise PointOutsideFrance(detail={"lon": point.x, "lat": point.y})
    return Territory(commune=commune, departement=commune.departement, region=commune.region)


_POSTAL = re.compile(r"^\d{2,5}$")
_INSEE = re.compile(r"^(\d[\dAB]\d{3})$", re.IGNORECASE)


def commune_search(query: str, *, limit: int = 10) -> list[Commune]:
    """Communes by name (accents, case, hyphens ignored; typos tolerated) or postal code, best first.

    Order: exact name, then names starting with the query (largest first), then trigram similarity.
    """
    text = query.strip()
    if _POSTAL.match(text):
        codes = [
            c
            for (c,) in _query(
                f"SELECT code FROM {Commune._meta.db_table} "  # noqa: S608
                "WHERE EXISTS (SELECT 1 FROM unnest(postal_codes) pc WHERE pc LIKE %(q)s || '%%') "
                "OR code = %(q)s ORDER BY (code = %(q)s) DESC, population DESC LIMIT %(limit)s",
                {"q": text, "limit": limit},
            )
        ]
    else:
        normalised = SEARCH_NAME_SQL.format("%(q)s")
        codes = [
            c
            for (c,) in _query(
                f"WITH q AS (SELECT {normalised} AS q) "  # noqa: S608
                f"SELECT code FROM {Commune._meta.db_table}, q "
                "WHERE search_name LIKE q.q || '%%' OR search_name %% q.q OR q.q <%% search_name "
                # Among names starting with the query, the most populated first ("gren" → Grenoble).
                "ORDER BY (search_name = q.q) DESC, (search_name LIKE q.q || '%%') DESC, "
                "CASE WHEN search_name LIKE q.q || '%%' THEN population END DESC NULLS LAST, "
                "similarity(search_name, q.q) DESC, population DESC LIMIT %(limit)s",
                {"q": text, "limit": limit},
            )
        ]
    found = _communes().in_bulk(codes)
    return [found[c] for c in codes]


# "Grenoble (38)": how the commune autocomplete (datalist) labels a commune.
_LABEL = re.compile(r"^(?P<name>.+?)\s*\((?P<departement>\d[\dAB]\d?)\)$", re.IGNORECASE)


def commune_from_label(text: str) -> Commune | None:
    """The commune a person typed or picked: its INSEE code, "Name (département)" as the autocomplete labels
    it, or a name that only one commune bears. None when it names no commune, or several."""
    text = " ".join(text.split())
    if _INSEE.match(text):
        return _communes().filter(code=text.upper()).first()
    label = _LABEL.match(text)
    if label is not None:
        found = _communes().filter(name__iexact=label["name"], departement_id=label["departement"].upper())
    else:
        found = _communes().filter(name__iexact=text)
    matches = list(found[:2])
    return matches[0] if len(matches) == 1 else None


def _query(sql: str, params: dict[str, str | int]) -> list[tuple[str]]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return list(cursor.fetchall())


def commune_get(code: str) -> Commune:
    commune = _communes().filter(code=code).first()
    if commune is None:
        raise TerritoryNotFound()
    return commune


def region_list() -> QuerySet[Region]:
    return Region.objects.defer("geom", "geom_simple").order_by("name")


def departement_list(*, region: str | None = None) -> QuerySet[Departement]:
    departements = Departement.objects.select_related("region").defer(
        "geom", "geom_simple", "region__geom", "region__geom_simple"
    )
    if region:
        departements = departements.filter(region_id=region)
    return departements.order_by("code")


def departement_get(code: str) -> Departement:
    departement = departement_list().filter(code=code).first()
    if departement is None:
        raise TerritoryNotFound()
    return departement


def table_version(*models: type[Region] | type[Departement]) -> str:
    """A fingerprint of reference tables' rows, for caches of what is built from them.

    One scan of each table (18 or 101 rows): the row count and the newest row version (`xmin`, the
    transaction that wrote it). Any insert, update or delete changes it, a rolled-back one leaves it as it
    was, and it reads the same in every process, so a cache keyed by it is never stale, whoever wrote.
    """
    parts = [
        f"(SELECT count(*) || '.' || coalesce(max(xmin::text::bigint), 0) FROM {model._meta.db_table})"  # noqa: S608  (constant table names)
        for model in models
    ]
    with connection.cursor() as cursor:
        cursor.execute("SELECT " + " || ':' || ".join(parts))  # table names are constants
        return str(cursor.fetchone()[0])


def _dataset_version() -> str:
    dataset = TerritoryDataset.objects.only("checksum").first()
    return dataset.checksum[:16] if dataset else "empty"


def basemap_geojson(level: str) -> str:
    """The simplified boundaries of all départements or régions as a GeoJSON FeatureCollection (text).

    Built by PostGIS in one query and cached until the next territory load.
    """
    model: type[Departement] | type[Region] = Departement if level == "departements" else Region
    key = f"geo:basemap:{level}:{_dataset_version()}"
    cached = cache.get(key)
    if cached is not None:
        return str(cached)
    region_prop = ", 'region', region_id" if model is Departement else ""
    rows = _query(
        "SELECT json_build_object('type', 'FeatureCollection', 'features', "  # noqa: S608
        "coalesce(json_agg(json_build_object('type', 'Feature', 'id', code, "
        "'geometry', ST_AsGeoJSON(geom_simple, 4)::json, "
        f"'properties', json_build_object('code', code, 'name', name{region_prop})) ORDER BY code), '[]'))::text "
        f"FROM {model._meta.db_table}",
        {},
    )
    text = rows[0][0]
    cache.set(key, text, timeout=None)
    return text
