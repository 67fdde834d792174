import datetime as dt

import pytest
import time_machine
from django.db.backends.postgresql.psycopg_any import DateRange

from marketplace.audit.models import AuditEvent
from marketplace.organisations.models import EmploymentStatus, MembershipPeriod, OrganisationStatus
from marketplace.organisations.selectors import agent_eligibility
from marketplace.organisations.tasks import memberships_lapse
from tests.factories.organisations import EmploymentFactory, OrganisationFactory

ON = dt.date(2026, 6, 15)


class TestAgentEligibility:
    def test_no_employer(self, world):
        assert agent_eligibility(world.agent, ON).reason_code == "no_employer"

    def test_confirmed_at_an_active_member(self, world):
        EmploymentFactory(agent=world.agent, organisation=world.organisation)
        answer = agent_eligibility(world.agent, ON)
        assert (answer.eligible, answer.reason_code, answer.organisation) == (
            True,
            "eligible",
            world.organisation,
        )

    @pytest.mark.parametrize(
        ("status", "code"),
        [
            (EmploymentStatus.PENDING, "employment_pending"),
            (EmploymentStatus.REJECTED, "employment_rejected"),
            (EmploymentStatus.ENDED, "employment_ended"),
        ],
    )
    def test_employment_not_confirmed(self, world, status, code):
        EmploymentFactory(agent=world.agent, organisation=world.organisation, status=status)
        answer = agent_eligibility(world.agent, ON)
        assert (answer.eligible, answer.reason_code) == (False, code)
        assert answer.message

    def test_membership_lapsed(self, world):
        EmploymentFactory(agent=world.agent, organisation=world.organisation)
        answer = agent_eligibility(world.agent, dt.date(2027, 1, 1))  # the period is [2026-01-01, 2027-01-01)
        assert (answer.eligible, answer.reason_code) == (False, "membership_lapsed")

    def test_organisation_not_validated(self, world):
        organisation = OrganisationFactory(
            status=OrganisationStatus.REJECTED, seat_commune=world.pending.seat_commune
        )
        EmploymentFactory(agent=world.agent, organisation=organisation)
        assert agent_eligibility(world.agent, ON).reason_code == "organisation_not_validated"

    def test_one_active_employer_is_enough(self, world):
        EmploymentFactory(agent=world.agent, organisation=world.pending, status=EmploymentStatus.PENDING)
        EmploymentFactory(agent=world.agent, organisation=world.other_organisation)
        assert agent_eligibility(world.agent, ON).eligible


class TestLapse:
    def test_rights_stop_the_day_after_and_the_lapse_is_recorded_once(self, world):
        EmploymentFactory(agent=world.agent, organisation=world.organisation)
        MembershipPeriod.objects.filter(organisation=world.organisation).update(
            period=DateRange(dt.date(2026, 1, 1), dt.date(2026, 11, 23))
        )
        with time_machine.travel(dt.datetime(2026, 11, 22, 12, tzinfo=dt.UTC)):
            assert memberships_lapse(dt.date(2026, 11, 22)) == []
            assert agent_eligibility(world.agent, dt.date(2026, 11, 22)).eligible
        assert memberships_lapse(dt.date(2026, 11, 23)) == [world.organisation]
        assert memberships_lapse(dt.date(2026, 11, 23)) == []  # idempotent
        assert AuditEvent.objects.filter(to_state="membership_lapsed").count() == 1
        assert agent_eligibility(world.agent, dt.date(2026, 11, 23)).reason_code == "membership_lapsed"
