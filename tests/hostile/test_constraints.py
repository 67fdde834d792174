"""Database constraints the API and the pages answer with a 409: their registered names are the real ones,
and a real race (two connections registering the same SIREN) ends in one 201 and one 409."""

import threading
import time
from typing import Any

import pytest
from django.db import connection, connections

from marketplace.errors import _CONSTRAINT_MESSAGES
from marketplace.organisations import services
from marketplace.organisations.models import Organisation
from tests.factories.organisations import siren_with_key
from tests.hostile.conftest import logged, send_json


def database_constraint_names() -> set[str]:
    """Constraints and unique indexes (a partial UniqueConstraint is an index): what PostgreSQL reports."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT conname FROM pg_constraint "
            "UNION SELECT indexname FROM pg_indexes WHERE schemaname = current_schema()"
        )
        return {row[0] for row in cursor.fetchall()}


@pytest.mark.django_db
def test_every_registered_constraint_name_exists_in_the_database():
    registered = set(_CONSTRAINT_MESSAGES)
    assert registered, "no constraint registered"
    assert registered - database_constraint_names() == set()


@pytest.mark.django_db(transaction=True)
def test_two_registrations_of_one_siren_at_once_one_201_one_409(world):
    """The second request passes the existence check while the first has inserted but not committed; its
    insert waits on the unique index, then fails when the first commits: the constraint's 409."""
    siren = siren_with_key(21380999)
    payload = {"name": "Mairie de Voreppe", "kind": "commune", "siren": siren, "seat_commune": "38185"}
    first_inserted = threading.Event()
    results: dict[str, Any] = {}
    real_audit_record = services.audit_record

    def audit_record_then_wait(**kwargs: Any) -> Any:
        # Runs in the first request only, after its INSERT: hold the transaction open until the second
        # request is blocked on the row lock of the unique index.
        if threading.current_thread().name == "first":
            first_inserted.set()
            deadline = time.monotonic() + 10
            while time.monotonic() < deadline and not _someone_waits_on_a_lock():
                time.sleep(0.05)
        return real_audit_record(**kwargs)

    def register(name: str, user: Any) -> None:
        try:
            response = send_json(logged(user), "post", "/api/v1/organisations", payload)
            results[name] = (response.status_code, response.json())
        finally:
            connections.close_all()

    services.audit_record = audit_record_then_wait
    try:
        first = threading.Thread(target=register, args=("first", world.agent), name="first")
        second = threading.Thread(target=register, args=("second", world.stranger), name="second")
        first.start()
        assert first_inserted.wait(10)
        second.start()
        first.join(30)
        second.join(30)
    finally:
        services.audit_record = real_audit_record
    assert results["first"][0] == 201
    assert results["second"][0] == 409, results["second"]
    assert results["second"][1]["detail"] == {"constraint": "organisations_organisation_siren_key"}
    assert Organisation.objects.filter(siren=siren).count() == 1


def _someone_waits_on_a_lock() -> bool:
    watcher = connections.create_connection("default")
    try:
        with watcher.cursor() as cursor:
            cursor.execute(
                "SELECT count(*) FROM pg_stat_activity "
                "WHERE datname = current_database() AND wait_event_type = 'Lock'"
            )
            return bool(cursor.fetchone()[0])
    finally:
        watcher.close()
