"""An agreement in force at Grenoble's museum (Isère) and the people around it: the eligible Chambéry agent
(`cast.agent`), Grenoble's desk (`cast.desk`), and the desk of another venue's employer."""

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.conf import settings
from django.utils import timezone

from geo.models import Commune
from local_offers.models import Agreement, Facility
from local_offers.vouchers import services
from local_offers.vouchers.models import Voucher
from marketplace.accounts.models import User
from marketplace.organisations.models import StaffRoleKind
from tests.factories.accounts import UserFactory
from tests.factories.organisations import EmploymentFactory, MemberOrganisationFactory, StaffRoleFactory
from tests.local_offers.agreements.conftest import Scene
from tests.local_offers.agreements.conftest import scene as scene
from tests.local_offers.conftest import Cast


@pytest.fixture(autouse=True)
def _midday(request: pytest.FixtureRequest) -> Iterator[None]:
    """These tests run at noon (Paris) of today, the clock going on: their offline validations "an hour ago"
    must fall on the voucher's first day, which they did not between midnight and 1 a.m. in Paris (CI's
    clean run at 00:14 found it). Browser journeys keep the real clock (Chromium's is not moved)."""
    if request.node.get_closest_marker("browser") is not None:
        yield
        return
    noon = dt.datetime.combine(timezone.localdate(), dt.time(12), tzinfo=ZoneInfo(settings.TIME_ZONE))
    with time_machine.travel(noon, tick=True):
        yield


@dataclass
class Offer:
    cast: Cast
    scene: Scene
    agreement: Agreement
    facility: Facility
    other_desk: User  # desk agent of Chambéry: not this venue's
    outsider: User  # signed in, no role, no employment

    def request(self, agent: User | None = None, **fields: object) -> Voucher:
        today = timezone.localdate()
        data: dict[str, object] = {
            "agreement_id": self.agreement.pk,
            "facility_id": self.facility.pk,
            "first_day": today,
            "last_day": today + dt.timedelta(days=6),
            "party_size": 2,
            **fields,
        }
        return services.voucher_request(actor=agent or self.cast.agent, **data)  # type: ignore[arg-type]


def another_agent() -> User:
    """An eligible agent of an employer of its own, seated in a real commune (Chambéry): a concurrency test
    keeps the territories past its flush, so a synthetic seat would outlive it."""
    agent = UserFactory()
    seat = Commune.objects.get(code="73065")
    EmploymentFactory(agent=agent, organisation=MemberOrganisationFactory(seat_commune=seat))
    return agent


@pytest.fixture
def offer(scene) -> Offer:
    agreement = scene.approved(quota_per_agent=2, quota_total=3)
    return Offer(
        cast=scene.cast,
        scene=scene,
        agreement=agreement,
        facility=scene.facility,
        other_desk=StaffRoleFactory(organisation=scene.cast.chambery, role=StaffRoleKind.DESK).user,
        outsider=UserFactory(),
    )
