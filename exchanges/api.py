"""Homes: the owner's list and editor, availability and wishes. Session auth with CSRF.

Search, tiles and favourites come with the rest of the homes issue; the paths here are the contract.
"""

import datetime as dt
import hashlib
import json
from typing import Annotated, Literal

from django.db.backends.postgresql.psycopg_any import DateRange
from django.db.models import Q
from django.http import HttpRequest, HttpResponse, QueryDict
from django.utils.translation import gettext as _
from ninja import File, Path, Query, Router, UploadedFile
from ninja.responses import Status
from ninja.security import django_auth

from exchanges import favourites as favourites_services
from exchanges import selectors, services, tiles
from exchanges.filters import HomeSearchFilter, MyHomesFilter
from exchanges.matching import selectors as matching
from exchanges.models import AvailabilityPeriod, DestinationWish, FavouriteList, Home, HomePhoto, SavedSearch
from exchanges.schemas import (
    FavouriteIn,
    FavouriteListIn,
    FavouriteListOut,
    HomeCard,
    HomeIn,
    HomeOut,
    HomePatch,
    MatchOut,
    PeriodIn,
    PeriodOut,
    PhotoOut,
    SavedSearchIn,
    SavedSearchOut,
    WishIn,
    WishOut,
)
from marketplace import lists
from marketplace.accounts.models import User
from marketplace.errors import InvalidField
from marketplace.lists import ListQuery, Page, PageOut

homes = Router(tags=["homes"], auth=django_auth)
home_tiles = Router(tags=["homes"], auth=django_auth)


def _actor(request: HttpRequest) -> User:
    assert isinstance(request.user, User)
    return request.user


def _own(request: HttpRequest, home_id: int) -> Home:
    return selectors.home_get_for_owner(actor=_actor(request), home_id=home_id)


def _search_params(request: HttpRequest) -> QueryDict:
    params = request.GET.copy()
    params.pop("format", None)
    return params


@homes.get(
    "/search",
    response={200: PageOut[HomeCard]},
    summary=(
        "Chercher des logements (carte) ; ?format=geojson pour une FeatureCollection ; tri : distance (au centre "
        "de bbox ou à near ; par défaut avec l'un d'eux), -created_at (par défaut sinon), created_at, fit"
    ),
)
def search(
    request: HttpRequest, paging: Query[ListQuery], format: Literal["json", "geojson"] = "json"
) -> Page[Home] | HttpResponse:
    page = lists.paginate(
        _search_params(request),
        HomeSearchFilter,
        selectors.homes_searchable(_actor(request)),
        max_limit=500,
        request=request,
    )
    if format == "geojson":
        return _geojson(page)
    return page


def _geojson(page: Page[Home]) -> HttpResponse:
    features = [
        {
            "type": "Feature",
            "id": home.pk,
            "geometry": {
                "type": "Point",
                "coordinates": [round(home.public_point.x, 6), round(home.public_point.y, 6)],
            },
            "properties": {"id": home.pk, "title": home.title, "sleeps": home.sleeps, "kind": home.kind},
        }
        for home in page.items
    ]
    body = {"type": "FeatureCollection", "features": features, "next": page.next}
    return HttpResponse(json.dumps(body, ensure_ascii=False), content_type="application/geo+json")


@homes.get("", response=PageOut[HomeOut], summary="Mes logements ; tri : -created_at, created_at")
def my_homes(request: HttpRequest, paging: Query[ListQuery], status: str | None = None) -> Page[Home]:
    return lists.paginate(request.GET, MyHomesFilter, selectors.homes_of_owner(_actor(request)))


@homes.post("", response={201: HomeOut}, summary="Ajouter un logement (brouillon)")
def create(request: HttpRequest, payload: HomeIn) -> Status[Home]:
    home = services.home_create(actor=_actor(request), **payload.dict())
    return Status(201, selectors.home_get_for_owner(actor=_actor(request), home_id=home.pk))


@homes.get("/{home_id}", response=HomeOut, summary="Un logement (adresse exacte : propriétaire seul)")
def detail(request: HttpRequest, home_id: int) -> Home:
    return selectors.home_get_for_actor(actor=_actor(request), home_id=home_id)


@homes.patch("/{home_id}", response=HomeOut, summary="Modifier mon logement")
def update(request: HttpRequest, home_id: int, payload: HomePatch) -> Home:
    services.home_update(
        actor=_actor(request), home=_own(request, home_id), **payload.dict(exclude_unset=True)
    )
    return _own(request, home_id)


@homes.delete("/{home_id}", response=HomeOut, summary="Retirer mon logement (archivé)")
def archive(request: HttpRequest, home_id: int) -> Home:
    services.home_archive(actor=_actor(request), home=_own(request, home_id))
    return _own(request, home_id)


@homes.post("/{home_id}/publish", response=HomeOut, summary="Publier (agent éligible)")
def publish(request: HttpRequest, home_id: int) -> Home:
    services.home_publish(actor=_actor(request), home=_own(request, home_id))
    return _own(request, home_id)


@homes.post("/{home_id}/pause", response=HomeOut, summary="Mettre en pause")
def pause(request: HttpRequest, home_id: int) -> Home:
    services.home_pause(actor=_actor(request), home=_own(request, home_id))
    return _own(request, home_id)


@homes.get(
    "/{home_id}/matches",
    response=list[MatchOut],
    summary=(
        "Échanges possibles pour mon logement : paires et boucles de 3 ou 4 logements, les meilleurs d'abord, "
        "avec leur raison ; stored=true : ceux que le calcul de fond a gardés"
    ),
)
def matches(request: HttpRequest, home_id: int, stored: bool = False) -> list[matching.SuggestionView]:
    return matching.suggestions_for_owner(actor=_actor(request), home_id=home_id, fresh=not stored)


@homes.post(
    "/{home_id}/photos", response={201: PhotoOut}, summary="Ajouter une photo (JPEG, PNG ou WebP, 5 Mo)"
)
def add_photo(request: HttpRequest, home_id: int, photo: File[UploadedFile]) -> Status[HomePhoto]:
    return Status(201, services.photo_add(actor=_actor(request), home=_own(request, home_id), upload=photo))


@homes.delete("/{home_id}/photos/{photo_id}", response={204: None}, summary="Retirer une photo")
def delete_photo(request: HttpRequest, home_id: int, photo_id: int) -> Status[None]:
    home = _own(request, home_id)
    photo_row = selectors.photo_get_for_owner(actor=_actor(request), home=home, photo_id=photo_id)
    services.photo_delete(actor=_actor(request), photo=photo_row)
    return Status(204, None)


@homes.get("/{home_id}/availability", response=list[PeriodOut], summary="Disponibilités")
def periods(request: HttpRequest, home_id: int) -> list[AvailabilityPeriod]:
    return list(selectors.home_get_for_actor(actor=_actor(request), home_id=home_id).periods.all())


@homes.post("/{home_id}/availability", response={201: PeriodOut}, summary="Ajouter une disponibilité")
def add_period(request: HttpRequest, home_id: int, payload: PeriodIn) -> Status[AvailabilityPeriod]:
    return Status(
        201, services.availability_add(actor=_actor(request), home=_own(request, home_id), **payload.dict())
    )


@homes.delete(
    "/{home_id}/availability/{period_id}", response={204: None}, summary="Retirer une disponibilité"
)
def delete_period(request: HttpRequest, home_id: int, period_id: int) -> Status[None]:
    home = _own(request, home_id)
    period = selectors.period_get_for_owner(actor=_actor(request), home=home, period_id=period_id)
    services.availability_delete(actor=_actor(request), period=period)
    return Status(204, None)


@homes.get("/{home_id}/wishes", response=list[WishOut], summary="Souhaits de destination")
def wishes(request: HttpRequest, home_id: int) -> list[DestinationWish]:
    return list(selectors.home_get_for_actor(actor=_actor(request), home_id=home_id).wishes.all())


@homes.post("/{home_id}/wishes", response={201: WishOut}, summary="Ajouter un souhait de destination")
def add_wish(request: HttpRequest, home_id: int, payload: WishIn) -> Status[DestinationWish]:
    return Status(
        201, services.wish_add(actor=_actor(request), home=_own(request, home_id), **payload.dict())
    )


@homes.delete("/{home_id}/wishes/{wish_id}", response={204: None}, summary="Retirer un souhait")
def delete_wish(request: HttpRequest, home_id: int, wish_id: int) -> Status[None]:
    home = _own(request, home_id)
    wish = selectors.wish_get_for_owner(actor=_actor(request), home=home, wish_id=wish_id)
    services.wish_delete(actor=_actor(request), wish=wish)
    return Status(204, None)


@home_tiles.get(
    "/homes/{z}/{x}/{y}.mvt",
    summary="Tuile vectorielle des logements (mêmes filtres que la recherche ; agrégée aux petits zooms)",
    response={200: None, 304: None},
)
def home_tile(request: HttpRequest, z: Annotated[int, Path(ge=0, le=22)], x: int, y: int) -> HttpResponse:
    if not (0 <= x < 2**z and 0 <= y < 2**z):
        raise InvalidField("x", _("Tuile hors de la grille : 0 ≤ x, y < 2^z."))
    params = _search_params(request)
    params.pop("bbox", None)  # the tile is the viewport
    etag = _tile_etag(request, z, x, y, params)
    if request.headers.get("If-None-Match") == etag:
        response = HttpResponse(status=304)
    else:
        lists.check_params(params, HomeSearchFilter, allowed=())
        # An empty value is no filter (the FilterSet ignores it): the counted cells still answer.
        active = {key for key in params if any(params.getlist(key))}
        body: bytes | None = None
        if not active and z <= tiles.CELLS_MAX_ZOOM:
            body = tiles.counted_tile(_actor(request).pk, z, x, y)
        elif active <= tiles.PRECOUNTED and z <= tiles.FACETS_MAX_ZOOM:
            body = _precounted_tile(request, params, z, x, y)
        if body is None:
            queryset = lists.filtered(
                params, HomeSearchFilter, selectors.homes_searchable(_actor(request)), request=request
            )
            body = tiles.tile(queryset.filter(_held_nights(params)), z, x, y)
        response = HttpResponse(body, content_type="application/vnd.mapbox-vector-tile")
    response["ETag"] = etag
    # Private: a search may exclude the user's own homes or depend on where they live.
    response["Cache-Control"] = "private, max-age=60"
    return response


def _precounted_tile(request: HttpRequest, params: QueryDict, z: int, x: int, y: int) -> bytes | None:
    """A low-zoom tile filtered on party size, kind, dates, amenities and accessibility alone, from what the
    database keeps counted: the faceted cells without dates (party size and kind only); with dates, the free runs when the stay is longer than twice its slack
    and the tile holds many homes. None otherwise (the tile is then grouped from its homes)."""
    data = lists.cleaned(params, HomeSearchFilter, Home.objects.none(), allowed=())
    guests = int(data["guests"]) if data.get("guests") is not None else None
    kind = data.get("kind") or None
    start, end = data.get("start"), data.get("end")
    amenities, accessibility = data.get("amenities") or [], data.get("accessibility") or []
    viewer = _actor(request).pk
    if start is None or end is None:  # the form has them both or neither
        if amenities or accessibility:
            return None  # not counted by facet
        return tiles.counted_tile(viewer, z, x, y, guests=guests, kind=kind)
    slack = dt.timedelta(days=int(data.get("flexibility") or 0))
    stay, window = DateRange(start, end), DateRange(start - slack, end + slack)
    if tiles.middle(stay, window) is None or not tiles.holds_many(z, x, y):
        return None
    return tiles.dated_tile(
        viewer,
        z,
        x,
        y,
        stay=stay,
        window=window,
        guests=guests,
        kind=kind,
        amenities=amenities,
        accessibility=accessibility,
    )


def _held_nights(params: QueryDict) -> Q:
    """For a tile grouped from its homes: a stay longer than twice its slack holds its middle nights, however
    it slides, so a matching home is free on them (necessary, not sufficient: the FilterSet decides). The dates
    index (`home_dates`) tests it, and it leaves far fewer homes to check than the window's overlap. Not added
    to the search itself: there, its low estimate turned the newest-first order away from its index."""
    data = lists.cleaned(params, HomeSearchFilter, Home.objects.none(), allowed=())
    start, end = data.get("start"), data.get("end")
    if start is None or end is None:
        return Q()
    slack = dt.timedelta(days=int(data.get("flexibility") or 0))
    held = tiles.middle(DateRange(start, end), DateRange(start - slack, end + slack))
    return Q(availability__contains=held) if held is not None else Q()


def _tile_etag(request: HttpRequest, z: int, x: int, y: int, params: QueryDict) -> str:
    key = f"{selectors.homes_version()}|{request.user.pk}|{z}/{x}/{y}|{params.urlencode()}"
    return '"' + hashlib.sha256(key.encode()).hexdigest()[:32] + '"'


favourites = Router(tags=["favourites"], auth=django_auth)
saved_searches = Router(tags=["saved searches"], auth=django_auth)


@favourites.get("", response=list[FavouriteListOut], summary="Mes listes de favoris")
def favourite_lists(request: HttpRequest) -> list[FavouriteList]:
    return list(selectors.favourite_lists_of(_actor(request)))


@favourites.post("", response={201: FavouriteListOut}, summary="Créer une liste de favoris")
def favourite_list_create(request: HttpRequest, payload: FavouriteListIn) -> Status[FavouriteList]:
    return Status(201, favourites_services.favourite_list_create(actor=_actor(request), name=payload.name))


@favourites.post(
    "/{list_id}/homes", response={201: FavouriteListOut}, summary="Ajouter un logement à la liste"
)
def favourite_add(request: HttpRequest, list_id: int, payload: FavouriteIn) -> Status[FavouriteList]:
    actor = _actor(request)
    target = selectors.favourite_list_get_for_owner(actor=actor, list_id=list_id)
    home = selectors.home_get_for_actor(actor=actor, home_id=payload.home_id)
    favourites_services.favourite_add(actor=actor, home=home, favourite_list=target)
    return Status(201, selectors.favourite_lists_of(actor).get(pk=target.pk))


@favourites.delete(
    "/{list_id}/homes/{home_id}", response={204: None}, summary="Retirer un logement de la liste"
)
def favourite_remove(request: HttpRequest, list_id: int, home_id: int) -> Status[None]:
    actor = _actor(request)
    target = selectors.favourite_list_get_for_owner(actor=actor, list_id=list_id)
    home = selectors.home_get_for_actor(actor=actor, home_id=home_id)
    favourites_services.favourite_remove(actor=actor, home=home, favourite_list=target)
    return Status(204, None)


@saved_searches.get("", response=list[SavedSearchOut], summary="Mes recherches enregistrées")
def saved_search_list(request: HttpRequest) -> list[SavedSearch]:
    return list(selectors.saved_searches_of(_actor(request)))


@saved_searches.post("", response={201: SavedSearchOut}, summary="Enregistrer une recherche (alerte e-mail)")
def saved_search_create(request: HttpRequest, payload: SavedSearchIn) -> Status[SavedSearch]:
    return Status(201, favourites_services.saved_search_create(actor=_actor(request), **payload.dict()))


@saved_searches.delete("/{saved_id}", response={204: None}, summary="Supprimer une recherche enregistrée")
def saved_search_delete(request: HttpRequest, saved_id: int) -> Status[None]:
    actor = _actor(request)
    saved = selectors.saved_search_get_for_owner(actor=actor, saved_id=saved_id)
    favourites_services.saved_search_delete(actor=actor, saved=saved)
    return Status(204, None)
