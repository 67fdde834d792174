"""Three eligible agents with a published home each (Grenoble, Quimper, Rennes), free over the same weeks.

The Grenoble home carries the planted address (SENTINEL_ADDRESS) and its owner a planted phone: only the
guest of a confirmed stay there may ever receive them."""

from dataclasses import dataclass

import pytest

from exchanges import services as home_services
from exchanges.models import Home
from exchanges.swaps import services
from exchanges.swaps.models import SwapProposal
from geo.models import Commune
from marketplace.accounts.models import User
from tests.exchanges.conftest import SENTINEL, SENTINEL_ADDRESS
from tests.factories.accounts import UserFactory
from tests.factories.exchanges import QUIMPER, in_days, make_home
from tests.factories.organisations import EmploymentFactory, MemberOrganisationFactory

SENTINEL_PHONE = "0611223399"
RENNES = (-1.6778, 48.1173)


@dataclass
class Trio:
    alice: User  # Grenoble (the planted address)
    bruno: User  # Quimper
    chloe: User  # Rennes
    outsider: User  # eligible, no part in anything
    grenoble: Home
    quimper: Home
    rennes: Home


def publish_home(owner: User, lon: float, lat: float, *, mode: str = "reciprocal", **fields) -> Home:
    home = make_home(owner, lon=lon, lat=lat, **fields)
    home_services.availability_add(actor=owner, home=home, start=in_days(10), end=in_days(40), mode=mode)
    return home_services.home_publish(actor=owner, home=home)


@pytest.fixture
def trio(territories, db) -> Trio:
    employer = MemberOrganisationFactory(
        name="Ville de Grenoble", seat_commune=Commune.objects.get(code="38185")
    )
    alice = UserFactory(display_name="Alice", phone=SENTINEL_PHONE)
    bruno, chloe, outsider = (
        UserFactory(display_name="Bruno"),
        UserFactory(display_name="Chloé"),
        UserFactory(),
    )
    for user in (alice, bruno, chloe, outsider):
        EmploymentFactory(agent=user, organisation=employer)
    return Trio(
        alice,
        bruno,
        chloe,
        outsider,
        publish_home(alice, *SENTINEL, address=SENTINEL_ADDRESS, title="Grenoble"),
        publish_home(bruno, *QUIMPER, title="Quimper", sleeps=5),
        publish_home(chloe, *RENNES, title="Rennes"),
    )


def pair(
    trio: Trio, *, start: int = 15, end: int = 22, guests: int = 2, by: User | None = None
) -> list[services.StayIn]:
    """Alice's household in Quimper, Bruno's in Grenoble, the same dates."""
    return [
        services.StayIn(
            guest_home=trio.grenoble.pk,
            host_home=trio.quimper.pk,
            start=in_days(start),
            end=in_days(end),
            guests=guests,
        ),
        services.StayIn(
            guest_home=trio.quimper.pk,
            host_home=trio.grenoble.pk,
            start=in_days(start),
            end=in_days(end),
            guests=guests,
        ),
    ]


def cycle(trio: Trio, *, start: int = 15, end: int = 22) -> list[services.StayIn]:
    """Grenoble → Quimper → Rennes → Grenoble."""
    g, q, r = trio.grenoble.pk, trio.quimper.pk, trio.rennes.pk
    return [
        services.StayIn(guest_home=g, host_home=q, start=in_days(start), end=in_days(end), guests=2),
        services.StayIn(guest_home=q, host_home=r, start=in_days(start), end=in_days(end), guests=2),
        services.StayIn(guest_home=r, host_home=g, start=in_days(start), end=in_days(end), guests=2),
    ]


def propose_pair(trio: Trio, **kwargs) -> SwapProposal:
    proposal, _created = services.proposal_create(actor=trio.alice, stays=pair(trio, **kwargs))
    return proposal


def confirmed_pair(trio: Trio, **kwargs) -> SwapProposal:
    proposal = propose_pair(trio, **kwargs)
    services.proposal_accept(actor=trio.bruno, proposal=proposal)
    return services.proposal_confirm(actor=trio.bruno, proposal=proposal)


TOULOUSE = (1.4442, 43.6047)


@dataclass
class Ring:
    """Three agents in three régions whose wishes form a cycle and no pair: Grenoble's household wishes to
    go to the Finistère, Quimper's to the Haute-Garonne, Toulouse's to the Isère. Every home is free from
    day 10 to day 40, open to any request; the wishes are for days 15 to 22."""

    alice: User  # Grenoble (the planted address and exact point, her planted phone)
    bruno: User  # Quimper
    chloe: User  # Toulouse
    outsider: User  # eligible, no part in anything
    grenoble: Home
    quimper: Home
    toulouse: Home


def _wishing(owner: User, lon: float, lat: float, departement: str, **fields) -> Home:
    home = make_home(owner, lon=lon, lat=lat, **fields)
    home_services.availability_add(actor=owner, home=home, start=in_days(10), end=in_days(40), mode="open")
    home_services.wish_add(
        actor=owner, home=home, start=in_days(15), end=in_days(22), departements=[departement], adults=2
    )
    return home_services.home_publish(actor=owner, home=home)


@pytest.fixture
def ring(territories, db) -> Ring:
    employer = MemberOrganisationFactory(
        name="Ville de Grenoble", seat_commune=Commune.objects.get(code="38185")
    )
    alice = UserFactory(display_name="Alice", phone=SENTINEL_PHONE)
    bruno, chloe, outsider = (
        UserFactory(display_name="Bruno"),
        UserFactory(display_name="Chloé"),
        UserFactory(),
    )
    for user in (alice, bruno, chloe, outsider):
        EmploymentFactory(agent=user, organisation=employer)
    return Ring(
        alice,
        bruno,
        chloe,
        outsider,
        _wishing(alice, *SENTINEL, "29", address=SENTINEL_ADDRESS, title="Grenoble"),
        _wishing(bruno, *QUIMPER, "31", title="Quimper"),
        _wishing(chloe, *TOULOUSE, "38", title="Toulouse"),
    )
