from dataclasses import dataclass

import pytest

from exchanges import services
from geo.models import Commune
from marketplace.accounts.models import User
from tests.factories.accounts import UserFactory
from tests.factories.exchanges import QUIMPER, in_days, make_home
from tests.factories.organisations import EmploymentFactory, MemberOrganisationFactory

# A planted address and exact point: no response to anyone but the owner may contain them.
SENTINEL_ADDRESS = "SENTINELLE 42 rue du Secret"
SENTINEL = (5.731234, 45.181234)  # inside Grenoble


@dataclass
class People:
    owner: User  # an eligible agent of Ville de Grenoble
    other: User  # another eligible agent (Quimper)
    ineligible: User  # signed up, no employer
    admin: User


@pytest.fixture
def people(territories, db) -> People:
    grenoble = MemberOrganisationFactory(
        name="Ville de Grenoble", seat_commune=Commune.objects.get(code="38185")
    )
    quimper = MemberOrganisationFactory(
        name="Ville de Quimper", seat_commune=Commune.objects.get(code="29232")
    )
    owner, other = UserFactory(), UserFactory()
    EmploymentFactory(agent=owner, organisation=grenoble)
    EmploymentFactory(agent=other, organisation=quimper)
    return People(owner, other, UserFactory(), UserFactory(is_superuser=True, is_staff=True))


@pytest.fixture
def homes(people):
    """A published home in Grenoble (free in 10–24 days, wishes Finistère), one in Quimper (free in 20–30 days,
    wishes Isère), a draft in Grenoble."""
    grenoble = make_home(
        people.owner,
        lon=SENTINEL[0],
        lat=SENTINEL[1],
        address=SENTINEL_ADDRESS,
        sleeps=4,
        amenities=["wifi", "garden"],
    )
    services.availability_add(actor=people.owner, home=grenoble, start=in_days(10), end=in_days(24))
    services.wish_add(
        actor=people.owner, home=grenoble, start=in_days(10), end=in_days(24), departements=["29"]
    )
    services.home_publish(actor=people.owner, home=grenoble)
    quimper = make_home(people.other, lon=QUIMPER[0], lat=QUIMPER[1], sleeps=6, kind="house")
    services.availability_add(actor=people.other, home=quimper, start=in_days(20), end=in_days(30))
    services.wish_add(
        actor=people.other, home=quimper, start=in_days(20), end=in_days(30), departements=["38"]
    )
    services.home_publish(actor=people.other, home=quimper)
    make_home(people.owner, title="Brouillon")
    return {"grenoble": grenoble, "quimper": quimper}
