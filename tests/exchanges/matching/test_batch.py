"""The batch (every home's best suggestions searched on the compact graph, matching.compact) against the search
through one home (selectors.matches_for_home, the SQL neighbourhood and engine.matches_for): the same
suggestions in the same order, windows, scores and reasons' numbers included, on small random graphs (the
brute force's instances), with the app's beam and with a beam of 2 that cuts."""

import datetime as dt

import pytest
from django.test import override_settings
from django.utils import timezone
from hypothesis import HealthCheck, given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from exchanges.matching import compact
from exchanges.matching import graph as graphs
from exchanges.matching.engine import Graph, matches_for
from exchanges.matching.selectors import matches_for_home
from exchanges.matching.services import suggestions_refresh
from exchanges.models import Home, Suggestion
from geo.models import Commune
from tests.exchanges.matching.test_engine_brute_force import MIN, TOWNS, _build, home_st
from tests.factories.accounts import UserFactory


def _seed(specs):
    Home.objects.all().delete()
    owners = [UserFactory() for _ in range(6)]
    communes = [Commune.objects.get(code=c) for c in TOWNS]
    return _build(specs, owners, communes, timezone.localdate())


@pytest.mark.django_db
@override_settings(MATCHING_MIN_NIGHTS=MIN, MATCHING_CROSS_REGION=True, MATCHING_SUGGESTIONS=3)
@hsettings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(specs=st.lists(home_st, min_size=3, max_size=7))
def test_the_batch_stores_what_the_search_through_each_home_finds(territories, specs):
    homes = _seed(specs)
    written = suggestions_refresh()
    total = 0
    for home in homes:
        expected = [
            (m.homes, (dt.date.fromordinal(m.window[0]), dt.date.fromordinal(m.window[1])), m.score, m.params)
            for m in matches_for_home(home, limit=3)
        ]
        stored = [
            (tuple(s.homes), (s.window.lower, s.window.upper), s.score, s.params)
            for s in Suggestion.objects.filter(home=home).order_by("rank")
        ]
        assert stored == expected
        assert [s.kind for s in Suggestion.objects.filter(home=home).order_by("rank")] == [
            "pair" if len(m[0]) == 2 else "cycle" for m in expected
        ]
        total += len(expected)
    assert written == total


@pytest.mark.django_db
@override_settings(MATCHING_MIN_NIGHTS=MIN, MATCHING_CROSS_REGION=True)
@hsettings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(specs=st.lists(home_st, min_size=4, max_size=7))
def test_a_narrow_beam_cuts_the_same_cycles(territories, specs):
    """With a beam of 2 (most homes have more stays than that), the compact search keeps the cycles through
    the same best stays as engine.matches_for on the SQL neighbourhood."""
    homes = _seed(specs)
    graph = compact.load()
    people = Graph()
    graphs.load_people(people)
    found = compact.found(compact.suggestions(graph, compact.people(graph, people), beam=2, limit=50))
    for home in homes:
        local = graphs.local_graph(home.pk, beam=2)
        expected = [
            (m.homes, m.window, m.score, m.params)
            for m in (
                matches_for(local, home.pk, min_nights=MIN, beam=2) if home.status == "published" else []
            )
        ]
        assert [(f.homes, f.window, f.score, f.params) for f in found if f.home == home.pk] == expected[:50]


def test_warm_up_runs_every_kernel_without_a_database():
    """What the image build runs (Dockerfile): two homes hosting each other, one suggestion each."""
    from exchanges.matching.compact import warm_up

    assert warm_up() == 2


def _schema(table):
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint WHERE conrelid = %s::regclass",
            [table],
        )
        constraints = sorted(cursor.fetchall())
        cursor.execute(
            "SELECT indexrelid::regclass::text, pg_get_indexdef(indexrelid) FROM pg_index"
            " WHERE indrelid = %s::regclass",
            [table],
        )
        return constraints, sorted(cursor.fetchall())


@pytest.mark.django_db(transaction=True)
@override_settings(MATCHING_MIN_NIGHTS=MIN, MATCHING_CROSS_REGION=True)
def test_the_whole_refresh_leaves_the_table_s_indexes_and_constraints_as_the_migrations_made_them(
    territories,
):
    """The whole refresh writes without the secondary indexes and constraints, then makes them again: the same
    names and definitions after it, and the foreign key still enforced (deleting a home drops its rows)."""
    table = Suggestion._meta.db_table
    before = _schema(table)
    assert any("FOREIGN KEY" in d for _n, d in before[0])
    assert any("gin" in d for _n, d in before[1])
    wish = {"start": 0, "nights": 8, "flex": 0, "party": 2}
    spec = {"sleeps": 4, "published": True, "periods": [(0, 10, "open")]}
    # Grenoble (0) wishes Quimper (2) and the reverse, two owners: one pair, one suggestion each.
    homes = _seed(
        [
            {**spec, "town": 0, "owner": 0, "wishes": [{**wish, "towns": {2, 3}}]},
            {**spec, "town": 2, "owner": 1, "wishes": [{**wish, "towns": {0, 1}}]},
        ]
    )
    assert suggestions_refresh() == 2
    assert _schema(table) == before
    assert sorted(Suggestion.objects.values_list("home_id", flat=True)) == sorted(h.pk for h in homes)
    homes[0].delete()
    assert list(Suggestion.objects.values_list("home_id", flat=True)) == [homes[1].pk]
