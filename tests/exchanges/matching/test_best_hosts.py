"""Each home's best hosts as the refreshes store them (models.BestHosts) and the search through one home that
reads them for its hosts' stays (graph.load_hosts_stays): the same hosts as engine._top on the whole graph, the
same suggestions as when every host's stays are ranked anew, and a row older than a change that never
suggests a stay gone.
With a beam of 2 as well as the app's: on these small graphs only a narrow beam cuts."""

import pytest
from django.db import connection, transaction
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from hypothesis import HealthCheck, given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from exchanges.matching import engine, services
from exchanges.matching import graph as graphs
from exchanges.matching.engine import Graph, _top
from exchanges.matching.selectors import matches_for_home
from exchanges.matching.services import suggestions_refresh, suggestions_refresh_later
from exchanges.models import BestHosts, DestinationWish, Home
from geo.models import Commune
from tests.exchanges.matching.test_engine_brute_force import MIN, TOWNS, _build, home_st
from tests.factories.accounts import UserFactory


def _seed(specs):
    Home.objects.all().delete()
    owners = [UserFactory() for _ in range(6)]
    communes = [Commune.objects.get(code=c) for c in TOWNS]
    return _build(specs, owners, communes, timezone.localdate())


def _stored() -> dict[int, list[int]]:
    return dict(BestHosts.objects.values_list("home_id", "hosts"))


def _expected(beam: int) -> dict[int, list[int]]:
    """engine._top of every published home's stays out on the whole graph (its order when it cuts)."""
    whole = graphs.load_edges(Graph())
    return {g: _top(hosts, beam) for g, hosts in whole.out.items() if hosts}


def _same(stored: dict[int, list[int]], expected: dict[int, list[int]], beam: int) -> None:
    assert stored.keys() == expected.keys()
    for home, hosts in expected.items():
        if len(whole_out := graphs.load_edges(Graph(), guests=[home]).out[home]) > beam:
            assert stored[home] == hosts  # the beam cuts: the best, best first
        else:
            assert sorted(stored[home]) == sorted(whole_out)  # every host


@pytest.fixture(params=[2, engine.BEAM], ids=["beam2", "app-beam"])
def beam(request, monkeypatch):
    """The beam of the refreshes and of the stored rows (engine.BEAM, read when they are used)."""
    monkeypatch.setattr(engine, "BEAM", request.param)
    monkeypatch.setattr(services, "BEAM", request.param)
    return request.param


@pytest.mark.django_db
@override_settings(MATCHING_MIN_NIGHTS=MIN, MATCHING_CROSS_REGION=True, MATCHING_SUGGESTIONS=50)
@hsettings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(specs=st.lists(home_st, min_size=3, max_size=7))
def test_the_refreshes_store_each_homes_best_hosts(territories, beam, specs):
    homes = _seed(specs)
    suggestions_refresh()  # every home: the compact graph
    _same(_stored(), _expected(beam), beam)
    # The refresh around one home (its neighbourhood, engine._top) writes the same rows for the homes it does.
    BestHosts.objects.all().delete()
    suggestions_refresh(home_ids=[homes[0].pk])
    stored, expected = _stored(), _expected(beam)
    _same(stored, {home: expected[home] for home in stored}, beam)
    if expected.get(homes[0].pk):
        assert homes[0].pk in stored


@pytest.mark.django_db
@override_settings(MATCHING_MIN_NIGHTS=MIN, MATCHING_CROSS_REGION=True, MATCHING_SUGGESTIONS=50)
@hsettings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(specs=st.lists(home_st, min_size=4, max_size=7))
def test_the_search_on_stored_best_hosts_finds_what_it_finds_ranking_them_anew(territories, beam, specs):
    homes = _seed(specs)
    suggestions_refresh()
    assert BestHosts.objects.exists() == any(graphs.load_edges(Graph()).out.values())
    stored = {home.pk: matches_for_home(home, beam=beam) for home in homes}
    BestHosts.objects.all().delete()
    anew = {home.pk: matches_for_home(home, beam=beam) for home in homes}
    assert stored == anew


def _chain():
    """Grenoble's household goes to Quimper, Quimper's to Toulouse, Toulouse's to Grenoble: three régions, one
    open fortnight each, so each home is the others' host in a three-home cycle."""
    communes = [Commune.objects.get(code=c) for c in ["38185", "29232", "31555"]]
    owners = [UserFactory() for _ in range(3)]
    spec = [
        {
            "town": i,
            "owner": i,
            "sleeps": 2,
            "published": True,
            "periods": [(0, 14, "open")],
            "wishes": [{"towns": {(i + 1) % 3}, "start": 0, "nights": 14, "flex": 0, "party": 2}],
        }
        for i in range(3)
    ]
    return _build(spec, owners, communes, timezone.localdate())


@pytest.mark.django_db
@override_settings(MATCHING_MIN_NIGHTS=MIN, MATCHING_CROSS_REGION=True)
def test_a_hosts_stays_are_read_from_its_stored_best_hosts_when_it_has_them(territories):
    """With stored best hosts, the hosts' stays are read pair by pair (STAYS_SQL), never searched in their
    wishes' places (OUT_SQL, OUT_MANY_SQL); without, they are: and the cycle is the same."""
    homes = _chain()
    viewer = homes[0]

    def search():
        with CaptureQueriesContext(connection) as queries:
            found = [(m.homes, m.window) for m in matches_for_home(viewer)]
        statements = [q["sql"] for q in queries.captured_queries]
        return found, statements

    def searched_in_places(statements):  # OUT_SQL or OUT_MANY_SQL: the homes inside a wish's place
        return sum(
            "ST_Contains(w.place, h.public_point)" in s or "ST_Contains(places.place" in s for s in statements
        )

    anew, statements = search()
    (cycle,) = anew
    assert len(cycle[0]) == 3
    # The viewer's own stays out (one statement) and its host's, searched in the host's wish's place.
    assert searched_in_places(statements) == 2
    pairs = sum("AS pr(guest, host)" in s for s in statements)  # given stays: the 4-cycles' middle ones
    suggestions_refresh()
    assert _stored() == {homes[0].pk: [homes[1].pk], homes[1].pk: [homes[2].pk], homes[2].pk: [homes[0].pk]}
    stored, statements = search()
    assert stored == anew
    # Only the viewer's own stays out are searched in a place; its host's come from the pairs' statement.
    assert searched_in_places(statements) == 1
    assert sum("AS pr(guest, host)" in s for s in statements) == pairs + 1


@pytest.mark.django_db
@override_settings(MATCHING_MIN_NIGHTS=MIN, MATCHING_CROSS_REGION=True)
def test_a_stored_row_older_than_a_change_never_suggests_a_stay_gone_and_the_job_rewrites_it(
    territories, django_capture_on_commit_callbacks
):
    homes = _chain()
    suggestions_refresh()
    (match,) = matches_for_home(homes[0])
    assert match.homes == (homes[0].pk, homes[1].pk, homes[2].pk)
    # Quimper's household no longer wishes to go to Toulouse: the cycle's middle stay is gone.
    with django_capture_on_commit_callbacks() as callbacks, transaction.atomic():
        DestinationWish.objects.filter(home=homes[1]).delete()
        suggestions_refresh_later([homes[1].pk])
    assert len(callbacks) == 1  # the job, deferred once the change is committed
    assert _stored()[homes[1].pk] == [homes[2].pk]  # its row is the refresh's until the job runs
    assert matches_for_home(homes[0]) == []  # but the stay is read now: no cycle through a stay gone
    suggestions_refresh(home_ids=[homes[1].pk])  # what the job does
    assert homes[1].pk not in _stored()  # no stay out any more, no row
