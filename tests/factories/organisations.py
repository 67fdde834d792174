import datetime as dt

import factory
from django.db.backends.postgresql.psycopg_any import DateRange
from django.utils import timezone

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
from marketplace.organisations.validators import siren_complete
from tests.factories.accounts import UserFactory
from tests.factories.geo import CommuneFactory


def siren_with_key(prefix: int) -> str:
    """A valid SIREN: these 8 digits plus their Luhn check digit."""
    return siren_complete(f"{prefix:08d}")


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisation

    name = factory.Sequence(lambda n: f"Mairie n°{n}")
    kind = "commune"
    siren = factory.Sequence(lambda n: siren_with_key(21000000 + n))
    seat_commune = factory.SubFactory(CommuneFactory)
    status = OrganisationStatus.VALIDATED
    agents_count = 120


def membership_span(today: dt.date | None = None) -> tuple[dt.date, dt.date]:
    """The factories' membership period, [a year ago, in a year), relative to today (or to the given day).

    Tests name dates from it (`membership_span()[1]` is the first day not covered), never a calendar year,
    so they pass whatever the day they run; a test about a given day freezes the clock (time-machine).
    """
    today = today or timezone.localdate()
    return today - dt.timedelta(days=365), today + dt.timedelta(days=365)


class MembershipPeriodFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = MembershipPeriod

    organisation = factory.SubFactory(OrganisationFactory)
    period = factory.LazyFunction(lambda: DateRange(*membership_span()))


class MemberOrganisationFactory(OrganisationFactory):
    """A validated employer whose membership covers today: see `membership_span`."""

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
