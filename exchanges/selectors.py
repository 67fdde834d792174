"""Reads on homes: the owner's, one home for an actor, and its periods and wishes."""

import json
from typing import Any

from django.contrib.gis.db.models.functions import AsGeoJSON, PointOnSurface
from django.db.models import ExpressionWrapper, F, FloatField, Prefetch, QuerySet

from exchanges.exceptions import (
    FavouriteListNotFound,
    HomeNotFound,
    PeriodNotFound,
    PhotoNotFound,
    SavedSearchNotFound,
    WishNotFound,
)
from exchanges.models import (
    AvailabilityPeriod,
    DestinationWish,
    Favourite,
    FavouriteList,
    Home,
    HomePhoto,
    HomeQuerySet,
    SavedSearch,
)
from marketplace.accounts.models import User

WISH_ORDER = ("dates", "pk")  # the list of a home's wishes and their map, in the same order


def _homes() -> HomeQuerySet:
    return (
        Home.objects.select_related("owner", "commune", "departement", "region")
        .defer(
            "commune__geom",
            "departement__geom",
            "departement__geom_simple",
            "region__geom",
            "region__geom_simple",
        )
        .prefetch_related(
            "photos",
            Prefetch("periods", queryset=AvailabilityPeriod.objects.order_by("period")),
            Prefetch(
                "wishes",
                queryset=DestinationWish.objects.defer("target")
                .annotate(radius_km=ExpressionWrapper(F("radius_m") / 1000.0, output_field=FloatField()))
                .order_by(*WISH_ORDER),
            ),
        )
    )


def homes_of_owner(owner: User) -> QuerySet[Home]:
    return _homes().owned_by(owner).order_by("-created_at", "-pk")


def home_get_for_actor(*, actor: User, home_id: int) -> Home:
    """A home the actor may see (published, or their own). Raises HomeNotFound when missing or invisible."""
    home = _homes().visible_to(actor).filter(pk=home_id).first()
    if home is None:
        raise HomeNotFound()
    return home


def home_get_for_owner(*, actor: User, home_id: int) -> Home:
    """A home the actor owns (administrators: any). Raises HomeNotFound, also for someone else's home."""
    qs = _homes() if actor.is_superuser else _homes().filter(owner=actor)
    home = qs.filter(pk=home_id).first()
    if home is None:
        raise HomeNotFound()
    return home


def period_get_for_owner(*, actor: User, home: Home, period_id: int) -> AvailabilityPeriod:
    period = AvailabilityPeriod.objects.filter(home=home, pk=period_id).select_related("home").first()
    if period is None or (period.home.owner_id != actor.pk and not actor.is_superuser):
        raise PeriodNotFound()
    return period


def photo_get_for_owner(*, actor: User, home: Home, photo_id: int) -> HomePhoto:
    photo = HomePhoto.objects.filter(home=home, pk=photo_id).select_related("home").first()
    if photo is None or (photo.home.owner_id != actor.pk and not actor.is_superuser):
        raise PhotoNotFound()
    return photo


def wish_get_for_owner(*, actor: User, home: Home, wish_id: int) -> DestinationWish:
    wish = DestinationWish.objects.filter(home=home, pk=wish_id).select_related("home").first()
    if wish is None or (wish.home.owner_id != actor.pk and not actor.is_superuser):
        raise WishNotFound()
    return wish


def wishes_geojson(home: Home) -> dict[str, Any]:
    """The home's destination wishes as a GeoJSON FeatureCollection of their targets (the union of each wish's
    places), numbered as the page lists them, with a point inside each for its number: public, as the wishes
    are on the home's page; nothing of the home's own location."""
    rows = (
        DestinationWish.objects.filter(home=home)
        .order_by(*WISH_ORDER)
        .annotate(inside=PointOnSurface("target"), geojson=AsGeoJSON("target", precision=5))
        .values_list("pk", "geojson", "inside")
    )
    return {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "id": pk,
                "properties": {"number": n, "inside": [round(inside.x, 5), round(inside.y, 5)]},
                "geometry": json.loads(geojson),
            }
            for n, (pk, geojson, inside) in enumerate(rows, start=1)
        ],
    }


# ---- Search ------------------------------------------------------------------------------------------------

HOMES_VERSION_KEY = "exchanges:homes_version"


def homes_searchable(actor: User) -> HomeQuerySet:
    """Published homes of others, light (no description, no exact location loaded)."""
    qs = Home.objects.published().select_related("commune", "departement", "region")
    if getattr(actor, "is_authenticated", False):
        qs = qs.exclude(owner=actor)
    return qs.only(
        "id",
        "title",
        "kind",
        "sleeps",
        "bedrooms",
        "amenities",
        "accessibility",
        "public_point",
        "created_at",
        "commune__code",
        "commune__name",
        "departement__code",
        "departement__name",
        "region__code",
        "region__name",
    )


def homes_version() -> str:
    """Changes whenever a home, its availability or its wishes change: the key of tile ETags."""
    from django.core.cache import cache

    return str(cache.get_or_set(HOMES_VERSION_KEY, "0"))


def favourite_lists_of(owner: User) -> QuerySet[FavouriteList]:
    """The owner's lists with their homes (only those still visible: published, or the owner's own)."""
    visible = Favourite.objects.filter(home__in=Home.objects.visible_to(owner).values("pk")).select_related(
        "home__commune", "home__departement", "home__region"
    )
    return (
        FavouriteList.objects.filter(owner=owner)
        .prefetch_related(Prefetch("entries", queryset=visible.order_by("-added_at")))
        .order_by("name")
    )


def favourite_list_get_for_owner(*, actor: User, list_id: int) -> FavouriteList:
    found = FavouriteList.objects.filter(owner=actor, pk=list_id).first()
    if found is None:
        raise FavouriteListNotFound()
    return found


def saved_searches_of(owner: User) -> QuerySet[SavedSearch]:
    return SavedSearch.objects.filter(owner=owner).order_by("name")


def saved_search_get_for_owner(*, actor: User, saved_id: int) -> SavedSearch:
    found = SavedSearch.objects.filter(owner=actor, pk=saved_id).first()
    if found is None:
        raise SavedSearchNotFound()
    return found
