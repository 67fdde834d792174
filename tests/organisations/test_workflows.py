"""The trust model: nobody decides their own case, invitations need the invitee's consent (and an officer for a
correspondent), every transition checks the state it leaves once, and writes exactly one declared event."""

import pytest
from allauth.account.models import EmailAddress
from django.core import mail
from django.db import IntegrityError, transaction
from django.http import HttpResponse
from django.test import RequestFactory

from marketplace.audit.models import AuditEvent
from marketplace.errors import Conflict, NotFound
from marketplace.events import Event, publish, registered_events
from marketplace.organisations import selectors, services
from marketplace.organisations.exceptions import (
    InvitationNotSent,
    NotAllowed,
    StaffRoleNotActive,
)
from marketplace.organisations.models import (
    Employment,
    EmploymentStatus,
    InvitationStatus,
    Organisation,
    StaffInvitation,
    StaffRole,
    StaffRoleStatus,
)
from marketplace.web import HtmlErrorMiddleware
from marketplace.workflows import declared_transitions
from tests.factories.accounts import UserFactory
from tests.factories.organisations import EmploymentFactory, StaffRoleFactory
from tests.helpers import assert_nothing_written
from tests.organisations.test_api import client_for, post


def middleware() -> HtmlErrorMiddleware:
    return HtmlErrorMiddleware(lambda request: HttpResponse())


@pytest.fixture
def own_request(world):
    """The correspondent of Grenoble asks to be attached to Grenoble as an agent."""
    return EmploymentFactory(
        agent=world.correspondent, organisation=world.organisation, status=EmploymentStatus.PENDING
    )


class TestNobodyDecidesTheirOwnCase:
    def test_a_correspondent_cannot_confirm_their_own_employment(self, world, own_request):
        with assert_nothing_written(), pytest.raises(NotAllowed):
            services.employment_confirm(actor=world.correspondent, employment=own_request)

    def test_nor_through_the_api(self, world, own_request):
        client = client_for(world.correspondent)
        with assert_nothing_written():
            response = post(client, f"/api/v1/employments/{own_request.pk}/confirm")
        assert response.status_code == 403
        assert response.json()["code"] == "not_allowed"

    def test_another_correspondent_of_the_employer_confirms_it(self, world, own_request):
        colleague = StaffRoleFactory(organisation=world.organisation).user
        services.employment_confirm(actor=colleague, employment=own_request)
        own_request.refresh_from_db()
        assert own_request.status == EmploymentStatus.CONFIRMED

    def test_a_lone_correspondents_request_goes_to_the_officer(self, world, own_request):
        queue = selectors.officer_queue(world.officer)
        assert own_request in queue.employments
        assert own_request not in selectors.officer_queue(world.other_officer).employments
        response = post(client_for(world.officer), f"/api/v1/employments/{own_request.pk}/confirm")
        assert response.status_code == 200, response.content
        assert response.json()["status"] == "confirmed"
        event = AuditEvent.objects.get(object_type="organisations.employment", object_id=str(own_request.pk))
        assert (event.actor, event.transition, event.from_state, event.to_state) == (
            world.officer,
            "confirm",
            "pending",
            "confirmed",
        )

    def test_an_officer_of_another_territory_does_not_even_see_it(self, world, own_request):
        client = client_for(world.other_officer)
        with assert_nothing_written():
            response = post(client, f"/api/v1/employments/{own_request.pk}/confirm")
        assert response.status_code == 404

    def test_an_officer_cannot_validate_an_employer_they_registered(self, world):
        pending = Organisation.objects.get(pk=world.pending.pk)
        Organisation.objects.filter(pk=pending.pk).update(created_by=world.officer)
        with assert_nothing_written(), pytest.raises(NotAllowed):
            services.organisation_validate(actor=world.officer, organisation=pending)

    def test_an_officer_cannot_accept_their_own_correspondent_request(self, world):
        role = services.organisation_request_join(actor=world.officer, organisation=world.organisation)
        with assert_nothing_written(), pytest.raises(NotAllowed):
            services.staff_role_decide(actor=world.officer, role=role, accept=True)
        assert role not in selectors.officer_queue(world.officer).staff_roles


class TestInvitations:
    def invite(self, world, email: str, role: str = "desk"):
        return post(
            client_for(world.correspondent),
            f"/api/v1/organisations/{world.organisation.pk}/staff",
            {"email": email, "role": role},
        )

    def test_same_answer_whether_the_address_has_an_account_or_not(
        self, world, django_capture_on_commit_callbacks
    ):
        with django_capture_on_commit_callbacks(execute=True):
            known = self.invite(world, world.agent.email)
            unknown = self.invite(world, "personne@example.fr")
        assert known.status_code == unknown.status_code == 201
        known_body, unknown_body = known.json(), unknown.json()
        assert set(known_body) == set(unknown_body)
        assert known_body["status"] == unknown_body["status"] == "sent"
        assert {k: v for k, v in known_body.items() if k not in ("id", "email", "created_at")} == {
            k: v for k, v in unknown_body.items() if k not in ("id", "email", "created_at")
        }
        # Both addresses get the same e-mail; nobody got a role without consent.
        assert sorted(m.to[0] for m in mail.outbox) == sorted(
            [world.agent.email.lower(), "personne@example.fr"]
        )
        assert not StaffRole.objects.filter(user=world.agent).exists()

    def test_inviting_again_returns_the_same_invitation(self, world):
        first = self.invite(world, world.agent.email).json()
        second = self.invite(world, world.agent.email.upper()).json()
        assert first["id"] == second["id"]
        assert StaffInvitation.objects.count() == 1

    def test_a_desk_is_active_once_the_invitee_accepts(self, world):
        invitation_id = self.invite(world, world.agent.email).json()["id"]
        agent = client_for(world.agent)
        assert [i["id"] for i in agent.get("/api/v1/staff-invitations/mine").json()] == [invitation_id]
        response = post(agent, f"/api/v1/staff-invitations/{invitation_id}/accept")
        assert response.status_code == 200, response.content
        assert response.json()["status"] == "active"
        assert StaffRole.objects.get(user=world.agent).role == "desk"
        assert agent.get("/api/v1/staff-invitations/mine").json() == []

    def test_a_correspondent_waits_for_the_officer_after_accepting(self, world):
        invitation_id = self.invite(world, world.agent.email, "correspondent").json()["id"]
        response = post(client_for(world.agent), f"/api/v1/staff-invitations/{invitation_id}/accept")
        assert response.json()["status"] == "pending"
        role = StaffRole.objects.get(user=world.agent)
        assert role in selectors.officer_queue(world.officer).staff_roles
        services.staff_role_decide(actor=world.officer, role=role, accept=True)
        role.refresh_from_db()
        assert role.status == StaffRoleStatus.ACTIVE

    def test_nobody_else_can_accept_it(self, world):
        invitation_id = self.invite(world, world.agent.email).json()["id"]
        for user in (world.stranger, world.correspondent, world.officer):
            client = client_for(user)
            with assert_nothing_written():
                response = post(client, f"/api/v1/staff-invitations/{invitation_id}/accept")
            assert response.status_code == 404, user

    def test_an_unverified_address_does_not_receive_it(self, world):
        invitation_id = self.invite(world, "nouvelle@example.fr").json()["id"]
        newcomer = UserFactory(email="nouvelle@example.fr")
        EmailAddress.objects.filter(user=newcomer).update(verified=False)
        client = client_for(newcomer)
        with assert_nothing_written():
            response = post(client, f"/api/v1/staff-invitations/{invitation_id}/accept")
        assert response.status_code == 404
        EmailAddress.objects.update_or_create(
            user=newcomer, email=newcomer.email, defaults={"verified": True, "primary": True}
        )
        response = post(client_for(newcomer), f"/api/v1/staff-invitations/{invitation_id}/accept")
        assert response.status_code == 200

    def test_declined_or_cancelled_invitations_cannot_be_accepted(self, world):
        declined = services.staff_invite(
            actor=world.correspondent, organisation=world.organisation, email=world.agent.email, role="desk"
        )
        services.staff_invitation_decline(actor=world.agent, invitation=declined)
        with assert_nothing_written(), pytest.raises(InvitationNotSent):
            services.staff_invitation_accept(actor=world.agent, invitation=declined)
        cancelled = services.staff_invite(
            actor=world.correspondent, organisation=world.organisation, email=world.agent.email, role="desk"
        )
        services.staff_invitation_cancel(actor=world.correspondent, invitation=cancelled)
        assert StaffInvitation.objects.get(pk=cancelled.pk).status == InvitationStatus.CANCELLED
        client = client_for(world.agent)
        with assert_nothing_written():
            response = post(client, f"/api/v1/staff-invitations/{cancelled.pk}/accept")
        assert response.status_code == 409
        assert response.json()["code"] == "staff_invitation_not_sent"

    def test_only_correspondents_of_the_employer_cancel(self, world):
        invitation = services.staff_invite(
            actor=world.correspondent, organisation=world.organisation, email=world.agent.email, role="desk"
        )
        for user in (world.other_correspondent, world.agent, world.stranger):
            client = client_for(user)
            with assert_nothing_written():
                response = post(client, f"/api/v1/staff-invitations/{invitation.pk}/cancel")
            assert response.status_code == 404


class TestTransitionsCheckTheStateTheyLeave:
    def test_a_correspondent_cannot_revoke_a_pending_request(self, world):
        role = services.organisation_request_join(actor=world.agent, organisation=world.organisation)
        client = client_for(world.correspondent)
        with assert_nothing_written():
            response = post(client, f"/api/v1/staff-roles/{role.pk}/revoke")
        assert response.status_code == 409
        assert response.json()["code"] == "staff_role_not_active"

    def test_revoking_twice_writes_one_event(self, world):
        role = StaffRoleFactory(organisation=world.organisation, role="desk")
        client = client_for(world.correspondent)
        assert post(client, f"/api/v1/staff-roles/{role.pk}/revoke").status_code == 200
        with assert_nothing_written():
            second = post(client, f"/api/v1/staff-roles/{role.pk}/revoke")
        assert second.status_code == 409
        assert second.json()["detail"] == {"state": "revoked", "transition": "revoke"}
        events = AuditEvent.objects.filter(object_type="organisations.staffrole", object_id=str(role.pk))
        assert list(events.values_list("transition", "from_state", "to_state")) == [
            ("revoke", "active", "revoked")
        ]
        with assert_nothing_written(), pytest.raises(StaffRoleNotActive):
            services.staff_revoke(actor=world.correspondent, role=role)

    def test_a_status_cannot_be_assigned_directly(self, world):
        employment = EmploymentFactory(agent=world.agent, organisation=world.organisation)
        employment.refresh_from_db()
        with pytest.raises(AttributeError):
            employment.status = EmploymentStatus.ENDED

    def test_every_event_is_a_declared_transition(self, world, own_request):
        services.organisation_validate(actor=world.officer, organisation=world.pending)
        services.employment_confirm(actor=world.officer, employment=own_request)
        services.employment_end(actor=world.correspondent, employment=own_request)
        agent_request = services.employment_request(actor=world.agent, organisation=world.organisation)
        services.employment_reject(actor=world.correspondent, employment=agent_request, comment="inconnu")
        invitation = services.staff_invite(
            actor=world.correspondent,
            organisation=world.organisation,
            email=world.stranger.email,
            role="desk",
        )
        role = services.staff_invitation_accept(actor=world.stranger, invitation=invitation)
        services.staff_revoke(actor=world.correspondent, role=role)
        join = services.organisation_request_join(actor=world.agent, organisation=world.organisation)
        services.staff_role_decide(actor=world.officer, role=join, accept=False, comment="non")
        models = {m._meta.label_lower: m for m in (Organisation, Employment, StaffRole, StaffInvitation)}
        events = AuditEvent.objects.exclude(transition="")
        assert events.count() == 7  # the creations (requests, invitations) are not transitions
        for event in events:
            declared = declared_transitions(models[event.object_type])
            assert (event.transition, event.from_state, event.to_state) in declared, event


class TestEvents:
    def test_an_unregistered_event_cannot_be_published(self):
        class Stray(Event):
            pass

        with pytest.raises(ValueError, match="not a registered event"):
            publish(Stray(), to=[1])

    def test_the_workflow_events_are_registered_once(self):
        from dataclasses import dataclass

        from marketplace.events import event

        registry = registered_events()
        assert {"employment.requested", "employment.decided", "staff_invitation.received"} <= set(registry)
        assert all(cls.name == name for name, cls in registry.items())

        @dataclass(frozen=True)
        class Impostor(Event):
            employment: int

        with pytest.raises(ValueError, match="declared twice"):
            event("employment.decided")(Impostor)
        assert registered_events()["employment.decided"] is registry["employment.decided"]


class TestEligibilityInOneQuery:
    def test_whatever_the_number_of_employments(self, world, django_assert_num_queries):
        import datetime as dt

        for _ in range(5):
            EmploymentFactory(agent=world.agent, status=EmploymentStatus.CONFIRMED)
        far = dt.date.today() + dt.timedelta(days=3650)
        with django_assert_num_queries(1):
            answer = selectors.agent_eligibility(world.agent, far)
        assert answer.reason_code == "membership_lapsed"


class TestHtmlPages:
    @pytest.mark.parametrize(
        "next_url", ["https://evil.example/", "//evil.example/", "javascript:alert(1)", "abc", ""]
    )
    def test_next_is_validated_before_anything_is_written(self, world, next_url):
        employment = EmploymentFactory(agent=world.agent, organisation=world.organisation)
        client = client_for(world.agent)
        response = client.post(
            f"/emplois/{employment.pk}/fin/",
            {"next": next_url, "csrfmiddlewaretoken": client.cookies["csrftoken"].value},
        )
        assert response.status_code == 303
        assert response["Location"] == "/employeur/"
        assert Employment.objects.get(pk=employment.pk).status == EmploymentStatus.ENDED

    def test_a_safe_next_is_followed(self, world):
        employment = EmploymentFactory(agent=world.agent, organisation=world.organisation)
        client = client_for(world.agent)
        response = client.post(
            f"/emplois/{employment.pk}/fin/",
            {"next": "/carte/", "csrfmiddlewaretoken": client.cookies["csrftoken"].value},
        )
        assert response["Location"] == "/carte/"

    def test_a_refused_action_is_a_message_and_nothing_is_written(self, world, own_request):
        client = client_for(world.correspondent)
        with assert_nothing_written():
            response = client.post(
                f"/emplois/{own_request.pk}/decision/",
                {"decision": "confirm", "csrfmiddlewaretoken": client.cookies["csrftoken"].value},
                HTTP_REFERER="http://testserver/correspondant/",
                follow=True,
            )
        assert response.status_code == 200
        assert [str(m) for m in response.context["messages"]] == [
            "Personne ne décide de son propre cas : un autre correspondant de l'employeur ou le chargé "
            "de développement du territoire s'en charge."
        ]
        assert response.redirect_chain == [("http://testserver/correspondant/", 303)]

    def test_a_database_constraint_on_a_page_is_a_message_not_a_500(self, world):
        from django.contrib.messages.storage.cookie import CookieStorage

        EmploymentFactory(agent=world.agent, organisation=world.organisation)
        try:
            with transaction.atomic():
                Employment.objects.create(agent=world.agent, organisation=world.organisation)
        except IntegrityError as caught:
            error = caught
        request = RequestFactory().post(
            "/employeur/1/rattachement/", HTTP_REFERER="http://testserver/employeur/"
        )
        storage = CookieStorage(request)  # what MessageMiddleware sets as request._messages
        request._messages = storage  # type: ignore[attr-defined]
        response = middleware().process_exception(request, error)
        assert response is not None
        assert response.status_code == 303
        assert response["Location"] == "http://testserver/employeur/"
        assert [str(m) for m in storage] == ["Une demande ou un emploi est déjà en cours chez cet employeur."]

    def test_a_domain_error_on_a_get_page_is_an_error_page_with_its_status(self, world):
        request = RequestFactory().get("/correspondant/")
        request.user = world.agent
        response = middleware().process_exception(request, Conflict("Déjà fait."))
        assert response is not None
        assert response.status_code == 409
        assert "Déjà fait." in response.content.decode()
        with pytest.raises(Exception, match="Introuvable"):
            middleware().process_exception(request, NotFound())
