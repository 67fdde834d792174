"""Erasure leaves no trace: every text column of every table is searched for the person's data."""

import pytest
from django.db import connection

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
    assert tables_containing("someone.else") != []
    assert keep.email == "someone.else@example.fr"


@pytest.mark.django_db
def test_export_contains_every_registered_section():
    user = UserFactory()
    data = user_export_data(actor=user)
    assert "exported_at" in data
    assert data["account"]["email"] == user.email
