from dataclasses import dataclass

import pytest

from marketplace.accounts.models import User
from marketplace.organisations.models import Organisation, OrganisationStatus
from tests.factories.accounts import UserFactory
from tests.factories.geo import CommuneFactory, DepartementFactory
from tests.factories.organisations import (
    MemberOrganisationFactory,
    OfficerTerritoryFactory,
    OrganisationFactory,
    StaffRoleFactory,
)


@dataclass
class World:
    """Two départements; in each an employer with its correspondent; an officer for the first one only."""

    organisation: Organisation
    other_organisation: Organisation
    pending: Organisation
    correspondent: User
    other_correspondent: User
    officer: User
    other_officer: User
    agent: User
    stranger: User
    admin: User


@pytest.fixture
def world(db) -> World:
    isere = DepartementFactory(code="38", name="Isère")
    savoie = DepartementFactory(code="73", name="Savoie", region=isere.region)
    grenoble = CommuneFactory(code="38185", name="Grenoble", departement=isere, lon=5.72, lat=45.19)
    chambery = CommuneFactory(code="73065", name="Chambéry", departement=savoie, lon=5.92, lat=45.57)
    organisation = MemberOrganisationFactory(name="Ville de Grenoble", seat_commune=grenoble)
    other = MemberOrganisationFactory(name="Ville de Chambéry", seat_commune=chambery)
    pending = OrganisationFactory(
        name="CCAS de Grenoble", seat_commune=grenoble, status=OrganisationStatus.PENDING
    )
    correspondent = StaffRoleFactory(organisation=organisation).user
    other_correspondent = StaffRoleFactory(organisation=other).user
    officer = OfficerTerritoryFactory(departement=isere).officer
    other_officer = OfficerTerritoryFactory(departement=savoie).officer
    return World(
        organisation=organisation,
        other_organisation=other,
        pending=pending,
        correspondent=correspondent,
        other_correspondent=other_correspondent,
        officer=officer,
        other_officer=other_officer,
        agent=UserFactory(),
        stranger=UserFactory(),
        admin=UserFactory(is_superuser=True, is_staff=True),
    )
