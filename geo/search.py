"""Spatial parameters of the map searches (a viewport, a point) and the SQL they need, for any app's FilterSet.

`bbox` is `west,south,east,north` and `near` is `lon,lat`, in WGS 84 degrees (the OGC API convention). Boxes
are compared in Web Mercator (where the search indexes are) and distances are measured in metres.
"""

from __future__ import annotations

import math
from typing import Any

from django import forms
from django.contrib.gis.geos import Point, Polygon
from django.db.models import FloatField, Func
from django.utils.translation import gettext_lazy as _
from django_filters import Filter

EARTH_RADIUS = 6378137.0  # of the Web Mercator sphere
MERCATOR_MAX_LAT = 85.05112878


class BBoxField(forms.CharField):
    """`west,south,east,north` in WGS 84 degrees."""

    def clean(self, value: Any) -> Polygon | None:
        text = super().clean(value)
        if not text:
            return None
        try:
            west, south, east, north = (float(part) for part in text.split(","))
        except ValueError as error:
            raise forms.ValidationError(_("Quatre nombres attendus : ouest,sud,est,nord.")) from error
        if not all(math.isfinite(v) for v in (west, south, east, north)):
            raise forms.ValidationError(_("Quatre nombres finis attendus."))
        if not (-180 <= west < east <= 180 and -90 <= south < north <= 90):
            raise forms.ValidationError(
                _("Cadre invalide : -180 ≤ ouest < est ≤ 180 et -90 ≤ sud < nord ≤ 90 (longitude d'abord).")
            )
        return Polygon.from_bbox((west, south, east, north))


class PointField(forms.CharField):
    """`lon,lat` in WGS 84 degrees."""

    def clean(self, value: Any) -> Point | None:
        text = super().clean(value)
        if not text:
            return None
        try:
            lon, lat = (float(part) for part in text.split(","))
        except ValueError as error:
            raise forms.ValidationError(_("Deux nombres attendus : longitude,latitude.")) from error
        if not (math.isfinite(lon) and math.isfinite(lat) and -180 <= lon <= 180 and -90 <= lat <= 90):
            raise forms.ValidationError(_("Longitude entre -180 et 180, latitude entre -90 et 90."))
        return Point(lon, lat, srid=4326)


class BBoxFilter(Filter):
    field_class = BBoxField


class PointFilter(Filter):
    field_class = PointField


def mercator_box(extent: tuple[float, float, float, float]) -> Polygon:
    """A west,south,east,north box in degrees as the same box in Web Mercator metres (meridians and parallels
    stay straight, so it is exactly the same set of places), latitudes clamped to ±85.05°."""
    west, south, east, north = extent

    def y(lat: float) -> float:
        lat = max(-MERCATOR_MAX_LAT, min(MERCATOR_MAX_LAT, lat))
        return math.log(math.tan(math.pi / 4 + math.radians(lat) / 2)) * EARTH_RADIUS

    def x(lon: float) -> float:
        return math.radians(lon) * EARTH_RADIUS

    box = Polygon.from_bbox((x(west), y(south), x(east), y(north)))
    box.srid = 3857
    return box


def box_around(point: Point, radius_m: float) -> tuple[float, float, float, float]:
    """West, south, east, north in degrees of a box holding the circle of `radius_m` metres around `point`."""
    dlat = radius_m / 111_000
    dlon = radius_m / (111_000 * max(0.01, math.cos(math.radians(point.y))))
    return (point.x - dlon, point.y - dlat, point.x + dlon, point.y + dlat)


def mercator_centre(bbox: Polygon) -> Point:
    """The centre of a WGS 84 box, in Web Mercator."""
    west, south, east, north = mercator_box(bbox.extent).extent
    return Point((west + east) / 2, (south + north) / 2, srid=3857)


def to_wgs84(point: Point) -> Point:
    if point.srid == 4326:
        return point
    if point.srid == 3857:  # the sphere's closed form: no GDAL transformation built for one point
        lon = math.degrees(point.x / EARTH_RADIUS)
        lat = math.degrees(2 * math.atan(math.exp(point.y / EARTH_RADIUS)) - math.pi / 2)
        return Point(lon, lat, srid=4326)
    moved = point.transform(4326, clone=True)
    assert isinstance(moved, Point)
    return moved


def to_mercator(point: Point) -> Point:
    """A WGS 84 (or Web Mercator) point in Web Mercator, by the sphere's closed form (what PostGIS computes
    for EPSG:3857) rather than a GDAL transformation built for one point."""
    if point.srid == 3857:
        return point
    if point.srid not in (4326, None):
        moved = point.transform(3857, clone=True)
        assert isinstance(moved, Point)
        return moved
    lat = max(-MERCATOR_MAX_LAT, min(MERCATOR_MAX_LAT, point.y))
    return Point(
        math.radians(point.x) * EARTH_RADIUS,
        math.log(math.tan(math.pi / 4 + math.radians(lat) / 2)) * EARTH_RADIUS,
        srid=3857,
    )


class KnnDistance(Func):
    """`a <-> b`: the distance operator that a GiST index orders by (nearest first)."""

    arg_joiner = " <-> "
    template = "(%(expressions)s)"
    output_field = FloatField()
