import datetime as dt

import pytest
from django.db import IntegrityError, connection, transaction
from django.db.backends.postgresql.psycopg_any import DateRange

from marketplace.audit.models import AuditEvent
from marketplace.errors import InvalidField
from marketplace.organisations import services
from marketplace.organisations.exceptions import (
    EmploymentAlreadyOpen,
    EmploymentNotPending,
    MembershipOverlap,
    NotAllowed,
    OrganisationNotPending,
    OrganisationNotValidated,
    SirenTaken,
)
from marketplace.organisations.models import (
    Employment,
    EmploymentStatus,
    InvitationStatus,
    MembershipPeriod,
    Organisation,
    OrganisationStatus,
    StaffRole,
    StaffRoleStatus,
)
from marketplace.organisations.validators import siren_is_valid
from tests.factories.organisations import membership_span, siren_with_key
from tests.helpers import assert_nothing_written

YEAR = dt.timedelta(days=365)


class TestSiren:
    @pytest.mark.parametrize("siren", ["732829320", "210100012", "213801855", siren_with_key(12345678)])
    def test_valid(self, siren):
        assert siren_is_valid(siren)

    @pytest.mark.parametrize("siren", ["732829321", "21010001", "2101000120", "21010001A", "", "123456789"])
    def test_invalid(self, siren):
        assert not siren_is_valid(siren)

    def test_database_refuses_a_malformed_siren(self, world):
        with assert_nothing_written(), pytest.raises(IntegrityError), transaction.atomic():
            Organisation.objects.filter(pk=world.organisation.pk).update(siren="12AB")


class TestRegister:
    def test_pending_with_the_actor_as_pending_correspondent(self, world):
        organisation = services.organisation_register(
            actor=world.agent,
            name="SDIS de l'Isère",
            kind="sdis",
            siren=siren_with_key(28380001),
            seat_commune="38185",
        )
        assert organisation.status == OrganisationStatus.PENDING
        role = StaffRole.objects.get(organisation=organisation)
        assert (role.user, role.status) == (world.agent, StaffRoleStatus.PENDING)
        assert AuditEvent.objects.filter(object_id=str(organisation.pk), to_state="pending").count() == 1

    @pytest.mark.parametrize(
        ("field", "kwargs"),
        [
            ("siren", {"siren": "732829321"}),
            ("seat_commune", {"seat_commune": "99999"}),
            ("name", {"name": " "}),
        ],
    )
    def test_bad_input_names_the_field_and_writes_nothing(self, world, field, kwargs):
        data = {
            "name": "Mairie",
            "kind": "commune",
            "siren": siren_with_key(28380002),
            "seat_commune": "38185",
        }
        with assert_nothing_written(), pytest.raises(InvalidField) as error:
            services.organisation_register(actor=world.agent, **{**data, **kwargs})
        assert error.value.field == field

    def test_siren_already_registered(self, world):
        with assert_nothing_written(), pytest.raises(SirenTaken):
            services.organisation_register(
                actor=world.agent,
                name="Doublon",
                kind="commune",
                siren=world.organisation.siren,
                seat_commune="38185",
            )


class TestValidation:
    def test_officer_of_the_departement_validates_and_the_correspondent_becomes_active(self, world):
        role = services.organisation_request_join(actor=world.agent, organisation=world.pending)
        services.organisation_validate(actor=world.officer, organisation=world.pending, comment="OK")
        world.pending.refresh_from_db()
        role.refresh_from_db()
        assert world.pending.status == OrganisationStatus.VALIDATED
        assert role.status == StaffRoleStatus.ACTIVE
        event = AuditEvent.objects.get(
            object_type="organisations.organisation", object_id=str(world.pending.pk), to_state="validated"
        )
        assert (event.actor, event.from_state, event.comment) == (world.officer, "pending", "OK")

    def test_officer_of_another_departement_is_refused(self, world):
        with assert_nothing_written(), pytest.raises(NotAllowed):
            services.organisation_validate(actor=world.other_officer, organisation=world.pending)
        world.pending.refresh_from_db()
        assert world.pending.status == OrganisationStatus.PENDING
        assert not AuditEvent.objects.filter(to_state="validated").exists()

    def test_reject_needs_a_comment(self, world):
        with assert_nothing_written(), pytest.raises(InvalidField) as error:
            services.organisation_reject(actor=world.officer, organisation=world.pending, comment="  ")
        assert error.value.field == "comment"
        world.pending.refresh_from_db()
        assert world.pending.status == OrganisationStatus.PENDING

    def test_decided_twice(self, world):
        services.organisation_reject(actor=world.officer, organisation=world.pending, comment="Pas adhérent")
        with assert_nothing_written(), pytest.raises(OrganisationNotPending):
            services.organisation_validate(actor=world.officer, organisation=world.pending)


class TestMembership:
    def test_overlapping_periods_are_refused_by_the_database(self, world):
        with assert_nothing_written(), pytest.raises(MembershipOverlap):
            services.membership_add_period(
                actor=world.officer,
                organisation=world.organisation,
                start=membership_span()[1] - dt.timedelta(days=30),
                end=membership_span()[1] + YEAR,
            )
        assert world.organisation.periods.count() == 1

    def test_adjacent_period_is_fine(self, world):
        start = world.organisation.periods.get().period.upper
        services.membership_add_period(
            actor=world.officer, organisation=world.organisation, start=start, end=start + YEAR
        )
        members = Organisation.objects.filter(pk=world.organisation.pk)
        assert members.active_members(start).exists()
        assert members.active_members(start + YEAR - dt.timedelta(days=1)).exists()
        assert not members.active_members(start + YEAR).exists()

    def test_inverted_or_empty_range(self, world):
        start = membership_span()[1] + 2 * YEAR  # after the current period: no overlap to report instead
        for end in (start, start - dt.timedelta(days=1)):
            with assert_nothing_written(), pytest.raises(InvalidField) as error:
                services.membership_add_period(
                    actor=world.officer, organisation=world.organisation, start=start, end=end
                )
            assert error.value.field == "end"
        assert world.organisation.periods.count() == 1

    def test_exclusion_constraint_holds_even_for_raw_writes(self, world):
        with assert_nothing_written(), pytest.raises(IntegrityError), transaction.atomic():
            MembershipPeriod.objects.create(
                organisation=world.organisation,
                period=DateRange(membership_span()[0], membership_span()[0] + dt.timedelta(days=30)),
            )


class TestEmployment:
    def test_request_confirm_end(self, world):
        employment = services.employment_request(actor=world.agent, organisation=world.organisation)
        assert employment.status == EmploymentStatus.PENDING
        with assert_nothing_written(), pytest.raises(EmploymentAlreadyOpen):
            services.employment_request(actor=world.agent, organisation=world.organisation)
        services.employment_confirm(actor=world.correspondent, employment=employment)
        with assert_nothing_written(), pytest.raises(EmploymentNotPending):
            services.employment_reject(actor=world.correspondent, employment=employment)
        services.employment_end(actor=world.agent, employment=employment)
        employment.refresh_from_db()
        assert employment.status == EmploymentStatus.ENDED
        assert [
            e.to_state
            for e in AuditEvent.objects.filter(object_type="organisations.employment").order_by("pk")
        ] == ["pending", "confirmed", "ended"]

    def test_correspondent_of_another_employer_cannot_confirm(self, world):
        employment = services.employment_request(actor=world.agent, organisation=world.organisation)
        with assert_nothing_written(), pytest.raises(NotAllowed):
            services.employment_confirm(actor=world.other_correspondent, employment=employment)
        employment.refresh_from_db()
        assert employment.status == EmploymentStatus.PENDING

    def test_cannot_join_a_pending_employer(self, world):
        with assert_nothing_written(), pytest.raises(OrganisationNotValidated):
            services.employment_request(actor=world.agent, organisation=world.pending)
        assert not Employment.objects.filter(agent=world.agent).exists()


class TestStaff:
    def test_invite_accept_and_revoke(self, world):
        invitation = services.staff_invite(
            actor=world.correspondent,
            organisation=world.organisation,
            email=world.agent.email.upper(),
            role="desk",
        )
        assert invitation.status == InvitationStatus.SENT
        assert not StaffRole.objects.filter(user=world.agent).exists()  # nothing granted before consent
        role = services.staff_invitation_accept(actor=world.agent, invitation=invitation)
        assert role.status == StaffRoleStatus.ACTIVE
        services.staff_revoke(actor=world.correspondent, role=role)
        role.refresh_from_db()
        assert role.status == StaffRoleStatus.REVOKED

    def test_only_correspondents_invite(self, world):
        with assert_nothing_written(), pytest.raises(NotAllowed):
            services.staff_invite(
                actor=world.agent,
                organisation=world.organisation,
                email=world.agent.email,
                role="correspondent",
            )
        assert not StaffRole.objects.filter(user=world.agent).exists()


class TestOfficerTerritory:
    def test_admin_sets_departements(self, world):
        territories = services.officer_territory_set(
            actor=world.admin, officer=world.agent, departements=["38", "73"]
        )
        assert [t.departement_id for t in territories] == ["38", "73"]
        territories = services.officer_territory_set(
            actor=world.admin, officer=world.agent, departements=["73"]
        )
        assert [t.departement_id for t in territories] == ["73"]

    def test_unknown_departement_and_non_admin(self, world):
        with assert_nothing_written(), pytest.raises(InvalidField):
            services.officer_territory_set(actor=world.admin, officer=world.agent, departements=["38", "00"])
        with assert_nothing_written(), pytest.raises(NotAllowed):
            services.officer_territory_set(actor=world.officer, officer=world.agent, departements=["38"])
        assert not world.agent.territories.exists()


class TestAuditIsImmutable:
    def test_update_and_delete_are_refused_by_the_database(self, world):
        services.organisation_validate(actor=world.officer, organisation=world.pending)
        event = AuditEvent.objects.latest("pk")
        for sql in (
            "UPDATE audit_auditevent SET comment = 'edited' WHERE id = %s",
            "DELETE FROM audit_auditevent WHERE id = %s",
        ):
            with (
                pytest.raises(Exception, match="protect_history"),
                transaction.atomic(),
                connection.cursor() as c,
            ):
                c.execute(sql, [event.pk])
        event.refresh_from_db()
        assert event.comment == ""
