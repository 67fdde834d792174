"""Two refreshes of the same homes at once (the worker runs two jobs at a time: a home and its neighbour
changed together): the second one's delete, whose snapshot predates the first one's commit, must not miss the
rows the first one inserted. Both finish, and each home keeps one set of suggestions and best hosts."""

import threading
import time

import pytest
from django.db import connection

from exchanges.matching import services as matching
from exchanges.models import BestHosts, Suggestion
from tests.transactional import KEEP_TERRITORIES

# Committed transactions (each thread has its own connection); the territories stay out of the flush.
pytestmark = KEEP_TERRITORIES


@pytest.fixture(autouse=True)
def _three_nights(settings):
    settings.MATCHING_MIN_NIGHTS = 3  # the `homes` fixture's two homes have 4 nights in common


def _waiting_for_a_lock() -> int:
    """Backends of this database waiting for a lock (a row's, or the refresh's advisory lock)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
            "AND wait_event_type = 'Lock' AND pid <> pg_backend_pid()"
        )
        return int(cursor.fetchone()[0])


def test_two_refreshes_of_the_same_homes_at_once_both_finish(homes, monkeypatch):
    assert matching.suggestions_refresh() == 2  # the pair, seen from each home
    inserted, go = threading.Event(), threading.Event()
    first_thread: list[threading.Thread] = []
    errors: dict[str, BaseException] = {}
    bulk_create = Suggestion.objects.bulk_create

    def holding(rows, *args, **kwargs):
        # The first refresh stops after its inserts, before its commit, until the second one waits.
        created = bulk_create(rows, *args, **kwargs)
        if threading.current_thread() is first_thread[0]:
            inserted.set()
            assert go.wait(timeout=20)
        return created

    monkeypatch.setattr(Suggestion.objects, "bulk_create", holding)

    def refresh(name: str) -> None:
        try:
            matching.suggestions_refresh(home_ids=[homes["grenoble"].pk])
        except BaseException as error:  # reported below
            errors[name] = error
        finally:
            connection.close()

    first = threading.Thread(target=refresh, args=("first",))
    first_thread.append(first)
    second = threading.Thread(target=refresh, args=("second",))
    first.start()
    assert inserted.wait(timeout=20)
    second.start()
    deadline = time.monotonic() + 20
    while not _waiting_for_a_lock() and time.monotonic() < deadline:
        time.sleep(0.02)
    assert _waiting_for_a_lock() == 1  # the second refresh waits for the first one's transaction
    go.set()
    first.join(timeout=30)
    second.join(timeout=30)
    assert errors == {}
    pair = sorted([homes["grenoble"].pk, homes["quimper"].pk])
    assert sorted(Suggestion.objects.values_list("home_id", "rank")) == [(pair[0], 1), (pair[1], 1)]
    assert sorted(BestHosts.objects.values_list("home_id", flat=True)) == pair
