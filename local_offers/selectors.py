"""Reads on facilities: one for an actor, an employer's list, the search's base, and "offers near my swap"
for the home-swap half (plain data: exchanges never imports local_offers' models)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.contrib.gis.db.models.functions import Distance
from django.contrib.gis.geos import Point
from django.contrib.gis.measure import D
from django.core.cache import cache
from django.db.backends.postgresql.psycopg_any import DateRange
from django.db.models import BooleanField, Prefetch, QuerySet
from django.db.models.expressions import RawSQL
from django.urls import reverse

from geo.search import box_around, mercator_box, to_wgs84
from local_offers.exceptions import (
    FacilityNotFound,
    FacilityPhotoNotFound,
    OrganisationNotManaged,
)
from local_offers.models import (
    AgreementFacility,
    AgreementStatus,
    Facility,
    FacilityCategory,
    FacilityClosure,
    FacilityOpeningHours,
    FacilityPhoto,
    FacilityQuerySet,
    SubsidisedStructure,
)
from marketplace.accounts.models import User
from marketplace.organisations.models import Organisation

FACILITIES_VERSION_KEY = "local_offers:facilities_version"
MAX_STAY_DAYS = 366
NEAR_STAY_LIMIT = 50

# A day of [start, end) on which the facility has weekly hours and no exceptional closure.
_OPEN_DURING_SQL = """EXISTS (
    SELECT 1 FROM generate_series(%s::date, %s::date - 1, interval '1 day') AS d(day)
    JOIN local_offers_facilityopeninghours h
      ON h.facility_id = local_offers_facility.id AND h.weekday = extract(isodow FROM d.day)
    WHERE NOT EXISTS (
        SELECT 1 FROM local_offers_facilityclosure c
        WHERE c.facility_id = local_offers_facility.id AND c.dates @> d.day::date))"""


def open_during(queryset: QuerySet[Facility], start: dt.date, end: dt.date) -> QuerySet[Facility]:
    """Facilities open at least one day of [start, end): weekly hours that weekday, no closure that day."""
    # A constant SQL text; the dates are parameters.
    return queryset.filter(RawSQL(_OPEN_DURING_SQL, (start, end), output_field=BooleanField()))  # noqa: S611


def _detailed() -> FacilityQuerySet:
    return (
        Facility.objects.select_related("organisation", "structure", "commune", "departement", "region")
        .defer(
            "commune__geom",
            "departement__geom",
            "departement__geom_simple",
            "region__geom",
            "region__geom_simple",
        )
        .prefetch_related(
            "photos",
            Prefetch("opening_hours", queryset=FacilityOpeningHours.objects.order_by("weekday", "minutes")),
            Prefetch("closures", queryset=FacilityClosure.objects.order_by("dates")),
        )
    )


def facility_get_for_actor(*, actor: User, facility_id: int) -> Facility:
    """A facility the actor may see (published, or of an employer they manage). Raises FacilityNotFound when
    missing or invisible."""
    facility = _detailed().visible_to(actor).filter(pk=facility_id).first()
    if facility is None:
        raise FacilityNotFound()
    return facility


def facility_get_for_manager(*, actor: User, facility_id: int) -> Facility:
    """A facility of an employer the actor is a correspondent of (administrators: any). Raises
    FacilityNotFound, for someone else's facility too, published or not."""
    facility = _detailed().managed_by(actor).filter(pk=facility_id).first()
    if facility is None:
        raise FacilityNotFound()
    return facility


def photo_get_for_manager(*, actor: User, facility: Facility, photo_id: int) -> FacilityPhoto:
    photo = FacilityPhoto.objects.filter(facility=facility, pk=photo_id).select_related("facility").first()
    if photo is None or not Facility.objects.managed_by(actor).filter(pk=facility.pk).exists():
        raise FacilityPhotoNotFound()
    return photo


def organisation_managed(*, actor: User, organisation_id: int) -> Organisation:
    """An employer the actor is a correspondent of (administrators: any). Raises OrganisationNotManaged."""
    found = Organisation.objects.all() if actor.is_superuser else Organisation.objects.managed_by(actor)
    organisation = found.filter(pk=organisation_id).first()
    if organisation is None:
        raise OrganisationNotManaged()
    return organisation


def organisations_managed(actor: User) -> QuerySet[Organisation]:
    return Organisation.objects.managed_by(actor).order_by("name")


def facilities_of_organisation(organisation: Organisation) -> FacilityQuerySet:
    """Every facility of the employer, archived ones included (the correspondent's list, the exports)."""
    return (
        Facility.objects.filter(organisation=organisation)
        .select_related("commune", "departement", "region", "structure")
        .only(
            *[f.name for f in Facility._meta.concrete_fields if f.name not in ("location_m",)],
            "commune__code",
            "commune__name",
            "departement__code",
            "departement__name",
            "region__code",
            "region__name",
            "structure__name",
            "structure__siret",
        )
        .prefetch_related(
            Prefetch("opening_hours", queryset=FacilityOpeningHours.objects.order_by("weekday", "minutes")),
            Prefetch("closures", queryset=FacilityClosure.objects.order_by("dates")),
        )
    )


def structures_of(organisation: Organisation) -> QuerySet[SubsidisedStructure]:
    return SubsidisedStructure.objects.filter(organisation=organisation).order_by("name")


def facilities_searchable() -> FacilityQuerySet:
    """Published facilities, light (no description, no notes): the base of the search and the tiles."""
    return (
        Facility.objects.published()
        .select_related("commune", "departement")
        .only(
            "id",
            "name",
            "category",
            "address",
            "location",
            "access_motor",
            "access_visual",
            "access_hearing",
            "access_mental",
            "created_at",
            "organisation_id",
            "commune__code",
            "commune__name",
            "departement__code",
            "departement__name",
        )
    )


def facilities_version() -> str:
    """Changes whenever a facility changes: the key of tile ETags."""
    return str(cache.get_or_set(FACILITIES_VERSION_KEY, "0"))


# ---- Offers near a swap (the exchanges half calls this) ----------------------------------------------------


@dataclass(frozen=True)
class OfferNearby:
    """A published facility near a place, as plain data (no model crosses to the caller)."""

    id: int
    name: str
    category: str
    category_label: str
    commune: str
    departement: str
    distance_m: int
    lon: float
    lat: float
    url: str
    # The offer page's voucher form with the stay's dates, when an agreement in force covers the facility.
    voucher_url: str = ""


def offers_near_stay(
    *, point: Point, start: dt.date, end: dt.date, radius_m: int = 20_000, limit: int = 10
) -> list[OfferNearby]:
    """Published facilities within `radius_m` metres of `point` (WGS 84) open at least one day of the stay
    [start, end), nearest first. An empty or over-long stay (more than a year) finds none."""
    if end <= start or (end - start).days > MAX_STAY_DAYS or radius_m <= 0:
        return []
    point = to_wgs84(Point(point.x, point.y, srid=point.srid or 4326))
    near = (
        Facility.objects.published()
        .filter(location_m__bboverlaps=mercator_box(box_around(point, radius_m)))
        .annotate(distance=Distance("location", point))
        .filter(distance__lte=D(m=radius_m))
    )
    rows: list[Any] = list(
        open_during(near, start, end)
        .select_related("commune", "departement")
        .only("id", "name", "category", "location", "commune__name", "departement__code")
        .order_by("distance", "id")[: min(limit, NEAR_STAY_LIMIT)]
    )
    covered = set(
        AgreementFacility.objects.filter(
            facility_id__in=[row.pk for row in rows],
            agreement__status=AgreementStatus.ACTIVE,
            validity__overlap=DateRange(start, end),
        ).values_list("facility_id", flat=True)
    )
    last = (end - dt.timedelta(days=1)).isoformat()
    return [
        OfferNearby(
            id=row.pk,
            name=row.name,
            category=row.category,
            category_label=str(FacilityCategory(row.category).label),
            commune=row.commune.name,
            departement=row.departement.code,
            distance_m=round(row.distance.m),
            lon=round(row.location.x, 6),
            lat=round(row.location.y, 6),
            url=reverse("local_offers:detail", args=[row.pk]),
            voucher_url=(
                f"{reverse('local_offers:detail', args=[row.pk])}?du={start.isoformat()}&au={last}#voucher-request"
                if row.pk in covered
                else ""
            ),
        )
        for row in rows
    ]
