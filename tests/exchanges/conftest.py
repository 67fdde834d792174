from dataclasses import dataclass

import pytest

from geo.models import Commune
from marketplace.accounts.models import User
from tests.factories.accounts import UserFactory
from tests.factories.organisations import EmploymentFactory, MemberOrganisationFactory


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
