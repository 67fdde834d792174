import datetime as dt

import pytest
from django.db.backends.postgresql.psycopg_any import DateRange
from django.utils import timezone

from marketplace.audit.models import AuditEvent
from marketplace.organisations.models import EmploymentStatus, MembershipPeriod, OrganisationStatus
from marketplace.organisations.selectors import agent_eligibility
from marketplace.organisations.tasks import memberships_lapse
from tests.factories.organisations import EmploymentFactory, OrganisationFactory


def today() -> dt.date:
    return timezone.localdate()


class TestAgentEligibility:
    def test_no_employer(self, world):
        assert agent_eligibility(world.agent, today()).reason_code == "no_employer"

    def test_confirmed_at_an_active_member(self, world):
        EmploymentFactory(agent=world.agent, organisation=world.organisation)
        answer = agent_eligibility(world.agent, today())
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
        answer = agent_eligibility(world.agent, today())
        assert (answer.eligible, answer.reason_code) == (False, code)
        assert answer.message

    def test_membership_lapsed(self, world):
        EmploymentFactory(agent=world.agent, organisation=world.organisation)
        first_day_out = world.organisation.periods.get().period.upper  # the period is half-open
        assert agent_eligibility(world.agent, first_day_out - dt.timedelta(days=1)).eligible
        answer = agent_eligibility(world.agent, first_day_out)
        assert (answer.eligible, answer.reason_code) == (False, "membership_lapsed")

    def test_organisation_not_validated(self, world):
        organisation = OrganisationFactory(
            status=OrganisationStatus.REJECTED, seat_commune=world.pending.seat_commune
        )
        EmploymentFactory(agent=world.agent, organisation=organisation)
        assert agent_eligibility(world.agent, today()).reason_code == "organisation_not_validated"

    def test_one_active_employer_is_enough(self, world):
        EmploymentFactory(agent=world.agent, organisation=world.pending, status=EmploymentStatus.PENDING)
        EmploymentFactory(agent=world.agent, organisation=world.other_organisation)
        assert agent_eligibility(world.agent, today()).eligible


class TestLapse:
    def test_rights_stop_the_day_after_and_the_lapse_is_recorded_once(self, world):
        last_day = today()
        first_day_out = last_day + dt.timedelta(days=1)
        EmploymentFactory(agent=world.agent, organisation=world.organisation)
        MembershipPeriod.objects.filter(organisation=world.organisation).update(
            period=DateRange(last_day - dt.timedelta(days=300), first_day_out)
        )
        assert memberships_lapse(last_day) == []
        assert agent_eligibility(world.agent, last_day).eligible
        assert memberships_lapse(first_day_out) == [world.organisation]
        assert memberships_lapse(first_day_out) == []  # idempotent
        assert AuditEvent.objects.filter(to_state="membership_lapsed").count() == 1
        assert agent_eligibility(world.agent, first_day_out).reason_code == "membership_lapsed"
