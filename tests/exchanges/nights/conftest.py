"""Three eligible agents whose homes (Grenoble, Quimper, Rennes) are free from day 10 to day 40, open to any
request: Alice may ask for a one-way stay in Quimper or Rennes."""

import datetime as dt

import pytest
from django.utils import timezone

from exchanges.swaps import services
from exchanges.swaps.models import SwapProposal
from geo.models import Commune
from tests.exchanges.conftest import SENTINEL
from tests.exchanges.swaps.conftest import RENNES, Trio, publish_home
from tests.factories.accounts import UserFactory
from tests.factories.exchanges import QUIMPER, in_days
from tests.factories.organisations import EmploymentFactory, MemberOrganisationFactory


@pytest.fixture
def open_trio(territories, db) -> Trio:
    employer = MemberOrganisationFactory(
        name="Ville de Grenoble", seat_commune=Commune.objects.get(code="38185")
    )
    alice, bruno, chloe, outsider = (
        UserFactory(display_name="Alice"),
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
        publish_home(alice, *SENTINEL, title="Grenoble", mode="open"),
        publish_home(bruno, *QUIMPER, title="Quimper", sleeps=5, mode="open"),
        publish_home(chloe, *RENNES, title="Rennes", mode="open"),
    )


def one_way(guest_home: int, host_home: int, *, start: int = 15, end: int = 22, guests: int = 2):
    return [
        services.StayIn(
            guest_home=guest_home, host_home=host_home, start=in_days(start), end=in_days(end), guests=guests
        )
    ]


def request(trio: Trio, host_home=None, **kwargs) -> SwapProposal:
    proposal, _created = services.proposal_create(
        actor=trio.alice, stays=one_way(trio.grenoble.pk, (host_home or trio.quimper).pk, **kwargs)
    )
    return proposal


def after(days: int) -> dt.datetime:
    return timezone.now() + dt.timedelta(days=days)
