"""An employer's facilities as a file: GeoJSON, GeoPackage (written by pyogrio through geopandas) or CSV.

One row per facility, the same columns in every format, named as the bulk import reads them, so that an
exported file can be edited and imported again. Opening hours are written in the OpenStreetMap syntax
(`Mo 09:00-12:00,14:00-18:00; Sa 10:00-12:00`).
"""

from __future__ import annotations

import csv
import io
import json
import tempfile
from pathlib import Path
from typing import Any

import geopandas as gpd
from shapely.geometry import Point as ShapelyPoint

from local_offers.models import ACCESSIBILITY_FLAGS, Facility

FORMATS = {
    "geojson": ("application/geo+json", "geojson"),
    "gpkg": ("application/geopackage+sqlite3", "gpkg"),
    "csv": ("text/csv; charset=utf-8", "csv"),
}
_DAYS = ("Mo", "Tu", "We", "Th", "Fr", "Sa", "Su")
COLUMNS = (
    "id",
    "external_id",
    "name",
    "category",
    "status",
    "description",
    "address",
    "commune_code",
    "commune",
    *ACCESSIBILITY_FLAGS,
    "accessibility_note",
    "website",
    "phone",
    "email",
    "opening_hours",
    "structure",
    "structure_siret",
)


def _clock(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def osm_hours(facility: Facility) -> str:
    """The weekly hours in the OpenStreetMap `opening_hours` syntax, days in order."""
    by_day: dict[int, list[str]] = {}
    for hours in facility.opening_hours.all():
        by_day.setdefault(hours.weekday, []).append(
            f"{_clock(hours.minutes.lower)}-{_clock(hours.minutes.upper)}"
        )
    return "; ".join(f"{_DAYS[day - 1]} {','.join(ranges)}" for day, ranges in sorted(by_day.items()))


def _row(facility: Facility) -> dict[str, Any]:
    return {
        "id": facility.pk,
        "external_id": facility.external_id,
        "name": facility.name,
        "category": facility.category,
        "status": facility.status,
        "description": facility.description,
        "address": facility.address,
        "commune_code": facility.commune.code,
        "commune": facility.commune.name,
        **{flag: bool(getattr(facility, flag)) for flag in ACCESSIBILITY_FLAGS},
        "accessibility_note": facility.accessibility_note,
        "website": facility.website,
        "phone": facility.phone,
        "email": facility.email,
        "opening_hours": osm_hours(facility),
        "structure": facility.structure.name if facility.structure else "",
        "structure_siret": facility.structure.siret if facility.structure else "",
    }


def export(facilities: Any, fmt: str) -> bytes:
    """The facilities (an iterable of rows with their hours prefetched) as the bytes of a `fmt` file."""
    rows = [(_row(f), (f.location.x, f.location.y)) for f in facilities]
    if fmt == "csv":
        return _csv(rows)
    frame = gpd.GeoDataFrame(
        [row for row, _xy in rows] or None,
        columns=list(COLUMNS),
        geometry=[ShapelyPoint(x, y) for _row_, (x, y) in rows],
        crs="EPSG:4326",
    )
    if fmt == "geojson":
        return json.dumps(json.loads(frame.to_json(drop_id=True)), ensure_ascii=False).encode()
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "facilities.gpkg"
        frame.to_file(path, driver="GPKG", layer="facilities", engine="pyogrio")
        return path.read_bytes()


def _csv(rows: list[tuple[dict[str, Any], tuple[float, float]]]) -> bytes:
    buffer = io.StringIO()
    # `;` as French spreadsheets expect; lon/lat in WGS 84 with a decimal point.
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow([*COLUMNS, "lon", "lat"])
    for row, (x, y) in rows:
        writer.writerow([*(_cell(row[c]) for c in COLUMNS), f"{x:.6f}", f"{y:.6f}"])
    return buffer.getvalue().encode("utf-8")


def _cell(value: Any) -> Any:
    if isinstance(value, bool):
        return "1" if value else "0"
    # A cell starting with = + - @ is a formula to a spreadsheet (CSV injection): quote it as text.
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value
