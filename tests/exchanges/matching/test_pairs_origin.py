"""The pairs of a home (graph.PAIRS_SQL) keep only the wishes whose household's point, copied on the wish by the
database (`DestinationWish.origin`), lies where the home's own wishes go: the copy follows every write, and the
pairs equal a brute force on random instances whose homes moved after their wishes were written."""

import pytest
from django.contrib.gis.geos import MultiPolygon, Point
from django.test import override_settings
from django.utils import timezone
from hypothesis import HealthCheck, given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from exchanges.matching.selectors import pairs_for_home
from exchanges.models import DestinationWish, Home
from geo.models import Commune
from tests.exchanges.matching.test_engine_brute_force import (
    MIN,
    TOWNS,
    _brute,
    _brute_edges,
    _build,
    _square,
    home_st,
)
from tests.factories.accounts import UserFactory

pytestmark = pytest.mark.django_db


def _origins(home: Home) -> list[Point]:
    origins = list(DestinationWish.objects.filter(home=home).values_list("origin", flat=True))
    assert None not in origins, "a wish without its household's point"
    return [origin for origin in origins if origin is not None]


def test_the_origin_is_the_homes_public_point_whatever_the_writer_sends(territories):
    communes = [Commune.objects.get(code=c) for c in TOWNS[:3]]
    owners = [UserFactory()]
    spec = {
        "town": 0,
        "owner": 0,
        "sleeps": 2,
        "published": True,
        "periods": [(0, 7, "open")],
        "wishes": [{"towns": {1, 2}, "start": 0, "nights": 7, "flex": 0, "party": 2}],
    }
    (home,) = _build([spec], owners, communes, timezone.localdate())
    wish = DestinationWish.objects.get(home=home)
    assert wish.origin is not None
    assert wish.origin.equals_exact(home.public_point, 0)

    # A save with a stale (or made-up) origin: the database writes the home's point again.
    wish.origin = Point(0, 0, srid=4326)
    wish.save()
    wish.refresh_from_db()
    assert wish.origin.equals_exact(home.public_point, 0)

    # The home moves (its public point rewritten, by a save or a bulk update): its wishes follow.
    home.public_point = communes[1].point
    home.save()
    assert [o.coords for o in _origins(home)] == [communes[1].point.coords]
    Home.objects.filter(pk=home.pk).update(public_point=communes[2].point)
    assert [o.coords for o in _origins(home)] == [communes[2].point.coords]

    # A wish moved to another home takes that home's point.
    other = _build([{**spec, "town": 1}], owners, communes, timezone.localdate())[0]
    DestinationWish.objects.filter(pk=wish.pk).update(home=other)
    assert [o.coords for o in _origins(other)] == [communes[1].point.coords] * 2


@override_settings(MATCHING_MIN_NIGHTS=MIN, MATCHING_CROSS_REGION=True)
@hsettings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    specs=st.lists(home_st, min_size=3, max_size=7),
    moves=st.lists(st.tuples(st.integers(0, 6), st.integers(0, len(TOWNS) - 1)), max_size=3),
)
def test_pairs_equal_brute_force_after_homes_moved(territories, specs, moves):
    """Homes moved after their wishes were written (their point now in another wish's place, or out of
    one): the pairs found through the wishes' copied points are the brute force's, boundaries included."""
    Home.objects.all().delete()
    today = timezone.localdate()
    owners = [UserFactory() for _ in range(6)]
    communes = [Commune.objects.get(code=c) for c in TOWNS]
    homes = _build(specs, owners, communes, today)
    for index, town in moves:
        if index < len(homes):
            # Half a square off the town's centre for odd towns: some moved points fall on a place's edge.
            point = communes[town].point
            shift = 0.05 if town % 2 else 0.0
            Home.objects.filter(pk=homes[index].pk).update(
                public_point=Point(point.x + shift, point.y, srid=4326)
            )
    for home in homes:
        home.refresh_from_db()
    edges = _brute_edges(homes)
    for viewer in homes:
        expected = {(c, w) for c, w in _brute(homes, edges, viewer) if len(c) == 2}
        assert {(m.homes, m.window) for m in pairs_for_home(viewer)} == expected


def test_a_wish_whose_household_lives_outside_the_homes_wished_places_is_no_pair(territories):
    """Grenoble wishes Quimper, Quimper wishes Grenoble: a pair; Quimper's home moved to Lille: none."""
    communes = [Commune.objects.get(code=c) for c in ("38185", "29232", "59350")]
    owners = [UserFactory(), UserFactory()]

    def spec(town, wished):
        wish = {"towns": {wished}, "start": 0, "nights": 7, "flex": 0, "party": 2}
        return {
            "town": town,
            "owner": town,
            "sleeps": 2,
            "published": True,
            "periods": [(0, 7, "open")],
            "wishes": [wish],
        }

    with override_settings(MATCHING_MIN_NIGHTS=MIN):
        grenoble, quimper = _build([spec(0, 1), spec(1, 0)], owners, communes, timezone.localdate())
        assert [m.homes for m in pairs_for_home(grenoble)] == [(grenoble.pk, quimper.pk)]
        Home.objects.filter(pk=quimper.pk).update(public_point=communes[2].point)
        assert pairs_for_home(grenoble) == []
        square = MultiPolygon(_square(communes[2].point), srid=4326)
        DestinationWish.objects.filter(home=grenoble).update(target=square)
        # Grenoble now wishes Lille, where Quimper's household lives: the pair again.
        assert [m.homes for m in pairs_for_home(grenoble)] == [(grenoble.pk, quimper.pk)]
