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
