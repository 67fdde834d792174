"""The one FilterSet of the facility search: the JSON list, the GeoJSON, the vector tiles and the offers map.

Place: `near` (lon,lat) with `radius` (metres), a viewport `bbox`, or a territory (`region`, `departement`,
`commune` INSEE codes). Then `category` (one or several), `accessibility` (every flag asked), `open_on` (a
date: weekly hours that weekday and no exceptional closure). With a place, the nearest come first (KNN on the
search index) and each carries its distance in metres.

`covered` (a date) keeps the facilities named by an agreement active that day: their benefit is offered.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.contrib.gis.db.models import PointField as GeoPointField
from django.contrib.gis.db.models.functions import Distance
from django.contrib.gis.geos import Point, Polygon
from django.contrib.gis.measure import D
from django.contrib.postgres.forms import SimpleArrayField
from django.core.validators import RegexValidator
from django.db.models import F, Q, Subquery, Value
from django.utils.translation import gettext_lazy as _
from django_filters import CharFilter, DateFilter, Filter, NumberFilter

from geo.models import Commune, Departement
from geo.search import (
    BBoxFilter,
    KnnDistance,
    PointFilter,
    box_around,
    mercator_box,
    mercator_centre,
    to_mercator,
    to_wgs84,
)
from local_offers.models import ACCESSIBILITY_FLAGS, FacilityCategory, FacilityQuerySet
from marketplace.lists import ListFilterSet, ListParamsInvalid

MAX_RADIUS_M = 200_000
ACCESSIBILITY_VALUES = [flag.removeprefix("access_") for flag in ACCESSIBILITY_FLAGS]


class ChoicesFilter(Filter):
    """Comma-separated values, each among `choices`."""

    field_class = SimpleArrayField

    def __init__(self, *args: Any, choices: list[str], **kwargs: Any) -> None:
        kwargs.setdefault("base_field", forms.ChoiceField(choices=[(c, c) for c in choices]))
        kwargs.setdefault("max_length", len(choices))
        super().__init__(*args, **kwargs)


class FacilitySearchForm(forms.Form):
    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if (data.get("near") is None) != (data.get("radius") is None):
            self.add_error(
                "radius" if data.get("near") else "near", _("« near » et « radius » vont ensemble.")
            )
        return data


class FacilitySearchFilter(ListFilterSet):
    """GET /api/v1/facilities, /api/v1/tiles/facilities/{z}/{x}/{y}.mvt and the offers map (/offres/)."""

    class Meta:
        form = FacilitySearchForm

    near = PointFilter(method="noop", label=_("Près de (longitude,latitude)"))
    radius = NumberFilter(method="noop", min_value=100, max_value=MAX_RADIUS_M, label=_("Rayon (m)"))
    bbox = BBoxFilter(method="in_bbox", label=_("Cadre ouest,sud,est,nord"))
    # The territories through `facility_territory_status` (led by the département): a région by its
    # départements, a commune with its département.
    region = CharFilter(
        method="in_region",
        max_length=3,
        validators=[RegexValidator(r"^\d{2}$", _("Un code INSEE de région : deux chiffres."))],
        label=_("Région"),
    )
    departement = CharFilter(
        field_name="departement_id",
        max_length=3,
        validators=[RegexValidator(r"^(\d{2,3}|2[AB])$", _("Un code INSEE de département."))],
        label=_("Département"),
    )
    commune = CharFilter(
        method="in_commune",
        max_length=5,
        validators=[RegexValidator(r"^\d[\dAB]\d{3}$", _("Un code INSEE de commune : cinq caractères."))],
        label=_("Commune"),
    )
    category = ChoicesFilter(method="in_categories", choices=FacilityCategory.values, label=_("Catégorie"))
    accessibility = ChoicesFilter(method="accessible", choices=ACCESSIBILITY_VALUES, label=_("Accessibilité"))
    open_on = DateFilter(method="open_that_day", label=_("Ouvert le"))
    covered = DateFilter(method="covered_that_day", label=_("Couvert par une convention en vigueur le"))
    organisation = NumberFilter(field_name="organisation_id", min_value=1, label=_("Employeur"))
    # Nearest first with a place (the search index's KNN order, stopping after one page); else by name.
    sorts = {
        "distance": ("rank_distance", "id"),
        "name": ("name", "id"),
        "-created_at": ("-created_at", "-id"),
    }
    index_ordered_sorts = frozenset({"distance"})

    @classmethod
    def default_sort(cls, params: Any) -> str:
        return "distance" if params.get("bbox") or params.get("near") else "name"

    def noop(self, queryset: FacilityQuerySet, name: str, value: Any) -> FacilityQuerySet:
        return queryset  # near and radius only mean something together: filter_queryset

    def in_region(self, queryset: FacilityQuerySet, name: str, value: str) -> FacilityQuerySet:
        departements = Departement.objects.filter(region_id=value).values("code")
        return queryset.filter(departement_id__in=departements) if value else queryset

    def in_commune(self, queryset: FacilityQuerySet, name: str, value: str) -> FacilityQuerySet:
        departement = Commune.objects.filter(code=value).values("departement_id")
        return queryset.filter(departement_id=Subquery(departement), commune_id=value) if value else queryset

    def in_bbox(self, queryset: FacilityQuerySet, name: str, value: Polygon) -> FacilityQuerySet:
        return queryset.filter(location_m__bboverlaps=mercator_box(value.extent))

    def in_categories(self, queryset: FacilityQuerySet, name: str, value: list[str]) -> FacilityQuerySet:
        return queryset.filter(category__in=sorted(set(value))) if value else queryset

    def accessible(self, queryset: FacilityQuerySet, name: str, value: list[str]) -> FacilityQuerySet:
        return queryset.filter(**{f"access_{flag}": True for flag in value}) if value else queryset

    def open_that_day(self, queryset: FacilityQuerySet, name: str, value: dt.date) -> FacilityQuerySet:
        return queryset.open_on(value)

    def covered_that_day(self, queryset: FacilityQuerySet, name: str, value: dt.date) -> FacilityQuerySet:
        return queryset.covered_on(value)

    def filter_queryset(self, queryset: Any) -> Any:
        queryset = super().filter_queryset(queryset)
        data = self.form.cleaned_data
        near, radius = data.get("near"), data.get("radius")
        centre = near or (mercator_centre(data["bbox"]) if data.get("bbox") else None)
        sort = self.data.get("sort") or self.default_sort(self.data)
        if sort == "distance" and centre is None:
            raise ListParamsInvalid({"sort": str(_("Le tri par distance demande « bbox » ou « near »."))})
        queryset = with_distance(queryset, centre)
        if near is not None and radius is not None:
            # A box around the circle uses the GiST index; the distance in metres then decides.
            queryset = queryset.filter(
                location_m__bboverlaps=mercator_box(box_around(near, float(radius))),
                distance_m__lte=D(m=float(radius)),
            )
        return queryset


def with_distance(queryset: Any, centre: Point | None) -> Any:
    """`distance_m` (metres, on the spheroid) and `rank_distance` (the index's KNN key) from `centre`."""
    if centre is None:
        return queryset
    mercator = to_mercator(centre)
    return queryset.alias(distance_m=Distance("location", to_wgs84(centre))).annotate(
        distance=F("distance_m"),
        rank_distance=KnnDistance(F("location_m"), Value(mercator, output_field=GeoPointField(srid=3857))),
    )


class MyFacilitiesFilter(ListFilterSet):
    """GET /api/v1/organisations/{id}/facilities and the correspondent's list."""

    status = CharFilter(
        field_name="status",
        validators=[RegexValidator(r"^(draft|published|archived)$", _("draft, published ou archived."))],
        label=_("Statut"),
    )
    q = CharFilter(method="named", max_length=80, label=_("Nom"))
    sorts = {"name": ("name", "id"), "-updated_at": ("-updated_at", "-id")}

    def named(self, queryset: FacilityQuerySet, name: str, value: str) -> FacilityQuerySet:
        return queryset.filter(Q(name__icontains=value) | Q(external_id=value)) if value else queryset
