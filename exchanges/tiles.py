"""Vector tiles of the home search (Mapbox Vector Tile, built by PostGIS with ST_AsMVT).

Up to CELLS_MAX_ZOOM, homes are grouped on a grid of GRID_SIDE × GRID_SIDE cells per tile: a cell holding
several homes is a cluster (layer `clusters`, with a `count`, at the centroid of its homes), a cell holding
one is that home (layer `homes`, with `id`, `sleeps`, `kind`, at its public point). Above, every home is a
point of `homes`. Only public points are used, in Web Mercator (`public_point_m`).

A tile without filters reads the cells that the database keeps counted (HomeCell), less the viewer's own
homes, so a national tile costs a few hundred rows whatever the number of homes. Up to FACETS_MAX_ZOOM:
- filtered on party size and kind alone, it sums the faceted cells the database keeps as well (HomeFacetCell);
- filtered on dates (with party size, kind, amenities, accessibility), when the stay is longer than twice its
  slack and the tile holds at least a tenth of the homes, it groups the homes' free runs that hold the stay's
  middle nights (HomeFreeRun: narrow rows, read from their index alone), not the homes.
Any other filtered tile groups the matching homes on the same grid as it goes: through the search index when
the tile is small, through the dates index (`home_dates`, which holds the columns these tiles read: no row is
read) when the tile is wide and the dates select, as the planner finds. Every path counts exactly the homes
that the same search lists (tests/exchanges/test_tile_filters.py compares them).
"""

from typing import Any

from django.contrib.gis.geos import Polygon
from django.db import connection, transaction
from django.db.backends.postgresql.psycopg_any import DateRange
from django.db.models import QuerySet

from exchanges.models import (
    CELLS_MAX_ZOOM,
    FACETS_MAX_ZOOM,
    GRID_LEVELS,
    GRID_SIDE,
    MERCATOR_HALF,
    Home,
    HomeStatus,
    cell_of_coordinate_sql,
    cell_sql,
)

# The filters that the faceted cells (party size, kind) or, with dates, the free runs answer alone, at
# z ≤ FACETS_MAX_ZOOM (`counted_tile`, `dated_tile`).
PRECOUNTED = frozenset({"start", "end", "flexibility", "guests", "kind", "amenities", "accessibility"})
EXTENT = 4096
BUFFER = 64
SIDE = 2 * MERCATOR_HALF


def envelope(z: int, x: int, y: int, *, margin: float = 0.0) -> tuple[float, float, float, float]:
    """The tile's west, south, east, north in Web Mercator metres (ST_TileEnvelope's), widened by `margin`
    tile widths."""
    size = SIDE / 2**z
    west, north = -MERCATOR_HALF + x * size, MERCATOR_HALF - y * size
    return (
        west - margin * size,
        north - (1 + margin) * size,
        west + (1 + margin) * size,
        north + margin * size,
    )


def _cell(axis: str, z: int) -> str:
    """SQL: the column or row of the grid cell of point `p` at tile zoom z."""
    return cell_sql(axis, "p", str(int(z)))


def _geom(x: str, y: str) -> str:
    return f"ST_AsMVTGeom(ST_SetSRID(ST_MakePoint({x}, {y}), 3857), ST_TileEnvelope(%s, %s, %s), {EXTENT}, {BUFFER}, true)"


def tile(homes: QuerySet[Home], z: int, x: int, y: int) -> bytes:
    """The tile of the homes of a (filtered) search."""
    if z > CELLS_MAX_ZOOM:
        return _points(homes, z, x, y)
    return _grouped(homes, z, x, y)


def _box(z: int, x: int, y: int, margin: float) -> Polygon:
    box = Polygon.from_bbox(envelope(z, x, y, margin=margin))
    box.srid = 3857
    return box


def _points(homes: QuerySet[Home], z: int, x: int, y: int) -> bytes:
    inside = homes.filter(public_point_m__bboverlaps=_box(z, x, y, BUFFER / EXTENT)).values(
        "id", "sleeps", "kind", "public_point_m"
    )
    sql, params = inside.query.sql_with_params()
    # `sql` is the ORM's compiled query, its values kept apart in `params`: nothing of the request is pasted
    # into the text.
    query = (
        f"SELECT ST_AsMVT(t, 'homes', {EXTENT}, 'geom') FROM ("  # noqa: S608
        f"  SELECT h.id, h.sleeps, h.kind, {_geom('ST_X(h.public_point_m)', 'ST_Y(h.public_point_m)')} AS geom"
        f"  FROM ({sql}) h"
        ") t WHERE t.geom IS NOT NULL"
    )
    return _run(query, [z, x, y, *params])


def _grouped(homes: QuerySet[Home], z: int, x: int, y: int) -> bytes:
    inside = homes.filter(public_point_m__bboverlaps=_box(z, x, y, 0)).values(
        "id", "sleeps", "kind", "public_point_m"
    )
    sql, params = inside.query.sql_with_params()
    # A cell belongs to one tile: only the homes inside the tile itself are grouped.
    x0, y0 = x * GRID_SIDE, y * GRID_SIDE
    query = (
        f"WITH h AS (SELECT q.id, q.sleeps, q.kind, q.public_point_m AS p FROM ({sql}) q),"  # noqa: S608
        f" c AS (SELECT {_cell('x', z)} AS cx, {_cell('y', z)} AS cy, count(*) AS count,"
        "  avg(ST_X(p)) AS mx, avg(ST_Y(p)) AS my, min(id) AS id, min(sleeps) AS sleeps, min(kind) AS kind"
        "  FROM h GROUP BY 1, 2)"
        f" SELECT coalesce((SELECT ST_AsMVT(t, 'clusters', {EXTENT}, 'geom') FROM ("
        f"   SELECT count, {_geom('mx', 'my')} AS geom FROM c"
        f"   WHERE count > 1 AND cx BETWEEN {x0} AND {x0 + GRID_SIDE - 1} AND cy BETWEEN {y0} AND {y0 + GRID_SIDE - 1}"
        "  ) t), '')"
        f" || coalesce((SELECT ST_AsMVT(t, 'homes', {EXTENT}, 'geom') FROM ("
        f"   SELECT id, sleeps, kind, {_geom('mx', 'my')} AS geom FROM c"
        f"   WHERE count = 1 AND cx BETWEEN {x0} AND {x0 + GRID_SIDE - 1} AND cy BETWEEN {y0} AND {y0 + GRID_SIDE - 1}"
        "  ) t), '')"
    )
    return _run(query, [*params, z, x, y, z, x, y], without_jit=True)


def counted_tile(
    viewer_id: int, z: int, x: int, y: int, *, guests: int | None = None, kind: str | None = None
) -> bytes:
    """The tile of every published home but the viewer's own, from the cells the database keeps counted
    (z ≤ CELLS_MAX_ZOOM); the same layers as `tile` without filters. With a party size (`guests`: sleeps at
    least that) or a kind, from the faceted cells (z ≤ FACETS_MAX_ZOOM): the same layers as `tile` with those
    filters alone."""
    x0, y0 = x * GRID_SIDE, y * GRID_SIDE
    west, south, east, north = envelope(z, x, y)
    facets = ""
    facet_params: list[int | str] = []
    if guests is not None:
        facets += " AND sleeps >= %s"
        facet_params.append(guests)
    if kind is not None:
        facets += " AND kind = %s"
        facet_params.append(kind)
    in_tile = (
        f"zoom = %s AND cx BETWEEN {x0} AND {x0 + GRID_SIDE - 1} AND cy BETWEEN {y0} AND {y0 + GRID_SIDE - 1}"
    )
    if facets:
        if z > FACETS_MAX_ZOOM:
            raise ValueError(f"faceted cells stop at z{FACETS_MAX_ZOOM}")
        # A cell's facets that match, summed: the cell of the matching homes.
        cells = (
            "SELECT cx, cy, sum(count)::int AS count, sum(sum_x) AS sum_x, sum(sum_y) AS sum_y,"  # noqa: S608
            f" sum(sum_id) AS sum_id FROM exchanges_homefacetcell WHERE {in_tile}{facets} GROUP BY cx, cy"
        )
    else:
        cells = f"SELECT cx, cy, count, sum_x, sum_y, sum_id FROM exchanges_homecell WHERE {in_tile}"  # noqa: S608
    query = (
        "WITH own AS ("  # noqa: S608 (constants; the request's values are parameters)
        f"  SELECT {_cell('x', z)} AS cx, {_cell('y', z)} AS cy, count(*) AS n, sum(ST_X(p)) AS sx,"
        "   sum(ST_Y(p)) AS sy, sum(id) AS sid"
        "  FROM (SELECT id, public_point_m AS p FROM exchanges_home"
        f"        WHERE owner_id = %s AND status = %s{facets}"
        "        AND public_point_m && ST_MakeEnvelope(%s, %s, %s, %s, 3857)) o GROUP BY 1, 2),"
        " c AS ("
        "  SELECT c.count - coalesce(own.n, 0) AS count, c.sum_x - coalesce(own.sx, 0) AS sx,"
        "   c.sum_y - coalesce(own.sy, 0) AS sy, (c.sum_id - coalesce(own.sid, 0))::bigint AS sid"
        f"  FROM ({cells}) c LEFT JOIN own ON own.cx = c.cx AND own.cy = c.cy)"
        f" SELECT coalesce((SELECT ST_AsMVT(t, 'clusters', {EXTENT}, 'geom') FROM ("
        f"   SELECT count, {_geom('sx / count', 'sy / count')} AS geom FROM c WHERE count > 1"
        "  ) t), '')"
        f" || coalesce((SELECT ST_AsMVT(t, 'homes', {EXTENT}, 'geom') FROM ("
        "   SELECT h.id, h.sleeps, h.kind,"
        f"   {_geom('ST_X(h.public_point_m)', 'ST_Y(h.public_point_m)')} AS geom"
        "   FROM c JOIN exchanges_home h ON h.id = c.sid WHERE c.count = 1 AND h.status = %s"
        "  ) t), '')"
    )
    published = HomeStatus.PUBLISHED
    params = [
        viewer_id,
        published,
        *facet_params,
        west,
        south,
        east,
        north,
        z,
        *facet_params,
        z,
        x,
        y,
        z,
        x,
        y,
        published,
    ]
    return _run(query, params)


def dated_tile(
    viewer_id: int,
    z: int,
    x: int,
    y: int,
    *,
    stay: DateRange,
    window: DateRange,
    guests: int | None = None,
    kind: str | None = None,
    amenities: list[str] | None = None,
    accessibility: list[str] | None = None,
) -> bytes:
    """The tile of the published homes but the viewer's own that are free for a stay of `stay`'s nights
    sliding inside `window`, from their free runs (HomeFreeRun), for stays longer than twice their slack (the
    nights from window.lower + nights to window.upper - nights are then in every slid stay: `middle(...)`);
    the same layers as `tile` with those filters (and amenities, accessibility: every one asked). For wide
    tiles up to FACETS_MAX_ZOOM (`holds_many`): on smaller ones the search index is faster."""
    nights = (stay.upper - stay.lower).days
    held = middle(stay, window)
    if held is None:
        raise ValueError("the stay is not longer than twice its slack")
    x0, y0 = x * GRID_SIDE, y * GRID_SIDE
    west, south, east, north = envelope(z, x, y, margin=BUFFER / EXTENT)
    where = ""
    extra: list[int | str] = []
    if guests is not None:
        where += " AND sleeps >= %s"
        extra.append(guests)
    if kind is not None:
        where += " AND kind = %s"
        extra.append(kind)
    extra_lists: list[list[str]] = []
    for column, values in (("amenities", amenities), ("accessibility", accessibility)):
        if values:  # every one of them, as the search (ChoicesArrayFilter)
            where += f" AND {column} @> %s::varchar[]"
            extra_lists.append(sorted(set(values)))
    cx = cell_of_coordinate_sql("x", "x", str(int(z)))
    cy = cell_of_coordinate_sql("y", "y", str(int(z)))
    query = (
        f"WITH c AS (SELECT {cx} AS cx, {cy} AS cy, count(*) AS count, avg(x) AS mx, avg(y) AS my,"  # noqa: S608
        "  min(home_id) AS id, min(sleeps) AS sleeps, min(kind) AS kind"
        "  FROM exchanges_homefreerun"
        "  WHERE free @> %s AND upper(free) - lower(free) >= %s AND owner_id <> %s"
        f"  AND x BETWEEN %s AND %s AND y BETWEEN %s AND %s{where}"
        f"  AND {cx} BETWEEN {x0} AND {x0 + GRID_SIDE - 1} AND {cy} BETWEEN {y0} AND {y0 + GRID_SIDE - 1}"
        "  GROUP BY 1, 2)"
        f" SELECT coalesce((SELECT ST_AsMVT(t, 'clusters', {EXTENT}, 'geom') FROM ("
        f"   SELECT count, {_geom('mx', 'my')} AS geom FROM c WHERE count > 1"
        "  ) t), '')"
        f" || coalesce((SELECT ST_AsMVT(t, 'homes', {EXTENT}, 'geom') FROM ("
        f"   SELECT id, sleeps, kind, {_geom('mx', 'my')} AS geom FROM c WHERE count = 1"
        "  ) t), '')"
    )
    params = [held, nights, viewer_id, west, east, south, north, *extra, *extra_lists, z, x, y, z, x, y]
    return _run(query, params)


def holds_many(z: int, x: int, y: int) -> bool:
    """Whether the tile holds at least a tenth of all published homes (read from the counted cells): then a
    dated tile is cheaper from the free runs (a cost that follows all the homes free on the stay's nights)
    than grouped from the tile's homes through the search index (a cost that follows the tile's homes).
    Measured on the bench's million homes (the database backend's CPU time): a Paris tile of 140 000 homes at
    z8, 70 ms grouped, 40–50 ms from the runs; smaller tiles cost less grouped, the runs cost the same."""
    level = max(z - GRID_LEVELS, 0)
    span = 2 ** max(GRID_LEVELS - z, 0)  # cells of that level across the tile
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT (SELECT coalesce(sum(count), 0) FROM exchanges_homecell WHERE zoom = 0),"
            " (SELECT coalesce(sum(count), 0) FROM exchanges_homecell WHERE zoom = %s"
            "  AND cx BETWEEN %s AND %s AND cy BETWEEN %s AND %s)",
            [level, x * span, (x + 1) * span - 1, y * span, (y + 1) * span - 1],
        )
        row = cursor.fetchone()
    every, inside = (int(row[0]), int(row[1])) if row else (0, 0)
    return inside > 0 and inside * 10 >= every


def middle(stay: DateRange, window: DateRange) -> DateRange | None:
    """The nights that every stay of `stay`'s length inside `window` holds (None when there are none: the
    stay is not longer than twice its slack)."""
    nights = stay.upper - stay.lower
    start, end = window.upper - nights, window.lower + nights
    return DateRange(start, end) if start < end else None


def _run(query: str, params: list[Any], *, without_jit: bool = False) -> bytes:
    with connection.cursor() as cursor:
        if without_jit:
            # A tile grouped from many homes is costed high, which turns JIT compilation on: 40–100 ms of
            # compiling (EXPLAIN ANALYZE of a filtered national tile) for a query that then runs in less.
            with transaction.atomic():
                cursor.execute("SET LOCAL jit = off")
                cursor.execute(query, params)
                row = cursor.fetchone()
        else:
            cursor.execute(query, params)
            row = cursor.fetchone()
    return bytes(row[0]) if row and row[0] is not None else b""
