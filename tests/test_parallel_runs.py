"""`make check` and `make test` run the tests on one worker a core (pytest-xdist), beside other runs on the cluster."""

import os

import pytest
from django.db import connection


@pytest.mark.django_db
def test_each_worker_has_a_test_database_of_its_own(worker_id: str):
    # TEST_DB_SUFFIX keeps concurrent runs apart; pytest-django then adds the worker's id (_gw0, _gw1…).
    expected = "test_reciproque" + os.environ.get("TEST_DB_SUFFIX", "")
    if worker_id != "master":
        expected += f"_{worker_id}"
    assert connection.settings_dict["NAME"] == expected
