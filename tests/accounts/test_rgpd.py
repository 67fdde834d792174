"""Erasure leaves no trace: every text column of every table is searched for the person's data."""

import pytest
from django.db import connection

from marketplace.accounts.models import User
from marketplace.accounts.services import user_delete, user_export_data, user_update_profile
from tests.factories.accounts import PASSWORD, UserFactory


def tables_containing(*needles: str) -> list[str]:
    found = []
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT table_name, column_name FROM information_schema.columns WHERE table_schema = 'public' "
            "AND data_type IN ('text', 'character varying', 'jsonb', 'json')"
        )
        for table, column in cursor.fetchall():
            for needle in needles:
                cursor.execute(
                    f'SELECT 1 FROM "{table}" WHERE "{column}"::text ILIKE %s LIMIT 1', [f"%{needle}%"]
                )
                if cursor.fetchone():
                    found.append(f"{table}.{column}")
    return found


@pytest.mark.django_db
def test_deletion_erases_every_trace_of_the_person():
    user = UserFactory(
        email="dominique.erase@example.fr", display_name="Dominique Effacé", phone="0699887766"
    )
    user_update_profile(actor=user, display_name="Dominique Effacée")
    keep = UserFactory(email="someone.else@example.fr")
    assert tables_containing("dominique.erase", "0699887766", "Dominique Eff") != []
    user_delete(actor=user, password=PASSWORD)
    assert tables_containing("dominique.erase", "0699887766", "Dominique Eff") == []
    # Only that person: the other account is still there, with its address.
    assert User.objects.get(pk=keep.pk).email == "someone.else@example.fr"
    assert "accounts_user.email" in tables_containing("someone.else")


def test_export_contains_every_registered_section(world, monkeypatch):
    from marketplace.accounts import privacy

    # A section registered by any app (here a probe, as a new app would) appears, computed for the actor.
    monkeypatch.setitem(privacy._exporters, "probe", lambda user: {"id": user.pk})
    user = world.correspondent
    data = user_export_data(actor=user)
    assert set(data) == {"exported_at", *privacy._exporters}
    assert {"account", "employers", "staff_invitations", "decisions", "probe"} <= set(data)
    assert data["probe"] == {"id": user.pk}
    assert data["account"]["email"] == user.email
    assert data["employers"]["staff_roles"] == [
        {"organisation": "Ville de Grenoble", "role": "correspondent", "status": "active"}
    ]


@pytest.mark.django_db
def test_erasure_reaches_employments_roles_territories_and_decision_history(world):
    from marketplace.audit.models import AuditEvent
    from marketplace.organisations import services as org_services

    officer = world.officer
    officer.email, officer.display_name, officer.phone = (
        "officer.erase@example.fr",
        "Officier Effacé",
        "0611223344",
    )
    officer.save()
    org_services.organisation_validate(actor=officer, organisation=world.pending, comment="validé")
    org_services.employment_request(actor=officer, organisation=world.organisation)
    exported = user_export_data(actor=officer)
    assert exported["employers"]["officer_territories"] == ["38"]
    assert exported["decisions"][0]["to"] == "validated"
    events_before = AuditEvent.objects.count()

    user_delete(actor=officer, password=PASSWORD)

    assert tables_containing("officer.erase", "0611223344", "Officier Eff") == []
    # The decisions themselves stay (traceability); who took them is forgotten.
    assert AuditEvent.objects.count() == events_before
    assert AuditEvent.objects.get(object_id=str(world.pending.pk), to_state="validated").actor is None
