"""Homes: the owner's list and editor, availability and wishes. Session auth with CSRF.

Search, tiles and favourites come with the rest of the homes issue; the paths here are the contract.
"""

from django.http import HttpRequest
from ninja import Router
from ninja.responses import Status
from ninja.security import django_auth

from exchanges import selectors, services
from exchanges.models import AvailabilityPeriod, DestinationWish, Home
from exchanges.schemas import HomeIn, HomeOut, HomePatch, PeriodIn, PeriodOut, WishIn, WishOut
from marketplace.accounts.models import User

homes = Router(tags=["homes"], auth=django_auth)


def _actor(request: HttpRequest) -> User:
    assert isinstance(request.user, User)
    return request.user


def _own(request: HttpRequest, home_id: int) -> Home:
    return selectors.home_get_for_owner(actor=_actor(request), home_id=home_id)


@homes.get("", response=list[HomeOut], summary="Mes logements")
def my_homes(request: HttpRequest) -> list[Home]:
    return list(selectors.homes_of_owner(_actor(request)))


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
