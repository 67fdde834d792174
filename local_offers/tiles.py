"""Vector tiles of the facility search (Mapbox Vector Tile, built by PostGIS with ST_AsMVT).

Up to CLUSTER_MAX_ZOOM the facilities of a tile are grouped on a GRID_SIDE × GRID_SIDE grid: a cell holding
several is a cluster (layer `clusters`, with `count`, at the centroid of its facilities), a cell holding one
is that facility (layer `facilities`, with `id`, `name`, `category`). Above, every facility is a point of
`facilities`. Points are read in Web Mercator (`location_m`) through the search index.
"""

from typing import Any

from django.contrib.gis.geos import Polygon
from django.db import connection
from django.db.models import QuerySet

from local_offers.models import Facility

EXTENT = 4096
BUFFER = 64
GRID_LEVELS = 6
GRID_SIDE = 2**GRID_LEVELS
CLUSTER_MAX_ZOOM = 12
MERCATOR_HALF = 20037508.342789244
SIDE = 2 * MERCATOR_HALF


def envelope(z: int, x: int, y: int, *, margin: float = 0.0) -> tuple[float, float, float, float]:
    """The tile's west, south, east, north in Web Mercator metres, widened by `margin` tile widths."""
    size = SIDE / 2**z
    west, north = -MERCATOR_HALF + x * size, MERCATOR_HALF - y * size
    return (
        west - margin * size,
        north - (1 + margin) * size,
        west + (1 + margin) * size,
        north + margin * size,
    )


def _box(z: int, x: int, y: int, margin: float) -> Polygon:
    box = Polygon.from_bbox(envelope(z, x, y, margin=margin))
    box.srid = 3857
    return box


def _geom(x: str, y: str) -> str:
    return (
        f"ST_AsMVTGeom(ST_SetSRID(ST_MakePoint({x}, {y}), 3857), ST_TileEnvelope(%s, %s, %s), "
        f"{EXTENT}, {BUFFER}, true)"
    )


def tile(facilities: QuerySet[Facility], z: int, x: int, y: int) -> bytes:
    """The tile of the facilities of a (filtered) search."""
    if z > CLUSTER_MAX_ZOOM:
        return _points(facilities, z, x, y)
    return _grouped(facilities, z, x, y)


def _inner(facilities: QuerySet[Facility], box: Polygon) -> tuple[str, tuple[Any, ...]]:
    # Only the columns the tile needs: the ORM's compiled query, its values kept apart as parameters.
    inside = facilities.filter(location_m__bboverlaps=box).values("id", "name", "category", "location_m")
    inside.query.clear_ordering(force=True)
    return inside.query.sql_with_params()


def _points(facilities: QuerySet[Facility], z: int, x: int, y: int) -> bytes:
    sql, params = _inner(facilities, _box(z, x, y, BUFFER / EXTENT))
    query = (
        f"SELECT ST_AsMVT(t, 'facilities', {EXTENT}, 'geom') FROM ("  # noqa: S608
        f"  SELECT f.id, f.name, f.category, {_geom('ST_X(f.location_m)', 'ST_Y(f.location_m)')} AS geom"
        f"  FROM ({sql}) f"
        ") t WHERE t.geom IS NOT NULL"
    )
    return _run(query, [z, x, y, *params])


def _grouped(facilities: QuerySet[Facility], z: int, x: int, y: int) -> bytes:
    sql, params = _inner(facilities, _box(z, x, y, 0))
    cells = 2 ** (z + GRID_LEVELS)
    cx = f"floor((ST_X(p) + {MERCATOR_HALF}) * {cells} / {SIDE})::int"
    cy = f"floor(({MERCATOR_HALF} - ST_Y(p)) * {cells} / {SIDE})::int"
    x0, y0 = x * GRID_SIDE, y * GRID_SIDE
    inside = f"cx BETWEEN {x0} AND {x0 + GRID_SIDE - 1} AND cy BETWEEN {y0} AND {y0 + GRID_SIDE - 1}"
    query = (
        f"WITH f AS (SELECT q.id, q.name, q.category, q.location_m AS p FROM ({sql}) q),"  # noqa: S608
        f" c AS (SELECT {cx} AS cx, {cy} AS cy, count(*) AS count, avg(ST_X(p)) AS mx, avg(ST_Y(p)) AS my,"
        "  min(id) AS id, min(name) AS name, min(category) AS category FROM f GROUP BY 1, 2)"
        f" SELECT coalesce((SELECT ST_AsMVT(t, 'clusters', {EXTENT}, 'geom') FROM ("
        f"   SELECT count, {_geom('mx', 'my')} AS geom FROM c WHERE count > 1 AND {inside}) t), '')"
        f" || coalesce((SELECT ST_AsMVT(t, 'facilities', {EXTENT}, 'geom') FROM ("
        f"   SELECT id, name, category, {_geom('mx', 'my')} AS geom FROM c WHERE count = 1 AND {inside}) t), '')"
    )
    return _run(query, [*params, z, x, y, z, x, y])


def _run(query: str, params: list[Any]) -> bytes:
    with connection.cursor() as cursor:
        cursor.execute(query, params)
        row = cursor.fetchone()
    return bytes(row[0]) if row and row[0] is not None else b""
