"""What the database keeps for the matching's one-home queries (the wish's `reach` and `target_digest`, generated
columns), kept in step with the wish's own columns whoever writes them; and the one-home searches that read
them (the pairs' statement, the stays into a home, the hosts' stays cut to what the beam reads) against the
whole graph, on the brute force's random instances."""

import datetime as dt

import pytest
from django.contrib.gis.geos import MultiPolygon
from django.db.backends.postgresql.psycopg_any import DateRange
from django.test import override_settings
from django.utils import timezone
from hypothesis import HealthCheck, given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from exchanges.matching import graph as graphs
from exchanges.matching.engine import Graph, matches_for
from exchanges.models import DestinationWish, Home
from geo.models import Commune
from tests.exchanges.matching.test_engine_brute_force import MIN, TOWNS, _build, _square, home_st
from tests.factories.accounts import UserFactory


def _wish(home, towns, start, nights, flex):
    communes = {c.code: c for c in Commune.objects.filter(code__in=TOWNS)}
    return DestinationWish.objects.create(
        home=home,
        target=MultiPolygon(*[_square(communes[TOWNS[t]].point) for t in towns], srid=4326),
        dates=DateRange(start, start + dt.timedelta(nights)),
        flexibility_days=flex,
    )


@pytest.mark.django_db
def test_reach_and_digest_follow_the_wish(territories):
    today = timezone.localdate()
    (home,) = _build(
        [{"town": 0, "owner": 0, "sleeps": 2, "published": True, "periods": [(0, 5, "open")], "wishes": []}],
        [UserFactory()],
        [Commune.objects.get(code=c) for c in TOWNS],
        today,
    )
    a = _wish(home, [1, 2], today, 7, 2)
    b = _wish(home, [1, 2], today + dt.timedelta(3), 4, 0)  # the same place, other dates
    c = _wish(home, [1, 3], today, 7, 2)
    for wish in (a, b, c):
        wish.refresh_from_db()
    assert a.reach == DateRange(today - dt.timedelta(2), today + dt.timedelta(9))
    assert b.reach == DateRange(today + dt.timedelta(3), today + dt.timedelta(7))
    assert a.target_digest == b.target_digest != c.target_digest
    # Written through the ORM's update() (no save(), no signal): the database recomputes both.
    DestinationWish.objects.filter(pk=b.pk).update(target=c.target, flexibility_days=5)
    b.refresh_from_db()
    assert b.target_digest == c.target_digest
    assert b.reach == DateRange(today - dt.timedelta(2), today + dt.timedelta(12))
    # A place moved by a hair is another place.
    DestinationWish.objects.filter(pk=c.pk).update(
        target=MultiPolygon(*[p.buffer(1e-9) for p in c.target], srid=4326)
    )
    c.refresh_from_db()
    assert c.target_digest != b.target_digest


def _seed(specs):
    Home.objects.all().delete()
    owners = [UserFactory() for _ in range(6)]
    communes = [Commune.objects.get(code=c) for c in TOWNS]
    return _build(specs, owners, communes, timezone.localdate())


def _edges(graph):
    return {(g, h): edge for g, hosts in graph.out.items() for h, edge in hosts.items()}


@pytest.mark.django_db
@override_settings(MATCHING_MIN_NIGHTS=MIN, MATCHING_CROSS_REGION=True)
@hsettings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(specs=st.lists(home_st, min_size=3, max_size=7), beam=st.sampled_from([1, 2, 3, 40]))
def test_the_one_home_statements_read_the_whole_graphs_edges(territories, specs, beam):
    """The stays into a home (places tested once per digest), its reciprocal candidates, and the stays of
    its best hosts cut to their `beam` best and those into its best guests (`keep`, arrays from the first
    row on here) are the whole graph's edges, and the search on them finds what it finds on the whole graph."""
    homes = _seed(specs)
    whole = graphs.load_edges(Graph())
    everything = _edges(whole)
    graphs.load_owners(whole, [h.pk for h in homes])
    for home in homes:
        into = _edges(graphs.load_edges(Graph(), hosts=[home.pk]))
        assert into == {k: e for k, e in everything.items() if k[1] == home.pk}
        pairs = _edges(graphs.pairs_graph(home.pk))
        assert pairs == {
            (g, h): e for (g, h), e in everything.items() if home.pk in (g, h) and (h, g) in everything
        }
        hosts = [h.pk for h in homes if h.pk != home.pk]
        targets = {homes[0].pk, home.pk}
        cut = _edges(graphs.load_edges(Graph(), guests=hosts, keep=(beam, targets)))
        for host in hosts:
            out = {h: e for (g, h), e in everything.items() if g == host}
            best = sorted(out, key=lambda h: (-out[h].quality, h))[:beam]
            assert {h for (g, h) in cut if g == host} == set(best) | (targets & set(out))
            assert all(cut[(host, h)] == out[h] for h in best)
        if home.status == "published":
            local = graphs.local_graph(home.pk, beam=beam)
            found = matches_for(local, home.pk, min_nights=MIN, beam=beam)
            assert [(m.homes, m.window) for m in found] == [
                (m.homes, m.window) for m in matches_for(whole, home.pk, min_nights=MIN, beam=beam)
            ]


@pytest.fixture(autouse=True)
def _arrays_from_the_first_row(monkeypatch):
    """`keep` goes through its arrays whatever the number of rows (above KEEP_ABOVE only in production), and
    the stays of more than one guest read the periods in one pass (above OUT_MANY_ABOVE guests otherwise)."""
    monkeypatch.setattr(graphs, "KEEP_ABOVE", 0)
    monkeypatch.setattr(graphs, "OUT_MANY_ABOVE", 1)


def test_the_grid_finds_the_points_a_place_contains():
    """compact._Grid (whole cells inside a place taken at once, the others point by point) against shapely's
    point-in-polygon on every point: crowded cells, points on the cells' edges and on the place's outline, a
    place with a hole, a place smaller than a cell, a place outside every point."""
    import numpy as np
    import shapely

    from exchanges.matching.compact import _Grid

    rng = np.random.default_rng(10)
    x = np.concatenate([rng.uniform(2.0, 4.0, 20_000), np.round(rng.uniform(2.0, 4.0, 2_000), 1), [3.0, 2.5]])
    y = np.concatenate(
        [rng.uniform(45.0, 46.5, 20_000), np.round(rng.uniform(45.0, 46.5, 2_000), 1), [45.5, 45.5]]
    )
    grid = _Grid(x, y)
    assert (grid.box_of >= 0).sum() > 50  # crowded cells: taken whole when inside
    places = [
        shapely.Point(3.0, 45.7).buffer(0.6, 16),
        shapely.Polygon([(2.5, 45.5), (3.5, 45.5), (3.5, 46.0), (2.5, 46.0)]),  # edges on cells' edges
        shapely.Polygon(
            [(2.1, 45.1), (3.9, 45.1), (3.9, 46.4), (2.1, 46.4)],
            holes=[[(2.6, 45.4), (3.4, 45.4), (3.4, 46.1), (2.6, 46.1)]],
        ),
        shapely.Point(3.01, 45.71).buffer(0.02),
        shapely.box(10.0, 50.0, 11.0, 51.0),
        shapely.MultiPolygon([shapely.box(2.0, 45.0, 2.45, 45.45), shapely.box(3.55, 46.05, 4.0, 46.5)]),
    ]
    for place in places:
        shapely.prepare(place)
        expected = np.flatnonzero(shapely.contains_xy(place, x, y))
        assert np.array_equal(grid.inside(place), expected)
