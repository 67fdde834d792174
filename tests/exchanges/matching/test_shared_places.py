"""The stays out of many guests (graph.OUT_MANY_SQL: the homes inside each distinct place found once, with the
widest dates and smallest party of the wishes sharing it, each wish's own checked after) against the brute
force, on random instances where many households wish the very same places."""

import pytest
from django.test import override_settings
from django.utils import timezone
from hypothesis import HealthCheck, given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from exchanges.matching import graph as graphs
from exchanges.matching.engine import Graph
from exchanges.models import Home
from geo.models import Commune
from tests.exchanges.matching.test_engine_brute_force import MIN, TOWNS, _brute_edges, _build
from tests.factories.accounts import UserFactory

pytestmark = pytest.mark.django_db

# Three places only: most wishes share their place (the same bytes) with others, dates and parties differing.
PLACES = [frozenset({0, 2}), frozenset({2, 3, 4}), frozenset({1, 4, 5, 6})]

shared_home_st = st.fixed_dictionaries(
    {
        "town": st.integers(0, len(TOWNS) - 1),
        "owner": st.integers(0, 5),
        "sleeps": st.integers(1, 5),
        "published": st.sampled_from([True, True, True, False]),
        "periods": st.lists(
            st.tuples(st.integers(0, 6), st.integers(2, 12), st.sampled_from(["open", "reciprocal"])),
            min_size=1,
            max_size=2,
        ),
        "wishes": st.lists(
            st.fixed_dictionaries(
                {
                    "towns": st.sampled_from(PLACES),
                    "start": st.integers(0, 6),
                    "nights": st.integers(1, 10),
                    "flex": st.integers(0, 3),
                    "party": st.integers(1, 4),
                }
            ),
            min_size=1,
            max_size=3,
        ),
    }
)


def _nights(window):
    return {night for start, end in window for night in range(start, end)}


@override_settings(MATCHING_MIN_NIGHTS=MIN, MATCHING_CROSS_REGION=True)
@hsettings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(specs=st.lists(shared_home_st, min_size=3, max_size=8))
def test_the_stays_of_many_guests_equal_brute_force(territories, specs, monkeypatch):
    monkeypatch.setattr(graphs, "OUT_MANY_ABOVE", 0)
    Home.objects.all().delete()
    owners = [UserFactory() for _ in range(6)]
    communes = [Commune.objects.get(code=c) for c in TOWNS]
    homes = _build(specs, owners, communes, timezone.localdate())
    expected = _brute_edges(homes)
    graph = graphs.load_edges(Graph(), guests=[h.pk for h in homes])
    got = {
        (guest, host): (_nights(edge.any), _nights(edge.open))
        for guest, hosts in graph.out.items()
        for host, edge in hosts.items()
    }
    assert got == expected
    # The wishes met, the smallest place and the spare beds too, as the statement of one guest finds them.
    monkeypatch.setattr(graphs, "OUT_MANY_ABOVE", 8)
    for home in homes:
        one = graphs.load_edges(Graph(), guests=[home.pk])
        assert one.out.get(home.pk, {}) == graph.out.get(home.pk, {})
