"""The one FilterSet of the home search, shared by the JSON search, the GeoJSON, the vector tiles and the map
page. Every spatial predicate works on the public point: the exact one is never searched, so a search cannot
be used to find it either."""

from __future__ import annotations

import datetime as dt
import math
from typing import Any

from django import forms
from django.contrib.gis.db.models import PointField as GeoPointField
from django.contrib.gis.db.models.functions import Distance
from django.contrib.gis.geos import Point, Polygon
from django.contrib.gis.measure import D
from django.contrib.postgres.forms import SimpleArrayField
from django.db.backends.postgresql.psycopg_any import DateRange
from django.db.models import (
    Case,
    Exists,
    ExpressionWrapper,
    F,
    FloatField,
    Func,
    IntegerField,
    OuterRef,
    Value,
    When,
)
from django.utils.translation import gettext_lazy as _
from django_filters import CharFilter, ChoiceFilter, DateFilter, Filter, NumberFilter

from exchanges.models import (
    Accessibility,
    Amenity,
    AvailabilityMode,
    AvailabilityPeriod,
    DestinationWish,
    Home,
    HomeKind,
    HomeQuerySet,
    HomeStatus,
)
from geo.models import Commune
from marketplace.fields import FreeNights
from marketplace.lists import ListFilterSet, ListParamsInvalid

EARTH_RADIUS = 6378137.0  # of the Web Mercator sphere
MERCATOR_MAX_LAT = 85.05112878

MAX_RADIUS_M = 200_000
MAX_FLEXIBILITY_DAYS = 30


def wish_covers_sql(wish: str, home: str) -> str:
    """SQL: the wish (table alias `wish`) wants to come where the home (alias `home`) is: its place contains
    the home's public point. The one predicate of the reverse search (`target__contains` below compiles to
    the same ST_Contains) and of the matching graph (exchanges.matching.graph)."""
    return f"ST_Contains({wish}.target, {home}.public_point)"


class BBoxField(forms.CharField):
    """`west,south,east,north` in WGS 84 degrees (the OGC API convention)."""

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


class ChoicesArrayFilter(Filter):
    """Comma-separated values, each among `choices`; the home must have them all."""

    field_class = SimpleArrayField

    def __init__(self, *args: Any, choices: list[str], **kwargs: Any) -> None:
        kwargs.setdefault("base_field", forms.ChoiceField(choices=[(c, c) for c in choices]))
        kwargs.setdefault("max_length", len(choices))
        super().__init__(*args, **kwargs)

    def filter(self, qs: Any, value: Any) -> Any:
        return qs.filter(**{f"{self.field_name}__contains": sorted(set(value))}) if value else qs


class HomeSearchForm(forms.Form):
    """Parameters that only mean something together are checked together."""

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        _check_together(self, data)
        return data


class HomeSearchFilter(ListFilterSet):
    """GET /api/v1/homes/search, /api/v1/tiles/homes/{z}/{x}/{y}.mvt and the map page."""

    class Meta:
        form = HomeSearchForm

    bbox = BBoxFilter(method="in_bbox", label=_("Cadre ouest,sud,est,nord"))
    near = PointFilter(method="noop", label=_("Près de (longitude,latitude)"))
    radius = NumberFilter(method="noop", min_value=100, max_value=MAX_RADIUS_M, label=_("Rayon (m)"))
    region = CharFilter(field_name="region_id", max_length=3)
    departement = CharFilter(field_name="departement_id", max_length=3)
    commune = CharFilter(field_name="commune_id", max_length=5)
    start = DateFilter(method="noop", label=_("Arrivée"))
    end = DateFilter(method="noop", label=_("Départ"))
    flexibility = NumberFilter(
        method="noop", min_value=0, max_value=MAX_FLEXIBILITY_DAYS, label=_("Souplesse")
    )
    guests = NumberFilter(
        field_name="sleeps", lookup_expr="gte", min_value=1, max_value=30, label=_("Voyageurs")
    )
    kind = ChoiceFilter(choices=HomeKind.choices)
    amenities = ChoicesArrayFilter(field_name="amenities", choices=Amenity.values)
    accessibility = ChoicesArrayFilter(field_name="accessibility", choices=Accessibility.values)
    wants_to_come_to = CharFilter(
        method="noop",
        max_length=5,
        label=_("Souhaite venir à (code commune, ou « mine » : chez moi)"),
    )
    solidarity = ChoiceFilter(
        method="noop",
        choices=[("true", _("oui")), ("false", _("non"))],
        label=_("Accepte les nuits solidaires"),
    )
    # Distance is the default order of a search on a place (the viewport's centre, or `near`): the search
    # index gives the nearest homes first (KNN) and stops after one page. Without a place, the newest first.
    sorts = {
        "distance": ("rank_distance", "id"),
        "-created_at": ("-created_at", "-id"),
        "created_at": ("created_at", "id"),
        "fit": ("-rank_fit", "-created_at", "-id"),
    }
    index_ordered_sorts = frozenset({"distance"})

    @classmethod
    def default_sort(cls, params: Any) -> str:
        return "distance" if params.get("bbox") or params.get("near") else "-created_at"

    def noop(self, queryset: HomeQuerySet, name: str, value: Any) -> HomeQuerySet:
        return queryset  # combined in filter_queryset: these parameters only mean something together

    def in_bbox(self, queryset: HomeQuerySet, name: str, value: Polygon) -> HomeQuerySet:
        return queryset.filter(public_point_m__bboverlaps=mercator_box(value.extent))

    def filter_queryset(self, queryset: Any) -> Any:
        queryset = super().filter_queryset(queryset)
        data = self.form.cleaned_data
        queryset = _near(queryset, data.get("near"), data.get("radius"))
        queryset = _available(queryset, data.get("start"), data.get("end"), data.get("flexibility"))
        queryset = _wanting(queryset, data.get("wants_to_come_to"), self.request)
        if data.get("solidarity") == "true":
            queryset = queryset.filter(open_to_any(data.get("start"), data.get("end")))
        sort = self.data.get("sort") or self.default_sort(self.data)
        if sort == "distance":
            queryset = _by_distance(queryset, data.get("near") or _centre(data.get("bbox")))
        elif sort == "fit":
            queryset = _by_fit(queryset, data.get("guests"), self.request)
        return queryset


def _check_together(form: forms.Form, data: dict[str, Any]) -> None:
    if (data.get("near") is None) != (data.get("radius") is None):
        form.add_error("radius" if data.get("near") else "near", _("« near » et « radius » vont ensemble."))
    start, end = data.get("start"), data.get("end")
    if (start is None) != (end is None):
        form.add_error("end" if start else "start", _("« start » et « end » vont ensemble."))
    elif start and end and end <= start:
        form.add_error("end", _("Le départ doit être après l'arrivée."))
    elif start and end and (end - start).days > 366:
        form.add_error("end", _("Un séjour dure au plus un an."))


def _near(queryset: Any, point: Point | None, radius: float | None) -> Any:
    if point is None or radius is None:
        return queryset
    # A box in degrees around the circle uses the GiST index; the distance in metres then decides.
    radius = float(radius)  # a Decimal from the form
    dlat = radius / 111_000
    dlon = radius / (111_000 * max(0.01, math.cos(math.radians(point.y))))
    box = (point.x - dlon, point.y - dlat, point.x + dlon, point.y + dlat)
    return (
        queryset.filter(public_point_m__bboverlaps=mercator_box(box))
        .annotate(distance=Distance("public_point", point))
        .filter(distance__lte=D(m=radius))
    )


def _available(queryset: Any, start: dt.date | None, end: dt.date | None, flexibility: float | None) -> Any:
    """Homes free for the whole stay, which may slide by ± flexibility days."""
    if start is None or end is None:
        return queryset
    if not flexibility:
        return queryset.filter(availability__contains=DateRange(start, end))
    slack = dt.timedelta(days=int(flexibility))
    window = DateRange(start - slack, end + slack)
    # The index finds the homes free at some point of the window; the exact test then wants one period that
    # leaves the whole stay free inside it.
    return (
        queryset.filter(availability__overlap=window)
        .alias(free=FreeNights("availability", window))
        .filter(free__gte=(end - start).days)
    )


def open_to_any(start: dt.date | None, end: dt.date | None) -> Exists:
    """Homes that take one-way requests paid in solidarity nights: a period "open to any request" (holding
    the whole stay when dates are given)."""
    periods = AvailabilityPeriod.objects.filter(home=OuterRef("pk"), mode=AvailabilityMode.OPEN)
    if start is not None and end is not None and start < end:
        periods = periods.filter(period__contains=DateRange(start, end))
    return Exists(periods)


def _wanting(queryset: Any, where: str | None, request: Any) -> Any:
    """Reverse search: homes whose owners wish to come to a commune, or to where the searcher's home is."""
    if not where:
        return queryset
    place: Point | None
    if where == "mine":
        user = getattr(request, "user", None)
        place = Home.objects.owned_by(user).values_list("point", flat=True).first() if user else None
    else:
        place = Commune.objects.filter(code=where.upper()).values_list("point", flat=True).first()
    if place is None:
        return queryset.none()
    wishes = DestinationWish.objects.filter(home=OuterRef("pk"), target__contains=place)
    return queryset.filter(Exists(wishes))


def mercator_box(extent: tuple[float, float, float, float]) -> Polygon:
    """A west,south,east,north box in degrees as the same box in Web Mercator metres (the projection keeps
    meridians and parallels straight, so the box is exactly the same set of places), latitudes clamped to
    the projection's ±85.05°."""
    west, south, east, north = extent

    def y(lat: float) -> float:
        lat = max(-MERCATOR_MAX_LAT, min(MERCATOR_MAX_LAT, lat))
        return math.log(math.tan(math.pi / 4 + math.radians(lat) / 2)) * EARTH_RADIUS

    def x(lon: float) -> float:
        return math.radians(lon) * EARTH_RADIUS

    box = Polygon.from_bbox((x(west), y(south), x(east), y(north)))
    box.srid = 3857
    return box


def _centre(bbox: Polygon | None) -> Point | None:
    if bbox is None:
        return None
    box = mercator_box(bbox.extent)
    west, south, east, north = box.extent
    return Point((west + east) / 2, (south + north) / 2, srid=3857)


def _by_distance(queryset: Any, centre: Point | None) -> Any:
    """Nearest first, from the centre of the viewport or `near`; KNN order of the search index."""
    if centre is None:
        raise ListParamsInvalid({"sort": str(_("Le tri par distance demande « bbox » ou « near »."))})
    mercator = centre if centre.srid == 3857 else centre.transform(3857, clone=True)
    return queryset.annotate(
        rank_distance=KnnDistance(F("public_point_m"), Value(mercator, output_field=GeoPointField(srid=3857)))
    )


def _by_fit(queryset: Any, guests: float | None, request: Any) -> Any:
    """Best fit first: the owner wishes to come where the searcher's home is (2 points), and the home is the
    right size for the party (1 point: at most one spare bed)."""
    user = getattr(request, "user", None)
    place = Home.objects.owned_by(user).values_list("point", flat=True).first() if user else None
    reciprocal: Any = (
        Case(
            When(Exists(DestinationWish.objects.filter(home=OuterRef("pk"), target__contains=place)), then=2),
            default=0,
        )
        if place is not None
        else Value(0)
    )
    snug: Any = Case(When(sleeps__lte=int(guests) + 1, then=1), default=0) if guests is not None else Value(0)
    return queryset.annotate(rank_fit=ExpressionWrapper(reciprocal + snug, output_field=IntegerField()))


class KnnDistance(Func):
    """`a <-> b`: the distance operator that a GiST index orders by (nearest first)."""

    arg_joiner = " <-> "
    template = "(%(expressions)s)"
    output_field = FloatField()


class MyHomesFilter(ListFilterSet):
    """GET /api/v1/homes: the owner's homes."""

    status = ChoiceFilter(choices=HomeStatus.choices)
    sorts = {"-created_at": ("-created_at", "-id"), "created_at": ("created_at", "id")}
