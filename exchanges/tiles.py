"""Vector tiles of the home search (Mapbox Vector Tile, built by PostGIS with ST_AsMVT).

The same FilterSet as the JSON search picks the homes; the tile's envelope replaces the viewport. From
CLUSTER_BELOW_ZOOM down, homes are aggregated on a grid of GRID cells per tile side (layer `clusters`, with a
`count`), so a national tile stays a few kilobytes; above, each home is a point (layer `homes`, with `id`,
`sleeps`, `kind`). Only public points are used.
"""

import math

from django.contrib.gis.geos import Polygon
from django.db import connection
from django.db.models import QuerySet

from exchanges.models import Home

EXTENT = 4096
CLUSTER_BELOW_ZOOM = 11
GRID = 64
MERCATOR_HALF = 20037508.342789244


def tile_bbox(z: int, x: int, y: int) -> Polygon:
    """The tile's envelope in WGS 84 degrees (for the index on public_point), slightly enlarged by the
    buffer that ST_AsMVTGeom keeps."""

    def lon(tx: float) -> float:
        return tx / 2**z * 360 - 180

    def lat(ty: float) -> float:
        return math.degrees(math.atan(math.sinh(math.pi * (1 - 2 * ty / 2**z))))

    margin = 64 / EXTENT
    box = Polygon.from_bbox(
        (lon(x - margin), max(-85.06, lat(y + 1 + margin)), lon(x + 1 + margin), min(85.06, lat(y - margin)))
    )
    box.srid = 4326
    return box


def tile(homes: QuerySet[Home], z: int, x: int, y: int) -> bytes:
    inside = homes.filter(public_point__intersects=tile_bbox(z, x, y)).values(
        "id", "sleeps", "kind", "public_point"
    )
    sql, params = inside.query.sql_with_params()
    if z >= CLUSTER_BELOW_ZOOM:
        # `sql` is the ORM's compiled query, its values kept apart in `params`: nothing of the request is
        # pasted into the text.
        query = (
            "WITH bounds AS (SELECT ST_TileEnvelope(%s, %s, %s) AS geom) "  # noqa: S608
            "SELECT ST_AsMVT(t, 'homes', %s, 'geom') FROM ("
            "  SELECT h.id, h.sleeps, h.kind, "
            "  ST_AsMVTGeom(ST_Transform(h.public_point, 3857), bounds.geom, %s, 64, true) AS geom "
            f"  FROM ({sql}) h, bounds"
            ") t WHERE t.geom IS NOT NULL"
        )
        args = [z, x, y, EXTENT, EXTENT, *params]
    else:
        cell = 2 * MERCATOR_HALF / 2**z / GRID
        query = (
            "WITH bounds AS (SELECT ST_TileEnvelope(%s, %s, %s) AS geom) "  # noqa: S608
            "SELECT ST_AsMVT(t, 'clusters', %s, 'geom') FROM ("
            "  SELECT count(*) AS count, "
            "  ST_AsMVTGeom(ST_Centroid(ST_Collect(ST_Transform(h.public_point, 3857))), bounds.geom, %s, 64, true)"
            "  AS geom "
            f"  FROM ({sql}) h, bounds "
            "  GROUP BY ST_SnapToGrid(ST_Transform(h.public_point, 3857), %s), bounds.geom"
            ") t WHERE t.geom IS NOT NULL"
        )
        args = [z, x, y, EXTENT, EXTENT, *params, cell]
    with connection.cursor() as cursor:
        cursor.execute(query, args)
        row = cursor.fetchone()
    return bytes(row[0]) if row and row[0] is not None else b""
