from dataclasses import dataclass

import pytest

from geo.models import Commune, Departement
from marketplace.accounts.models import User
from marketplace.organisations.models import Organisation, StaffRoleKind
from tests.factories.accounts import UserFactory
from tests.factories.organisations import (
    EmploymentFactory,
    MemberOrganisationFactory,
    OfficerTerritoryFactory,
    StaffRoleFactory,
)


@dataclass
class Cast:
    """Everyone who may come near a facility of Ville de Grenoble."""

    grenoble: Organisation
    chambery: Organisation
    correspondent: User  # of Grenoble
    other_correspondent: User  # of Chambéry
    desk: User  # of Grenoble's venues
    officer: User  # of Isère
    agent: User  # an eligible agent of Chambéry
    admin: User


@pytest.fixture
def cast(territories, db) -> Cast:
    grenoble = MemberOrganisationFactory(
        name="Ville de Grenoble", seat_commune=Commune.objects.get(code="38185")
    )
    chambery = MemberOrganisationFactory(
        name="Ville de Chambéry", seat_commune=Commune.objects.get(code="73065")
    )
    agent = UserFactory()
    EmploymentFactory(agent=agent, organisation=chambery)
    return Cast(
        grenoble=grenoble,
        chambery=chambery,
        correspondent=StaffRoleFactory(organisation=grenoble).user,
        other_correspondent=StaffRoleFactory(organisation=chambery).user,
        desk=StaffRoleFactory(organisation=grenoble, role=StaffRoleKind.DESK).user,
        officer=OfficerTerritoryFactory(departement=Departement.objects.get(code="38")).officer,
        agent=agent,
        admin=UserFactory(is_superuser=True, is_staff=True),
    )
