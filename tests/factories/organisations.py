import datetime as dt

import factory
from django.db.backends.postgresql.psycopg_any import DateRange

from marketplace.organisations.models import (
    Employment,
    EmploymentStatus,
    MembershipPeriod,
    OfficerTerritory,
    Organisation,
    OrganisationStatus,
    StaffRole,
    StaffRoleKind,
    StaffRoleStatus,
)
from tests.factories.accounts import UserFactory
from tests.factories.geo import CommuneFactory


def siren_with_key(prefix: int) -> str:
    """A valid SIREN: 8 digits plus the Luhn check digit."""
    base = f"{prefix:08d}"
    for key in range(10):
        candidate = base + str(key)
        total = 0
        for index, char in enumerate(candidate):
            digit = int(char) * (2 if index % 2 else 1)
            total += digit - 9 if digit > 9 else digit
        if total % 10 == 0:
            return candidate
    raise AssertionError("unreachable")


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisation

    name = factory.Sequence(lambda n: f"Mairie n°{n}")
    kind = "commune"
    siren = factory.Sequence(lambda n: siren_with_key(21000000 + n))
    seat_commune = factory.SubFactory(CommuneFactory)
    status = OrganisationStatus.VALIDATED
    agents_count = 120


class MembershipPeriodFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = MembershipPeriod

    organisation = factory.SubFactory(OrganisationFactory)
    period = factory.LazyFunction(lambda: DateRange(dt.date(2026, 1, 1), dt.date(2027, 1, 1)))


class MemberOrganisationFactory(OrganisationFactory):
    """A validated employer whose membership covers 2026."""

    class Meta:
        skip_postgeneration_save = True

    period = factory.RelatedFactory(MembershipPeriodFactory, factory_related_name="organisation")


class EmploymentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Employment

    agent = factory.SubFactory(UserFactory)
    organisation = factory.SubFactory(MemberOrganisationFactory)
    status = EmploymentStatus.CONFIRMED


class StaffRoleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = StaffRole

    user = factory.SubFactory(UserFactory)
    organisation = factory.SubFactory(MemberOrganisationFactory)
    role = StaffRoleKind.CORRESPONDENT
    status = StaffRoleStatus.ACTIVE


class OfficerTerritoryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = OfficerTerritory

    officer = factory.SubFactory(UserFactory)
    departement = factory.SubFactory("tests.factories.geo.DepartementFactory")
