"""The shared failure-path assertion sees every kind of write, and names the table."""

import pytest

from marketplace.audit.models import AuditEvent
from marketplace.organisations.models import Organisation
from tests.helpers import assert_nothing_written, project_models


def test_covers_the_project_tables_audit_included():
    tables = {m._meta.db_table for m in project_models()}
    assert {"audit_auditevent", "organisations_organisation", "accounts_user", "geo_commune"} <= tables
    assert "auth_permission" not in tables


def test_passes_when_only_reading(world):
    with assert_nothing_written():
        assert Organisation.objects.count() == 3


@pytest.mark.parametrize(
    ("write", "table"),
    [
        pytest.param(
            lambda w: Organisation.objects.filter(pk=w.organisation.pk).update(name="Autre"),
            "organisations_organisation",
            id="update keeping the count",
        ),
        pytest.param(
            lambda w: w.organisation.periods.all().delete(), "organisations_membershipperiod", id="delete"
        ),
        pytest.param(
            lambda w: AuditEvent.objects.create(object_type="x", object_id="1", to_state="y"),
            "audit_auditevent",
            id="audit event",
        ),
    ],
)
def test_fails_naming_the_table_that_changed(world, write, table):
    with (
        pytest.raises(AssertionError, match=f"written although the request failed: {table}$"),
        assert_nothing_written(),
    ):
        write(world)
