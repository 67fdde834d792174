"""The admin shows workflow statuses but changes them only through the services (state checked, event
written)."""

import pytest
from django.test import Client

from marketplace.audit.models import AuditEvent
from marketplace.organisations.models import Employment, EmploymentStatus, Organisation, OrganisationStatus
from tests.factories.organisations import EmploymentFactory
from tests.helpers import assert_nothing_written


@pytest.fixture
def admin_client_(world) -> Client:
    client = Client()
    client.force_login(world.admin)
    return client


def test_the_status_is_not_an_editable_field(world, admin_client_):
    page = admin_client_.get(f"/admin/organisations/organisation/{world.pending.pk}/change/")
    assert page.status_code == 200
    html = page.content.decode()
    assert 'name="status"' not in html
    assert "En attente de validation" in html
    # A forged POST with a status does not change it.
    admin_client_.post(
        f"/admin/organisations/organisation/{world.pending.pk}/change/",
        {"name": world.pending.name, "kind": "ccas", "agents_count": 3, "status": "validated"},
    )
    assert Organisation.objects.get(pk=world.pending.pk).status == OrganisationStatus.PENDING
    assert not AuditEvent.objects.filter(object_id=str(world.pending.pk), to_state="validated").exists()


def test_actions_go_through_the_services(world, admin_client_):
    response = admin_client_.post(
        "/admin/organisations/organisation/",
        {"action": "validate", "_selected_action": [world.pending.pk, world.organisation.pk]},
        follow=True,
    )
    assert response.status_code == 200
    assert Organisation.objects.get(pk=world.pending.pk).status == OrganisationStatus.VALIDATED
    events = AuditEvent.objects.filter(object_type="organisations.organisation")
    assert list(events.values_list("object_id", "transition", "actor")) == [
        (str(world.pending.pk), "validate", world.admin.pk)
    ]
    # The already validated one was refused by its state, and the page says so.
    messages = [str(m) for m in response.context["messages"]]
    assert any("déjà été validé" in m for m in messages), messages


def test_employment_actions(world, admin_client_):
    employment = EmploymentFactory(agent=world.agent, organisation=world.organisation, status="pending")
    admin_client_.post(
        "/admin/organisations/employment/", {"action": "confirm", "_selected_action": [employment.pk]}
    )
    assert Employment.objects.get(pk=employment.pk).status == EmploymentStatus.CONFIRMED
    assert AuditEvent.objects.filter(transition="confirm", object_id=str(employment.pk)).count() == 1


def test_no_add_or_delete_of_workflow_rows(world, admin_client_):
    employment = EmploymentFactory(agent=world.agent, organisation=world.organisation)
    with assert_nothing_written():
        assert admin_client_.get("/admin/organisations/organisation/add/").status_code == 403
        assert admin_client_.post("/admin/organisations/organisation/add/", {"name": "X"}).status_code == 403
        for url in (
            f"/admin/organisations/employment/{employment.pk}/delete/",
            f"/admin/organisations/organisation/{world.organisation.pk}/delete/",
        ):
            assert admin_client_.get(url).status_code == 403, url
            assert admin_client_.post(url, {"post": "yes"}).status_code == 403, url
        bulk = admin_client_.post(
            "/admin/organisations/employment/",
            {"action": "delete_selected", "_selected_action": [employment.pk], "post": "yes"},
        )
        assert bulk.status_code in (200, 302)  # the action is not offered: the admin says so, deletes nothing


def test_every_workflow_field_is_read_only_in_the_admin():
    """Whatever way an admin makes it so (`readonly_fields`, or `get_readonly_fields` for a read-only admin),
    the change form of a workflow object never edits its status."""
    from django.contrib import admin
    from django.test import RequestFactory
    from django_fsm import FSMFieldMixin

    from marketplace.accounts.models import User

    request = RequestFactory().get("/admin/")
    request.user = User(is_superuser=True, is_staff=True)

    workflow_models = [
        model
        for model in admin.site._registry
        if any(isinstance(f, FSMFieldMixin) for f in model._meta.concrete_fields)
    ]
    assert len(workflow_models) >= 4
    for model in workflow_models:
        model_admin = admin.site._registry[model]
        for field in model._meta.concrete_fields:
            if isinstance(field, FSMFieldMixin):
                assert field.name in model_admin.get_readonly_fields(request, model()), model


def test_no_admin_form_shows_or_links_a_privately_stored_file():
    """Private files have no URL (a view checks who asks): an admin form that showed one would link a path
    that serves nothing, or fail on building its URL."""
    from django.contrib import admin
    from django.core.files.storage import storages
    from django.test import RequestFactory

    from marketplace.accounts.models import User
    from marketplace.core.storage import file_fields, storage_of

    request = RequestFactory().get("/admin/")
    request.user = User(is_superuser=True, is_staff=True)
    private = [(model, field) for model, field in file_fields() if storage_of(field) is storages["private"]]
    assert len(private) >= 3  # attachments, agreements' documents, import files
    shown = [
        f"{model.__name__}.{field.name}"
        for model, field in private
        if model in admin.site._registry
        and field.name in admin.site._registry[model].get_fields(request, model())
    ]
    assert shown == []
