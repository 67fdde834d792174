"""Writes on homes, their availability and their owners' destination wishes. One transaction each."""

from __future__ import annotations

import datetime as dt
import json
import math
import time
from itertools import groupby
from typing import Any

from django.contrib.gis.gdal import GDALException
from django.contrib.gis.geos import GEOSException, GEOSGeometry, MultiPolygon, Point, Polygon
from django.core.cache import cache
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, connection, transaction
from django.db.backends.postgresql.psycopg_any import DateRange
from django.db.models import Max
from django.utils import timezone, translation
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext as _
from PIL import Image

from exchanges.events import HomePausedForEligibility, HomeResumed
from exchanges.exceptions import AvailabilityOverlap, HomeWrongState, NotEligible, NotHomeOwner
from exchanges.mails import mail_homes_back_on_the_map, mail_homes_paused_for_eligibility
from exchanges.models import (
    CELLS_LOCK,
    CELLS_MAX_ZOOM,
    FACETS_MAX_ZOOM,
    Accessibility,
    Amenity,
    AvailabilityMode,
    AvailabilityPeriod,
    DestinationWish,
    Home,
    HomeKind,
    HomePhoto,
    HomeStatus,
    cell_keys_sql,
)
from exchanges.selectors import HOMES_VERSION_KEY
from geo.models import Commune, Departement, Region
from geo.selectors import check_coordinates, territory_for_point
from marketplace.accounts.models import User
from marketplace.errors import InvalidField
from marketplace.events import publish
from marketplace.images import photo_reencoded
from marketplace.organisations.selectors import agent_eligibility
from marketplace.workflows import transition_run

PUBLIC_OFFSET_MIN_M = 300
PUBLIC_OFFSET_MAX_M = 800
MAX_WISH_VERTICES = 2000
MAX_WISH_AREA_KM2 = 150_000  # about the largest région: a drawn area is a destination, not a continent
MAX_WISH_TERRITORIES = 50
EARTH_RADIUS_M = 6_371_008.8

HOME_FIELDS = (
    "title",
    "description",
    "kind",
    "sleeps",
    "bedrooms",
    "surface_m2",
    "amenities",
    "accessibility",
    "pets_allowed",
    "smoking_allowed",
)


def _homes_changed(*matching: int) -> None:
    """Tiles and searches cached by version see the change once it is committed; the swap suggestions around
    the `matching` homes (their place, size, status, periods or wishes changed) are refreshed then."""
    if matching:
        from exchanges.matching.services import suggestions_refresh_later

        suggestions_refresh_later(matching)

    def bump() -> None:
        cache.set(HOMES_VERSION_KEY, str(time.time_ns()), timeout=None)

    transaction.on_commit(bump, robust=True)


# ---- Location ----------------------------------------------------------------------------------------------


def home_public_point(home_id: int, point: Point) -> Point:
    """The point shown to others: `point` moved 300–800 m in a direction, both derived from a secret and the
    home's id. Deterministic, so the same home always shows the same offset and averaging many searches
    learns nothing; unpredictable without the secret."""
    digest = salted_hmac("exchanges.home_public_point", str(home_id)).digest()
    bearing = int.from_bytes(digest[:8], "big") / 2**64 * 2 * math.pi
    fraction = int.from_bytes(digest[8:16], "big") / 2**64
    distance = PUBLIC_OFFSET_MIN_M + fraction * (PUBLIC_OFFSET_MAX_M - PUBLIC_OFFSET_MIN_M)
    # Destination on a sphere from (lat, lon), bearing and distance: exact enough at these distances.
    lat1, lon1 = math.radians(point.y), math.radians(point.x)
    angular = distance / EARTH_RADIUS_M
    lat2 = math.asin(
        math.sin(lat1) * math.cos(angular) + math.cos(lat1) * math.sin(angular) * math.cos(bearing)
    )
    lon2 = lon1 + math.atan2(
        math.sin(bearing) * math.sin(angular) * math.cos(lat1),
        math.cos(angular) - math.sin(lat1) * math.sin(lat2),
    )
    return Point(math.degrees(lon2), math.degrees(lat2), srid=4326)


def _place(home: Home, lon: float, lat: float) -> None:
    """Set the exact point, its territories (InvalidCoordinates, CoordinatesSwapped, PointOutsideFrance) and,
    once the home has an id, its public point."""
    point = check_coordinates(lon, lat)
    territory = territory_for_point(point)
    home.point = point
    home.commune, home.departement, home.region = territory.commune, territory.departement, territory.region
    home.public_point = home_public_point(home.pk, point) if home.pk else point


# ---- Homes -------------------------------------------------------------------------------------------------


def _check_choices(field: str, values: list[str], allowed: list[str]) -> list[str]:
    unknown = sorted(set(values) - set(allowed))
    if unknown:
        raise InvalidField(field, _("Valeurs inconnues : %(values)s.") % {"values": ", ".join(unknown)})
    return sorted(set(values))


def _clean_fields(fields: dict[str, Any]) -> dict[str, Any]:
    cleaned = dict(fields)
    if "title" in cleaned:
        cleaned["title"] = cleaned["title"].strip()
        if not cleaned["title"]:
            raise InvalidField("title", _("Le titre est obligatoire."))
    if "kind" in cleaned and cleaned["kind"] not in HomeKind.values:
        raise InvalidField("kind", _("Type inconnu : flat, house ou other."))
    if "amenities" in cleaned:
        cleaned["amenities"] = _check_choices("amenities", cleaned["amenities"], Amenity.values)
    if "accessibility" in cleaned:
        cleaned["accessibility"] = _check_choices(
            "accessibility", cleaned["accessibility"], Accessibility.values
        )
    if "sleeps" in cleaned and not 1 <= cleaned["sleeps"] <= 30:
        raise InvalidField("sleeps", _("Entre 1 et 30 couchages."))
    return cleaned


def _check_owner(actor: User, home: Home) -> None:
    if home.owner_id != actor.pk and not actor.is_superuser:
        raise NotHomeOwner()


def _locked(home: Home) -> Home:
    return Home.objects.select_for_update().get(pk=home.pk)


@transaction.atomic
def home_create(*, actor: User, address: str, lon: float, lat: float, **fields: Any) -> Home:
    """A draft home at an exact point (private) in France; its public point is derived once it has an id.

    Raises InvalidField, InvalidCoordinates, CoordinatesSwapped, PointOutsideFrance.
    """
    if not address.strip():
        raise InvalidField("address", _("L'adresse est obligatoire."))
    home = Home(owner=actor, address=address.strip(), **_clean_fields(fields))
    _place(home, lon, lat)
    home.save()
    home.public_point = home_public_point(home.pk, home.point)
    home.save(update_fields=["public_point"])
    _homes_changed()
    return home


@transaction.atomic
def home_update(
    *,
    actor: User,
    home: Home,
    address: str | None = None,
    lon: float | None = None,
    lat: float | None = None,
    **fields: Any,
) -> Home:
    """The owner edits the home; a new point moves its territories and its public point with it.

    Raises NotHomeOwner, InvalidField (lon and lat go together), InvalidCoordinates, PointOutsideFrance…
    """
    home = _locked(home)
    _check_owner(actor, home)
    if home.status == HomeStatus.ARCHIVED:
        raise HomeWrongState(detail={"state": home.status})
    for name, value in _clean_fields(fields).items():
        setattr(home, name, value)
    if address is not None:
        if not address.strip():
            raise InvalidField("address", _("L'adresse est obligatoire."))
        home.address = address.strip()
    if (lon is None) != (lat is None):
        raise InvalidField("lat" if lat is None else "lon", _("La longitude et la latitude vont ensemble."))
    if lon is not None and lat is not None:
        _place(home, lon, lat)
    home.save()
    _homes_changed(home.pk)
    return home


def _check_eligible(actor: User) -> None:
    eligibility = agent_eligibility(actor, timezone.localdate())
    if not eligibility.eligible:
        raise NotEligible(detail={"reason": eligibility.reason_code, "message": eligibility.message})


@transaction.atomic
def home_publish(*, actor: User, home: Home) -> Home:
    """The owner, an eligible agent, publishes a draft or paused home. Raises NotHomeOwner, NotEligible,
    HomeWrongState."""
    home = _locked(home)
    _check_owner(actor, home)
    _check_eligible(home.owner)
    transition_run(
        home, "publish", actor=actor, refused=NotHomeOwner, wrong_state=HomeWrongState, at=timezone.now()
    )
    _homes_changed(home.pk)
    return home


@transaction.atomic
def home_pause(*, actor: User, home: Home) -> Home:
    """The owner takes a published home off the map for a while. Raises NotHomeOwner, HomeWrongState."""
    home = _locked(home)
    transition_run(home, "pause", actor=actor, refused=NotHomeOwner, wrong_state=HomeWrongState)
    _homes_changed(home.pk)
    return home


@transaction.atomic
def home_archive(*, actor: User, home: Home) -> Home:
    """The owner removes the home (kept, archived, for the history of past swaps). Raises NotHomeOwner,
    HomeWrongState."""
    home = _locked(home)
    transition_run(home, "archive", actor=actor, refused=NotHomeOwner, wrong_state=HomeWrongState)
    _homes_changed(home.pk)
    return home


@transaction.atomic
def home_cells_rebuild() -> int:
    """Recount every cell of the cluster grid from the published homes (what the `home_cells` trigger keeps
    up to date one home at a time), their facets (`home_facet_cells`) and the homes' free runs
    (`home_free_runs`): after a bulk load that bypassed triggers. Returns the number of cells."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(%s)", [CELLS_LOCK])
        cursor.execute("DELETE FROM exchanges_homecell")
        for zoom in range(CELLS_MAX_ZOOM + 1):
            keys = cell_keys_sql("h.public_point_m", zooms="(VALUES (%s))")
            cursor.execute(
                "INSERT INTO exchanges_homecell (zoom, cx, cy, count, sum_x, sum_y, sum_id)"  # noqa: S608
                " SELECT k.zoom, k.cx, k.cy, count(*), sum(ST_X(h.public_point_m)), sum(ST_Y(h.public_point_m)),"
                f" sum(h.id) FROM exchanges_home h CROSS JOIN LATERAL ({keys}) k"
                " WHERE h.status = %s GROUP BY k.zoom, k.cx, k.cy",
                [zoom, HomeStatus.PUBLISHED],
            )
        cursor.execute("DELETE FROM exchanges_homefacetcell")
        for zoom in range(FACETS_MAX_ZOOM + 1):
            keys = cell_keys_sql("h.public_point_m", zooms="(VALUES (%s))")
            cursor.execute(
                "INSERT INTO exchanges_homefacetcell (zoom, cx, cy, sleeps, kind, count, sum_x, sum_y, sum_id)"  # noqa: S608
                " SELECT k.zoom, k.cx, k.cy, h.sleeps, h.kind, count(*), sum(ST_X(h.public_point_m)),"
                f" sum(ST_Y(h.public_point_m)), sum(h.id) FROM exchanges_home h CROSS JOIN LATERAL ({keys}) k"
                " WHERE h.status = %s GROUP BY k.zoom, k.cx, k.cy, h.sleeps, h.kind",
                [zoom, HomeStatus.PUBLISHED],
            )
        cursor.execute("DELETE FROM exchanges_homefreerun")
        cursor.execute(
            "INSERT INTO exchanges_homefreerun (home_id, owner_id, sleeps, kind, amenities, accessibility, x, y, free)"
            " SELECT h.id, h.owner_id, h.sleeps, h.kind, h.amenities, h.accessibility, ST_X(h.public_point_m),"
            " ST_Y(h.public_point_m), r"
            " FROM exchanges_home h CROSS JOIN LATERAL unnest(h.availability) r WHERE h.status = %s",
            [HomeStatus.PUBLISHED],
        )
        cursor.execute("SELECT count(*) FROM exchanges_homecell")
        row = cursor.fetchone()
    _homes_changed()
    return int(row[0]) if row else 0


def homes_follow_eligibility(*, today: dt.date) -> tuple[list[int], list[int]]:
    """Daily: pause the published homes of owners who lost eligibility, bring back those the platform had
    paused once their owner is eligible again, and tell each owner once (event and e-mail, after commit).
    Returns (paused, resumed) ids."""
    paused: list[int] = []
    resumed: list[int] = []
    with transaction.atomic():
        candidates = (
            Home.objects.select_for_update(of=("self",))
            .filter(status__in=[HomeStatus.PUBLISHED, HomeStatus.PAUSED])
            .select_related("owner", "commune")
            .order_by("owner_id", "pk")
        )
        for _owner_id, group in groupby(candidates, key=lambda home: home.owner_id):
            homes = list(group)
            owner = homes[0].owner
            with translation.override(owner.preferred_language):  # the reason, in the owner's language
                eligibility = agent_eligibility(owner, today)
            off = [h for h in homes if h.status == HomeStatus.PUBLISHED and not eligibility.eligible]
            back = [
                h
                for h in homes
                if h.status == HomeStatus.PAUSED and h.paused_for_eligibility and eligibility.eligible
            ]
            for home in off:
                transition_run(home, "pause", actor=None, comment="eligibility", for_eligibility=True)
                publish(HomePausedForEligibility(home=home.pk), to=[owner.pk])
            for home in back:
                transition_run(home, "publish", actor=None, comment="eligibility", at=timezone.now())
                publish(HomeResumed(home=home.pk), to=[owner.pk])
            if off:
                mail_homes_paused_for_eligibility(owner=owner, homes=off, reason=eligibility.message)
            if back:
                mail_homes_back_on_the_map(owner=owner, homes=back)
            paused += [h.pk for h in off]
            resumed += [h.pk for h in back]
        if paused or resumed:
            _homes_changed(*paused, *resumed)
    return paused, resumed


# ---- Availability ------------------------------------------------------------------------------------------


def _check_range(start: dt.date, end: dt.date, *, field: str = "end") -> None:
    if end <= start:
        raise InvalidField(field, _("La fin doit être après le début (période non vide)."))


@transaction.atomic
def availability_add(
    *, actor: User, home: Home, start: dt.date, end: dt.date, mode: str = AvailabilityMode.RECIPROCAL
) -> AvailabilityPeriod:
    """A period [start, end) when the home is free. Raises NotHomeOwner, InvalidField (past, inverted or
    empty range, unknown mode), AvailabilityOverlap (409)."""
    home = _locked(home)
    _check_owner(actor, home)
    _check_range(start, end)
    if start < timezone.localdate():
        raise InvalidField("start", _("Une période de disponibilité ne commence pas dans le passé."))
    if (end - start).days > 366:
        raise InvalidField("end", _("Une période dure au plus un an."))
    if mode not in AvailabilityMode.values:
        raise InvalidField("mode", _("Mode inconnu : reciprocal ou open."))
    _homes_changed(home.pk)
    try:
        with transaction.atomic():
            return AvailabilityPeriod.objects.create(home=home, period=DateRange(start, end), mode=mode)
    except IntegrityError as error:
        raise AvailabilityOverlap(detail={"constraint": "availability_no_overlap"}) from error


@transaction.atomic
def availability_delete(*, actor: User, period: AvailabilityPeriod) -> None:
    home = _locked(period.home)
    _check_owner(actor, home)
    period.delete()
    _homes_changed(home.pk)


# ---- Destination wishes ------------------------------------------------------------------------------------


def _area_from_geojson(area: dict[str, Any]) -> MultiPolygon:
    """A drawn area, validated: a (multi)polygon in WGS 84, at most MAX_WISH_VERTICES vertices, repaired when
    it self-intersects, of bounded size. Raises InvalidField("area")."""
    if area.get("type") not in ("Polygon", "MultiPolygon"):
        raise InvalidField("area", _("La zone doit être un polygone GeoJSON (Polygon ou MultiPolygon)."))
    try:
        geometry = GEOSGeometry(json.dumps(area), srid=4326)
    except (GEOSException, GDALException, ValueError, TypeError) as error:
        raise InvalidField(
            "area", _("Polygone illisible : coordonnées [longitude, latitude] attendues.")
        ) from error
    if geometry.num_coords > MAX_WISH_VERTICES:
        raise InvalidField(
            "area", _("Zone trop détaillée : au plus %(n)s sommets.") % {"n": MAX_WISH_VERTICES}
        )
    west, south, east, north = geometry.extent
    if not (-180 <= west <= east <= 180 and -90 <= south <= north <= 90):
        raise InvalidField(
            "area", _("Coordonnées hors limites : longitude entre -180 et 180, latitude entre -90 et 90.")
        )
    if not geometry.valid:
        geometry = geometry.make_valid()  # type: ignore[attr-defined]
    polygons = [g for g in _parts(geometry) if isinstance(g, Polygon) and not g.empty]
    if not polygons:
        raise InvalidField("area", _("La zone dessinée n'a pas de surface."))
    return MultiPolygon(polygons, srid=4326)


def _parts(geometry: GEOSGeometry) -> list[GEOSGeometry]:
    if isinstance(geometry, Polygon):
        return [geometry]
    return [part for sub in geometry for part in _parts(sub)] if hasattr(geometry, "__iter__") else []


def _check_codes(field: str, codes: list[str], model: type[Region | Departement | Commune]) -> list[str]:
    codes = sorted({c.strip().upper() for c in codes})
    known = set(model.objects.filter(code__in=codes).values_list("code", flat=True))
    unknown = [c for c in codes if c not in known]
    if unknown:
        raise InvalidField(field, _("Codes inconnus : %(codes)s.") % {"codes": ", ".join(unknown[:10])})
    return codes


def _target(wish: DestinationWish) -> MultiPolygon:
    """The union of every place of the wish, computed by PostGIS (metres for the circle). Régions and
    départements use their drawing boundaries (simplified): a wish is not a cadastre, and the union of two
    full-resolution coastlines costs ten times more."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT ST_AsHEXEWKB(ST_Multi(ST_CollectionExtract(ST_MakeValid(ST_Union(g)), 3))) FROM ("  # noqa: S608
            f"  SELECT geom_simple AS g FROM {Region._meta.db_table} WHERE code = ANY(%(regions)s)"
            f"  UNION ALL SELECT geom_simple FROM {Departement._meta.db_table} WHERE code = ANY(%(departements)s)"
            f"  UNION ALL SELECT geom FROM {Commune._meta.db_table} WHERE code = ANY(%(communes)s)"
            "   UNION ALL SELECT %(area)s::geometry WHERE %(area)s::text IS NOT NULL"
            "   UNION ALL SELECT ST_Buffer(%(center)s::geography, %(radius)s)::geometry"
            "     WHERE %(center)s::text IS NOT NULL"
            ") places",
            {
                "regions": wish.regions,
                "departements": wish.departements,
                "communes": wish.communes,
                "area": wish.area.hexewkb.decode() if wish.area else None,
                "center": wish.center.hexewkb.decode() if wish.center else None,
                "radius": wish.radius_m or 0,
            },
        )
        (hexewkb,) = cursor.fetchone()
    return GEOSGeometry(hexewkb) if hexewkb else MultiPolygon(srid=4326)  # type: ignore[return-value]


@transaction.atomic
def wish_add(
    *,
    actor: User,
    home: Home,
    start: dt.date,
    end: dt.date,
    regions: list[str] | None = None,
    departements: list[str] | None = None,
    communes: list[str] | None = None,
    area: dict[str, Any] | None = None,
    center_lon: float | None = None,
    center_lat: float | None = None,
    radius_m: int | None = None,
    flexibility_days: int = 0,
    adults: int = 1,
    children: int = 0,
) -> DestinationWish:
    """Where the owner of `home` wishes to go: any mix of territories, a drawn area and a circle, with dates
    (± flexibility) and the party. Raises NotHomeOwner, InvalidField naming the field."""
    home = _locked(home)
    _check_owner(actor, home)
    _check_range(start, end)
    if end < timezone.localdate():
        raise InvalidField("end", _("Ces dates sont passées."))
    regions, departements, communes = regions or [], departements or [], communes or []
    if len(regions) + len(departements) + len(communes) > MAX_WISH_TERRITORIES:
        raise InvalidField(
            "communes", _("Au plus %(n)s territoires par souhait.") % {"n": MAX_WISH_TERRITORIES}
        )
    wish = DestinationWish(
        home=home,
        regions=_check_codes("regions", regions, Region),
        departements=_check_codes("departements", departements, Departement),
        communes=_check_codes("communes", communes, Commune),
        dates=DateRange(start, end),
        flexibility_days=flexibility_days,
        adults=adults,
        children=children,
    )
    if area is not None:
        wish.area = _area_from_geojson(area)
    if (center_lon is None) != (center_lat is None) or (center_lon is None) != (radius_m is None):
        raise InvalidField("radius_m", _("Un cercle a un centre (longitude, latitude) et un rayon."))
    if center_lon is not None and center_lat is not None and radius_m is not None:
        if not 100 <= radius_m <= 200_000:
            raise InvalidField("radius_m", _("Rayon entre 100 m et 200 km."))
        wish.center, wish.radius_m = check_coordinates(center_lon, center_lat), radius_m
    if not (wish.regions or wish.departements or wish.communes or wish.area or wish.center):
        raise InvalidField("regions", _("Indiquez au moins un lieu : territoire, zone dessinée ou cercle."))
    if not 0 <= flexibility_days <= 30:
        raise InvalidField("flexibility_days", _("Souplesse entre 0 et 30 jours."))
    if not (1 <= adults <= 20 and 0 <= children <= 20):
        raise InvalidField("adults", _("De 1 à 20 adultes et de 0 à 20 enfants."))
    wish.target = _target(wish)
    if wish.target is None or wish.target.empty:
        raise InvalidField("area", _("La zone souhaitée est vide."))
    if wish.area is not None:
        with connection.cursor() as cursor:
            cursor.execute("SELECT ST_Area(%s::geography) / 1e6", [wish.area.hexewkb.decode()])
            (area_km2,) = cursor.fetchone()
        if area_km2 > MAX_WISH_AREA_KM2:
            raise InvalidField(
                "area",
                _("Zone trop vaste (%(km2)s km²) : au plus %(max)s km².")
                % {
                    "km2": f"{area_km2:,.0f}".replace(",", " "),
                    "max": f"{MAX_WISH_AREA_KM2:,}".replace(",", " "),
                },
            )
    wish.save()
    _homes_changed(home.pk)
    return wish


@transaction.atomic
def wish_delete(*, actor: User, wish: DestinationWish) -> None:
    home = _locked(wish.home)
    _check_owner(actor, home)
    wish.delete()
    _homes_changed(home.pk)


# ---- Photos ------------------------------------------------------------------------------------------------

PHOTO_MAX_SIDE = 1600


@transaction.atomic
def photo_add(*, actor: User, home: Home, upload: UploadedFile) -> HomePhoto:
    """A photo of the home, checked by its content and re-encoded without metadata (marketplace.images).

    Raises NotHomeOwner, InvalidField("photo") (not an image, too large, 20 photos already),
    TooManyRequests (too many photos being decoded at once).
    """
    home = _locked(home)
    _check_owner(actor, home)
    if home.photos.count() >= HomePhoto.MAX_PHOTOS:
        raise InvalidField("photo", _("Au plus %(n)s photos par logement.") % {"n": HomePhoto.MAX_PHOTOS})
    content = photo_reencoded(upload, field="photo", max_side=PHOTO_MAX_SIDE)
    with Image.open(content) as image:
        width, height = image.size
    content.seek(0)
    position = (home.photos.aggregate(last=Max("position"))["last"] or 0) + 1
    photo = HomePhoto(home=home, width=width, height=height, position=position)
    photo.image.save(content.name or "photo.jpg", content, save=False)
    name, storage = photo.image.name, photo.image.storage
    try:  # the file is written before the row: a failed insert must not leave it behind
        photo.save()
    except Exception:
        storage.delete(name)
        raise
    _homes_changed()
    return photo


@transaction.atomic
def photo_delete(*, actor: User, photo: HomePhoto) -> None:
    home = _locked(photo.home)
    _check_owner(actor, home)
    name, storage = photo.image.name, photo.image.storage
    photo.delete()
    transaction.on_commit(lambda: storage.delete(name), robust=True)
    _homes_changed()
