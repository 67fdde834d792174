"""The matching engine (SQL edges + search in memory) against a brute force written from the definition, on
hundreds of small random instances: places, parties, owners, modes, statuses and dates drawn so that the
boundaries (a window exactly MATCHING_MIN_NIGHTS long, a period ending the day a wish starts) come up."""

import datetime as dt
import itertools

import pytest
from django.contrib.gis.geos import MultiPolygon, Point, Polygon
from django.db.backends.postgresql.psycopg_any import DateRange
from django.test import override_settings
from django.utils import timezone
from hypothesis import HealthCheck, given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from exchanges.matching import compact
from exchanges.matching.engine import Graph, cycles_2_3
from exchanges.matching.graph import load_edges
from exchanges.matching.selectors import matches_for_home, pairs_for_home
from exchanges.models import AvailabilityPeriod, DestinationWish, Home
from geo.models import Commune
from tests.factories.accounts import UserFactory

MIN = 3
# Seven towns in five régions (Grenoble and Lyon share one: a stay between them is refused).
TOWNS = ["38185", "69123", "29232", "35238", "31555", "13055", "59350"]

home_st = st.fixed_dictionaries(
    {
        "town": st.integers(0, len(TOWNS) - 1),
        "owner": st.integers(0, 5),
        "sleeps": st.integers(1, 5),
        "published": st.sampled_from([True, True, True, False]),
        "periods": st.lists(
            st.tuples(st.integers(0, 6), st.integers(2, 12), st.sampled_from(["open", "open", "reciprocal"])),
            min_size=1,
            max_size=2,
        ),
        "wishes": st.lists(
            st.fixed_dictionaries(
                {
                    "towns": st.sets(st.integers(0, len(TOWNS) - 1), min_size=2, max_size=5),
                    "start": st.integers(0, 4),
                    "nights": st.integers(1, 10),
                    "flex": st.integers(0, 2),
                    "party": st.integers(1, 3),
                }
            ),
            min_size=1,
            max_size=2,
        ),
    }
)


def _square(point: Point) -> Polygon:
    x, y = point.x, point.y
    return Polygon.from_bbox((x - 0.05, y - 0.05, x + 0.05, y + 0.05))


def _build(specs, owners, communes, today):
    homes = []
    for spec in specs:
        commune = communes[spec["town"]]
        home = Home.objects.create(
            owner=owners[spec["owner"]],
            title="t",
            kind="flat",
            sleeps=spec["sleeps"],
            address="a",
            point=commune.point,
            public_point=commune.point,
            commune=commune,
            departement_id=commune.departement_id,
            region_id=commune.region_id,
            status="published" if spec["published"] else "draft",
        )
        start = 0
        for offset, length, mode in spec["periods"]:
            begin = start + offset
            AvailabilityPeriod.objects.create(
                home=home,
                period=DateRange(today + dt.timedelta(begin), today + dt.timedelta(begin + length)),
                mode=mode,
            )
            start = begin + length  # periods of one home never overlap
        for wish in spec["wishes"]:
            begin = today + dt.timedelta(wish["start"])
            DestinationWish.objects.create(
                home=home,
                target=MultiPolygon(*[_square(communes[t].point) for t in sorted(wish["towns"])], srid=4326),
                dates=DateRange(begin, begin + dt.timedelta(wish["nights"])),
                flexibility_days=wish["flex"],
                adults=wish["party"],
            )
        homes.append(home)
    return homes


def _nights(start: dt.date, end: dt.date) -> set[int]:
    return set(range(start.toordinal(), end.toordinal()))


def _brute_edges(homes):
    """(guest, host) → (nights of any period, nights of open periods), straight from the definition."""
    edges = {}
    for g, h in itertools.permutations(homes, 2):
        if g.status != "published" or h.status != "published" or g.owner_id == h.owner_id:
            continue
        if g.region_id == h.region_id:
            continue
        any_, open_ = set(), set()
        for w in g.wishes.all():
            if not w.target.contains(h.public_point) or h.sleeps < w.adults + w.children:
                continue
            lo = w.dates.lower - dt.timedelta(w.flexibility_days)
            hi = w.dates.upper + dt.timedelta(w.flexibility_days)
            for p in h.periods.all():
                nights = (
                    _nights(max(lo, p.period.lower), min(hi, p.period.upper))
                    if p.period.lower < hi
                    else set()
                )
                if len(nights) >= MIN:
                    any_ |= nights
                    if p.mode == "open":
                        open_ |= nights
        if any_:
            edges[(g.pk, h.pk)] = (any_, open_)
    return edges


def _longest(nights: set[int]):
    best, run_start = None, None
    for n in sorted(nights):
        if run_start is None or n - 1 not in nights:
            run_start = n
        if best is None or n + 1 - run_start > best[1] - best[0]:
            best = (run_start, n + 1)
    return best


def _brute(homes, edges, viewer):
    owners = {h.pk: h.owner_id for h in homes}
    found = set()
    ids = [h.pk for h in homes if h.pk != viewer.pk]
    for k in (2, 3, 4):
        for rest in itertools.permutations(ids, k - 1):
            cycle = (viewer.pk, *rest)
            stays = [(cycle[i], cycle[(i + 1) % k]) for i in range(k)]
            if any(s not in edges for s in stays) or len({owners[h] for h in cycle}) < k:
                continue
            common = set.intersection(*[edges[s][0 if k == 2 else 1] for s in stays])
            run = _longest(common)
            if run and run[1] - run[0] >= MIN:
                found.add((cycle, run))
    return found


@pytest.mark.django_db
@override_settings(MATCHING_MIN_NIGHTS=MIN, MATCHING_CROSS_REGION=True)
@hsettings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(specs=st.lists(home_st, min_size=3, max_size=7))
def test_engine_equals_brute_force(territories, specs):
    Home.objects.all().delete()
    today = timezone.localdate()
    owners = [UserFactory() for _ in range(6)]
    communes = [Commune.objects.get(code=c) for c in TOWNS]
    homes = _build(specs, owners, communes, today)
    edges = _brute_edges(homes)
    for viewer in homes:
        expected = _brute(homes, edges, viewer)
        got = {(m.homes, m.window) for m in matches_for_home(viewer, beam=None)}
        assert got == expected
        pairs = {(m.homes, m.window) for m in pairs_for_home(viewer)}
        assert pairs == {(c, w) for c, w in expected if len(c) == 2}


@pytest.mark.django_db
@override_settings(MATCHING_MIN_NIGHTS=MIN, MATCHING_CROSS_REGION=True)
@hsettings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(specs=st.lists(home_st, min_size=3, max_size=7))
def test_the_compact_graph_equals_the_sql_edges(territories, specs):
    """compact.load (places tested once each in memory, the edges built in compiled code: the batch's, the
    benchmark's and the subgraphs' loader) finds the very edges of the SQL statement, windows, wishes met, areas and spares
    included, and cycles_2_3 lists the 2- and 3-cycles a brute force finds on them."""
    Home.objects.all().delete()
    owners = [UserFactory() for _ in range(6)]
    communes = [Commune.objects.get(code=c) for c in TOWNS]
    _build(specs, owners, communes, timezone.localdate())
    sql = load_edges(Graph())
    loaded = compact.load().graph()
    assert loaded.out == sql.out
    assert {home: loaded.owner[home] for home in sql.owner} == sql.owner
    edges = {(g, h) for g, hosts in sql.out.items() for h in hosts}
    pairs = {(a, b) for a, b in edges if a < b and (b, a) in edges}
    triangles = {
        (a, b, c) for a, b in edges for c in sql.out.get(b, {}) if (c, a) in edges and a < b and a < c != b
    }
    expected = pairs | triangles
    assert sorted(cycles_2_3(loaded)) == sorted(expected)
