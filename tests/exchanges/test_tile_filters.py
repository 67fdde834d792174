"""Filtered tiles stay exact (issue 8, speed of filtered national tiles): the faceted cells (party size and kind)
that the database keeps follow every change of the homes, the tiles they give equal the tiles grouped from
the matching homes, and the date filter (with the nights every slid stay holds, which the dates index tests)
keeps exactly the homes free for the stay, checked against a plain computation in Python."""

import datetime as dt
import random
from collections.abc import Iterable

import pytest
from django.db import connection
from django.http import QueryDict
from django.test.utils import CaptureQueriesContext

from exchanges import services, tiles
from exchanges.filters import HomeSearchFilter
from exchanges.models import FACETS_MAX_ZOOM, Home, HomeCell, HomeFacetCell, HomeFreeRun, HomeStatus
from exchanges.selectors import homes_searchable
from marketplace import lists
from tests.exchanges.test_search_index import features, layers, tile_xy
from tests.factories.exchanges import GRENOBLE, QUIMPER, in_days, make_home
from tests.organisations.test_api import client_for


def facets() -> dict[tuple, tuple[int, int]]:
    return {(c.zoom, c.cx, c.cy, c.sleeps, c.kind): (c.count, c.sum_id) for c in HomeFacetCell.objects.all()}


def expected_tile(user, z: int, x: int, y: int, query: str) -> dict:
    """The tile grouped on the fly from the homes the search itself keeps."""
    queryset = lists.filtered(QueryDict(query), HomeSearchFilter, homes_searchable(user))
    return features(tiles.tile(queryset, z, x, y))


def total(content: bytes) -> int:
    found = layers(content)
    return sum(c["count"] for c in found.get("clusters", [])) + len(found.get("homes", []))


def tiles_holding(homes: Iterable[int], z: int) -> set[tuple[int, int]]:
    """The tiles at zoom z of the homes' public points. Not the tiles of the cities' centres: a public point
    lies 300–800 m from the home (its direction set by the home's id), and Quimper's centre is 630 m north
    of a z8 tile edge, so a home there could fall in the next tile (a full run once met it: 1 counted for
    2 free)."""
    points = (Home.objects.get(pk=pk).public_point for pk in homes)
    return {tile_xy(point.x, point.y, z) for point in points}


def free_for(periods: list[tuple[dt.date, dt.date]], start: dt.date, end: dt.date, flexibility: int) -> bool:
    """Plain Python: one night after another, is there a start within ± flexibility days whose whole stay
    is free (every night inside one of the periods)?"""
    free = {start_ + dt.timedelta(days=i) for start_, end_ in periods for i in range((end_ - start_).days)}
    nights = (end - start).days
    for shift in range(-flexibility, flexibility + 1):
        first = start + dt.timedelta(days=shift)
        if all(first + dt.timedelta(days=i) in free for i in range(nights)):
            return True
    return False


@pytest.fixture
def spread(people):
    """Twelve published homes of the other agent around Quimper and Grenoble, of every kind and size, and
    two of the searcher's own (never counted for them)."""
    rng = random.Random(5)
    homes = []
    for i in range(12):
        lon, lat = (QUIMPER, GRENOBLE)[i % 2]
        home = make_home(
            people.other,
            lon=lon + rng.uniform(-0.08, 0.08),
            lat=lat + rng.uniform(-0.05, 0.05),
            sleeps=rng.choice([1, 2, 3, 4, 6]),
            kind=rng.choice(["flat", "house", "other"]),
            amenities=rng.sample(["wifi", "garden", "parking", "lift"], rng.randint(0, 3)),
            accessibility=rng.sample(["step_free", "adapted_bathroom"], rng.randint(0, 1)),
        )
        services.home_publish(actor=people.other, home=home)
        homes.append(home)
    for lon, lat in (QUIMPER, GRENOBLE):
        own = make_home(people.owner, lon=lon + 0.01, lat=lat, sleeps=4, kind="house")
        services.home_publish(actor=people.owner, home=own)
    return homes


class TestFacetCells:
    def test_facets_follow_every_change_and_sum_to_the_cells(self, people):
        """Random publications, pauses, moves, new sizes and kinds, archives and deletions: the faceted cells
        the trigger keeps equal a recount from scratch, and at each zoom a cell's facets add up to the cell."""
        rng = random.Random(23)
        made: list[Home] = []
        for step in range(40):
            action = rng.choice(
                ["create", "create", "publish", "pause", "move", "resize", "archive", "delete"]
            )
            if action == "create" or not made:
                lon, lat = rng.choice([GRENOBLE, QUIMPER])
                home = make_home(
                    people.other,
                    lon=lon + rng.uniform(-0.05, 0.05),
                    lat=lat + rng.uniform(-0.03, 0.03),
                    sleeps=rng.randint(1, 6),
                    kind=rng.choice(["flat", "house"]),
                )
                services.home_publish(actor=people.other, home=home)
                made.append(home)
                continue
            home = Home.objects.get(pk=rng.choice(made).pk)
            if action == "publish" and home.status in (HomeStatus.DRAFT, HomeStatus.PAUSED):
                services.home_publish(actor=people.other, home=home)
            elif action == "pause" and home.status == HomeStatus.PUBLISHED:
                services.home_pause(actor=people.other, home=home)
            elif action == "move" and home.status != HomeStatus.ARCHIVED:
                lon, lat = rng.choice([GRENOBLE, QUIMPER])
                services.home_update(
                    actor=people.other, home=home, lon=lon, lat=lat + rng.uniform(-0.02, 0.02)
                )
            elif action == "resize" and home.status != HomeStatus.ARCHIVED:
                services.home_update(
                    actor=people.other,
                    home=home,
                    sleeps=rng.randint(1, 6),
                    kind=rng.choice(["flat", "other"]),
                )
            elif action == "archive" and home.status != HomeStatus.ARCHIVED:
                services.home_archive(actor=people.other, home=home)
            elif action == "delete":
                gone = home.pk
                home.delete()
                made = [h for h in made if h.pk != gone]
            kept = facets()
            services.home_cells_rebuild()
            assert facets() == kept, f"step {step} ({action})"
        assert HomeFacetCell.objects.exists()
        summed: dict[tuple, int] = {}
        for (z, cx, cy, _sleeps, _kind), (n, _) in facets().items():
            summed[(z, cx, cy)] = summed.get((z, cx, cy), 0) + n
        cells = {(c.zoom, c.cx, c.cy): c.count for c in HomeCell.objects.filter(zoom__lte=FACETS_MAX_ZOOM)}
        assert summed == cells
        assert set(HomeFacetCell.objects.values_list("zoom", flat=True)) <= set(range(FACETS_MAX_ZOOM + 1))


class TestFacetedTiles:
    @pytest.mark.parametrize("z", [0, 2, 5, 7, 8])
    def test_tiles_on_size_and_kind_equal_the_tiles_grouped_from_the_homes(self, people, spread, z):
        client = client_for(people.owner)
        queries = [
            "guests=3",
            "kind=house",
            "guests=2&kind=flat",
            "guests=6&kind=other",
            "guests=30",
            "kind=",
            "guests=2&amenities=wifi",
        ]
        shown = 0
        for lon, lat in (QUIMPER, GRENOBLE):
            x, y = tile_xy(lon, lat, z)
            for query in queries:
                with CaptureQueriesContext(connection) as captured:
                    response = client.get(f"/api/v1/tiles/homes/{z}/{x}/{y}.mvt?{query}")
                assert response.status_code == 200
                assert features(response.content) == expected_tile(people.owner, z, x, y, query), query
                # Summed from the faceted cells ("kind=" is no filter: the counted cells; amenities are not
                # counted by facet: grouped from the homes).
                sql = " ".join(q["sql"] for q in captured.captured_queries)
                assert ("exchanges_homefacetcell" in sql) == (
                    query not in ("kind=", "guests=2&amenities=wifi")
                ), query
                shown += total(response.content)
        assert shown > 0

    def test_faceted_tiles_stay_exact_after_homes_change(self, people, spread):
        client = client_for(people.owner)
        x, y = tile_xy(*QUIMPER, 5)
        url = f"/api/v1/tiles/homes/5/{x}/{y}.mvt?guests=3&kind=house"
        quimper = spread[0::2]  # the Quimper tile holds these alone (Grenoble is in another one)

        def matching() -> set[int]:
            homes = Home.objects.filter(
                owner=people.other, status=HomeStatus.PUBLISHED, sleeps__gte=3, kind="house"
            )
            return set(homes.filter(pk__in=[h.pk for h in quimper]).values_list("pk", flat=True))

        assert total(client.get(url).content) == len(matching())
        before = matching()
        # One becomes a large house, one a small flat, one is paused, a new large house is published.
        services.home_update(
            actor=people.other, home=Home.objects.get(pk=quimper[0].pk), sleeps=8, kind="house"
        )
        services.home_update(
            actor=people.other, home=Home.objects.get(pk=quimper[1].pk), sleeps=1, kind="flat"
        )
        services.home_pause(actor=people.other, home=Home.objects.get(pk=quimper[2].pk))
        new = make_home(people.other, lon=QUIMPER[0] + 0.03, lat=QUIMPER[1], sleeps=5, kind="house")
        services.home_publish(actor=people.other, home=new)
        quimper.append(new)
        assert matching() != before
        assert total(client.get(url).content) == len(matching())
        assert features(client.get(url).content) == expected_tile(
            people.owner, 5, x, y, "guests=3&kind=house"
        )

    def test_bad_values_are_refused_by_name(self, people, spread):
        client = client_for(people.owner)
        for query, field in (("guests=0", "guests"), ("kind=castle", "kind"), ("guests=a", "guests")):
            response = client.get(f"/api/v1/tiles/homes/5/15/11.mvt?{query}")
            assert response.status_code == 422, query
            assert [e["field"] for e in response.json()["detail"]["errors"]] == [field]


class TestDatedTiles:
    def test_dates_keep_exactly_the_homes_free_for_the_stay_and_follow_the_periods(self, people):
        """Random periods, random stays with and without slack: the search and the national tiles keep exactly
        the homes that a night-by-night check in Python finds free; still after periods are added and
        removed."""
        rng = random.Random(31)
        homes: dict[int, list] = {}
        for i in range(10):
            lon, lat = (QUIMPER, GRENOBLE)[i % 2]
            home = make_home(people.other, lon=lon + rng.uniform(-0.05, 0.05), lat=lat, sleeps=4)
            start = 5
            periods = []
            for _ in range(rng.randint(1, 3)):
                start += rng.randint(0, 6)
                end = start + rng.randint(1, 12)
                periods.append(
                    services.availability_add(
                        actor=people.other, home=home, start=in_days(start), end=in_days(end)
                    )
                )
                start = end
            services.home_publish(actor=people.other, home=home)
            homes[home.pk] = periods
        client = client_for(people.owner)

        def check(round_: int) -> None:
            for _ in range(25):
                first = in_days(rng.randint(3, 40))
                stay = (first, first + dt.timedelta(days=rng.randint(1, 10)))
                flexibility = rng.choice([0, 1, 2, 3, 5, 8])
                free = {
                    pk
                    for pk in homes
                    if free_for(
                        [(p.period.lower, p.period.upper) for p in Home.objects.get(pk=pk).periods.all()],
                        *stay,
                        flexibility,
                    )
                }
                query = f"start={stay[0]}&end={stay[1]}&flexibility={flexibility}"
                found = client.get(f"/api/v1/homes/search?{query}&limit=50").json()["items"]
                assert {item["id"] for item in found} == free, (round_, query)
                z = rng.choice([2, 5, 8, 11])
                counted = 0
                for x, y in tiles_holding(homes, z):
                    content = client.get(f"/api/v1/tiles/homes/{z}/{x}/{y}.mvt?{query}").content
                    assert features(content) == expected_tile(people.owner, z, x, y, query), (
                        round_,
                        z,
                        query,
                    )
                    counted += total(content)
                if z <= 8:  # a grouped cell belongs to one tile: every free home is counted once
                    assert counted == len(free), (round_, query)

        check(0)
        # Periods removed and added: the home's availability (kept by the database) and the results follow.
        for pk, periods in list(homes.items())[:5]:
            services.availability_delete(actor=people.other, period=periods[0])
            home = Home.objects.get(pk=pk)
            services.availability_add(
                actor=people.other, home=home, start=in_days(60), end=in_days(60 + rng.randint(2, 9))
            )
        check(1)


def free_runs() -> set[tuple]:
    return {
        (
            r.home_id,
            r.owner_id,
            r.sleeps,
            r.kind,
            round(r.x, 3),
            round(r.y, 3),
            r.free.lower,
            r.free.upper,
            tuple(r.amenities),
            tuple(r.accessibility),
        )
        for r in HomeFreeRun.objects.all()
    }


class TestFreeRuns:
    def test_free_runs_follow_every_change_of_homes_and_periods(self, people):
        """Random periods added and removed, publications, pauses, moves, new sizes and kinds, deletions: the
        free runs the trigger keeps equal a recount from scratch, and are the published homes' availability."""
        rng = random.Random(41)
        made: list[Home] = []
        for step in range(45):
            action = rng.choice(
                ["create", "period", "period", "unperiod", "publish", "pause", "move", "resize", "delete"]
            )
            if action == "create" or not made:
                lon, lat = rng.choice([GRENOBLE, QUIMPER])
                home = make_home(
                    people.other, lon=lon + rng.uniform(-0.05, 0.05), lat=lat, sleeps=rng.randint(1, 6)
                )
                services.home_publish(actor=people.other, home=home)
                made.append(home)
                continue
            home = Home.objects.get(pk=rng.choice(made).pk)
            if action == "period" and home.status != HomeStatus.ARCHIVED:
                start = rng.randint(1, 80)
                taken = [(p.period.lower, p.period.upper) for p in home.periods.all()]
                first, last = in_days(start), in_days(start + rng.randint(1, 9))
                if all(last <= a or first >= b for a, b in taken):
                    services.availability_add(actor=people.other, home=home, start=first, end=last)
            elif action == "unperiod" and home.periods.exists():
                services.availability_delete(actor=people.other, period=rng.choice(list(home.periods.all())))
            elif action == "publish" and home.status in (HomeStatus.DRAFT, HomeStatus.PAUSED):
                services.home_publish(actor=people.other, home=home)
            elif action == "pause" and home.status == HomeStatus.PUBLISHED:
                services.home_pause(actor=people.other, home=home)
            elif action == "move":
                lon, lat = rng.choice([GRENOBLE, QUIMPER])
                services.home_update(
                    actor=people.other, home=home, lon=lon, lat=lat + rng.uniform(-0.02, 0.02)
                )
            elif action == "resize":
                services.home_update(
                    actor=people.other,
                    home=home,
                    sleeps=rng.randint(1, 6),
                    kind="house",
                    amenities=rng.sample(["wifi", "garden"], rng.randint(0, 2)),
                )
            elif action == "delete":
                gone = home.pk
                home.delete()
                made = [h for h in made if h.pk != gone]
            kept = free_runs()
            services.home_cells_rebuild()
            assert free_runs() == kept, f"step {step} ({action})"
        expected = {
            (h.pk, r.lower, r.upper)
            for h in Home.objects.filter(status=HomeStatus.PUBLISHED)
            for r in Home.objects.values_list("availability", flat=True).get(pk=h.pk)
        }
        assert {(run[0], run[6], run[7]) for run in free_runs()} == expected
        assert expected  # some published home has a free run

    @pytest.mark.parametrize("z", [0, 4, 5, 8])
    def test_dated_tiles_with_size_and_kind_equal_the_tiles_grouped_from_the_homes(self, people, spread, z):
        rng = random.Random(z)
        for home in spread:
            services.availability_add(
                actor=people.other,
                home=home,
                start=in_days(rng.randint(3, 10)),
                end=in_days(rng.randint(14, 30)),
            )
        client = client_for(people.owner)
        queries = [
            f"start={in_days(12)}&end={in_days(18)}&flexibility=2",
            f"start={in_days(12)}&end={in_days(18)}&flexibility=2&guests=3",
            f"start={in_days(11)}&end={in_days(15)}&kind=house",
            f"start={in_days(9)}&end={in_days(20)}&flexibility=5&guests=2&kind=flat",
            f"start={in_days(12)}&end={in_days(18)}&amenities=wifi",
            f"start={in_days(11)}&end={in_days(17)}&flexibility=1&amenities=wifi,garden&guests=2",
            f"start={in_days(12)}&end={in_days(18)}&accessibility=step_free",
            f"start={in_days(12)}&end={in_days(14)}&flexibility=4",  # slack too wide: grouped from the homes
        ]
        shown = 0
        for lon, lat in (QUIMPER, GRENOBLE):
            x, y = tile_xy(lon, lat, z)
            for query in queries:
                with CaptureQueriesContext(connection) as captured:
                    response = client.get(f"/api/v1/tiles/homes/{z}/{x}/{y}.mvt?{query}")
                assert response.status_code == 200
                assert features(response.content) == expected_tile(people.owner, z, x, y, query), query
                # Read from the free runs, but for the stay whose slack is too wide.
                from_runs = any("exchanges_homefreerun" in q["sql"] for q in captured.captured_queries)
                assert from_runs == ("flexibility=4" not in query), query
                shown += total(response.content)
        assert shown > 0
        if z > 0:
            # A tile holding few of the homes (here none) is grouped from its homes, not read from the runs.
            with CaptureQueriesContext(connection) as captured:
                response = client.get(f"/api/v1/tiles/homes/{z}/0/0.mvt?{queries[0]}")
            assert response.status_code == 200
            assert response.content == b""
            assert not any("exchanges_homefreerun" in q["sql"] for q in captured.captured_queries)
