"""What the search index stands on: the availability the database keeps on each home, the cluster grid the
database keeps counted, the distance order, and the tiles built from both paths (counted and filtered)."""

import math
import random
from urllib.parse import quote

import mapbox_vector_tile
import pytest
from django.contrib.gis.geos import Point

from exchanges import services, tiles
from exchanges.models import CELLS_MAX_ZOOM, Home, HomeCell, HomeStatus
from exchanges.selectors import homes_searchable
from geo.search import mercator_box
from tests.factories.exchanges import GRENOBLE, QUIMPER, in_days, make_home
from tests.organisations.test_api import client_for


def availability(home: Home) -> list[tuple]:
    value = Home.objects.values_list("availability", flat=True).get(pk=home.pk)
    return [(r.lower, r.upper) for r in value]


def cells() -> dict[tuple[int, int, int], tuple[int, int]]:
    return {(c.zoom, c.cx, c.cy): (c.count, c.sum_id) for c in HomeCell.objects.all()}


def tile_xy(lon: float, lat: float, z: int) -> tuple[int, int]:
    x = int((lon + 180) / 360 * 2**z)
    y = int((1 - math.asinh(math.tan(math.radians(lat))) / math.pi) / 2 * 2**z)
    return x, y


def layers(content: bytes) -> dict[str, list[dict]]:
    decoded = mapbox_vector_tile.decode(content)
    return {name: [f["properties"] for f in layer["features"]] for name, layer in decoded.items()}


def features(content: bytes) -> dict[str, list]:
    """Each layer's features, properties and position in the tile, in a stable order."""
    decoded = mapbox_vector_tile.decode(content)
    return {
        name: sorted(
            (sorted(f["properties"].items()), f["geometry"]["coordinates"]) for f in layer["features"]
        )
        for name, layer in decoded.items()
    }


class TestAvailabilityOnTheHome:
    def test_the_union_of_the_periods_whoever_writes_them(self, people):
        home = make_home(people.owner)
        first = services.availability_add(actor=people.owner, home=home, start=in_days(10), end=in_days(20))
        services.availability_add(actor=people.owner, home=home, start=in_days(20), end=in_days(25))
        services.availability_add(actor=people.owner, home=home, start=in_days(40), end=in_days(45))
        # Adjacent periods make one range; a gap makes two.
        assert availability(home) == [(in_days(10), in_days(25)), (in_days(40), in_days(45))]
        services.availability_delete(actor=people.owner, period=first)
        assert availability(home) == [(in_days(20), in_days(25)), (in_days(40), in_days(45))]
        # A save() of an object read before the change cannot write the stale value back.
        stale = Home.objects.get(pk=home.pk)
        services.availability_add(actor=people.owner, home=home, start=in_days(60), end=in_days(61))
        stale.title = "Nouveau titre"
        stale.save()
        assert availability(home)[-1] == (in_days(60), in_days(61))


class TestCountedCells:
    def test_cells_follow_every_change_and_match_a_full_recount(self, people):
        """Random publications, pauses, moves, archives and deletions: the cells the trigger keeps equal a
        recount from scratch, and every count-1 cell names its home."""
        rng = random.Random(11)
        owners = [people.owner, people.other]
        made: list[Home] = []
        for step in range(40):
            action = rng.choice(["create", "create", "publish", "pause", "move", "archive", "delete"])
            if action == "create" or not made:
                owner = rng.choice(owners)
                lon, lat = rng.choice([GRENOBLE, QUIMPER])
                home = make_home(
                    owner, lon=lon + rng.uniform(-0.05, 0.05), lat=lat + rng.uniform(-0.03, 0.03)
                )
                services.home_publish(actor=owner, home=home)
                made.append(home)
                continue
            home = Home.objects.get(pk=rng.choice(made).pk)
            owner = home.owner
            if action == "publish" and home.status in (HomeStatus.DRAFT, HomeStatus.PAUSED):
                services.home_publish(actor=owner, home=home)
            elif action == "pause" and home.status == HomeStatus.PUBLISHED:
                services.home_pause(actor=owner, home=home)
            elif action == "move" and home.status != HomeStatus.ARCHIVED:
                lon, lat = rng.choice([GRENOBLE, QUIMPER])
                services.home_update(actor=owner, home=home, lon=lon, lat=lat + rng.uniform(-0.02, 0.02))
            elif action == "archive" and home.status != HomeStatus.ARCHIVED:
                services.home_archive(actor=owner, home=home)
            elif action == "delete":
                gone = home.pk
                home.delete()
                made = [h for h in made if h.pk != gone]
            kept = cells()
            services.home_cells_rebuild()
            assert cells() == kept, f"step {step} ({action})"
        published = Home.objects.filter(status=HomeStatus.PUBLISHED)
        assert sum(n for (z, _, _), (n, _) in cells().items() if z == 0) == published.count()
        for (_z, _, _), (n, sum_id) in cells().items():
            if n == 1:
                assert published.filter(pk=sum_id).exists()
        assert set(HomeCell.objects.values_list("zoom", flat=True)) <= set(range(CELLS_MAX_ZOOM + 1))


@pytest.fixture
def crowd(people):
    """Five published homes around Quimper (one of them the searcher's own) and one in Grenoble."""
    homes = []
    for i in range(4):
        home = make_home(people.other, lon=QUIMPER[0] + i * 0.01, lat=QUIMPER[1], sleeps=2 + i)
        services.availability_add(actor=people.other, home=home, start=in_days(10), end=in_days(20 + i))
        services.home_publish(actor=people.other, home=home)
        homes.append(home)
    own = make_home(people.owner, lon=QUIMPER[0] + 0.005, lat=QUIMPER[1])
    services.home_publish(actor=people.owner, home=own)
    grenoble = make_home(people.other, lon=GRENOBLE[0], lat=GRENOBLE[1], sleeps=6)
    services.home_publish(actor=people.other, home=grenoble)
    return {"quimper": homes, "own": own, "grenoble": grenoble}


class TestTiles:
    def test_low_zoom_clusters_and_single_homes_without_the_viewers_own(self, people, crowd):
        client = client_for(people.owner)
        national = layers(client.get("/api/v1/tiles/homes/0/0/0.mvt").content)
        # The four Quimper homes are one cluster (the viewer's own is not counted); Grenoble is alone.
        assert national["clusters"] == [{"count": 4}]
        assert [h["id"] for h in national["homes"]] == [crowd["grenoble"].pk]
        assert national["homes"][0]["sleeps"] == 6
        # Past the grid's zooms every home is a point of its tile, the viewer's own nowhere.
        seen = set()
        for home in Home.objects.filter(pk__in=[h.pk for h in [*crowd["quimper"], crowd["own"]]]):
            x, y = tile_xy(home.public_point.x, home.public_point.y, CELLS_MAX_ZOOM + 1)
            close = layers(client.get(f"/api/v1/tiles/homes/{CELLS_MAX_ZOOM + 1}/{x}/{y}.mvt").content)
            assert "clusters" not in close
            seen |= {h["id"] for h in close.get("homes", [])}
        assert seen == {h.pk for h in crowd["quimper"]}

    def test_filters_group_the_matching_homes_the_same_way(self, people, crowd):
        client = client_for(people.owner)
        big = layers(client.get("/api/v1/tiles/homes/0/0/0.mvt?guests=4").content)
        # sleeps 4 and 5 near Quimper (a cluster of 2), and Grenoble (6).
        assert big["clusters"] == [{"count": 2}]
        assert [h["id"] for h in big["homes"]] == [crowd["grenoble"].pk]
        dated = layers(
            client.get(f"/api/v1/tiles/homes/0/0/0.mvt?start={in_days(12)}&end={in_days(22)}").content
        )
        assert dated == {"clusters": [{"count": 2}]}  # free until day 22 and day 23: the last two

    @pytest.mark.parametrize("z", [0, 3, 6, 9, 11, 13])
    def test_counted_tiles_equal_the_tiles_computed_from_the_homes(self, people, crowd, z):
        # The tiles of the public points, which lie 300-800 m from the homes: a city centre's tile may miss
        # them (Grenoble's centre is 770 m from a z13 tile edge).
        points = [h.public_point for h in Home.objects.filter(owner=people.other)]
        for x, y in {tile_xy(p.x, p.y, z) for p in points}:
            counted = features(tiles.counted_tile(people.owner.pk, z, x, y))
            computed = features(tiles.tile(homes_searchable(people.owner), z, x, y))
            assert counted == computed
            assert counted  # the tile holds homes
        # A tile with no home is empty either way.
        assert tiles.counted_tile(people.owner.pk, 3, 0, 0) == b""


class TestDistanceOrder:
    def test_a_viewport_search_lists_the_nearest_first_page_after_page(self, people, crowd):
        client = client_for(people.owner)
        bbox = "-4.5,47.7,-3.7,48.3"
        west, south, east, north = mercator_box((-4.5, 47.7, -3.7, 48.3)).extent
        centre = Point((west + east) / 2, (south + north) / 2, srid=3857)  # the viewport's middle on the map
        ids, cursor = [], None
        while True:
            body = client.get(
                f"/api/v1/homes/search?bbox={bbox}&limit=1" + (f"&cursor={quote(cursor)}" if cursor else "")
            ).json()
            ids += [item["id"] for item in body["items"]]
            cursor = body["next"]
            if cursor is None:
                break
        expected = sorted(
            crowd["quimper"],
            key=lambda h: Home.objects.get(pk=h.pk).public_point_m.distance(centre),
        )
        assert ids == [h.pk for h in expected]
        # The same order asked by name, and from `near` (distance in metres on each card).
        named = client.get(f"/api/v1/homes/search?bbox={bbox}&sort=distance").json()
        assert [i["id"] for i in named["items"]] == ids
        near = client.get("/api/v1/homes/search?near=-4.1024,47.996&radius=20000&sort=distance").json()
        distances = [i["distance_m"] for i in near["items"]]
        assert distances == sorted(distances)
        assert len(distances) == 4

    def test_distance_needs_a_place_and_newest_stays_the_default_without_one(self, people, crowd):
        client = client_for(people.owner)
        response = client.get("/api/v1/homes/search?sort=distance")
        assert response.status_code == 422
        assert [e["field"] for e in response.json()["detail"]["errors"]] == ["sort"]
        newest = [i["id"] for i in client.get("/api/v1/homes/search").json()["items"]]
        assert newest == sorted(newest, reverse=True)

    def test_fit_puts_reciprocal_and_right_sized_homes_first(self, people, crowd):
        # The Grenoble home's owner wishes to come to Quimper, where the searcher's home is.
        grenoble = crowd["grenoble"]
        services.wish_add(
            actor=people.other, home=grenoble, start=in_days(10), end=in_days(20), departements=["29"]
        )
        body = client_for(people.owner).get("/api/v1/homes/search?sort=fit&guests=2").json()
        ids = [i["id"] for i in body["items"]]
        assert ids[0] == grenoble.pk  # reciprocal (2 points)
        snug = [h.pk for h in crowd["quimper"] if h.sleeps <= 3]
        assert set(ids[1:3]) == set(snug)  # one spare bed at most (1 point)


class TestTiesInAnIndexOrder:
    def test_rows_tied_on_the_index_order_are_neither_lost_nor_repeated(self, people):
        """Communes sorted by département alone (many ties), paged by the same code as the distance sort."""
        from django.http import QueryDict
        from django_filters import CharFilter

        from geo.models import Commune
        from marketplace import lists

        class ByDepartement(lists.ListFilterSet):
            departement = CharFilter(field_name="departement_id")
            sorts = {"dep": ("departement_id", "code")}
            index_ordered_sorts = frozenset({"dep"})

        queryset = Commune.objects.filter(departement_id__in=["2A", "2B"]).only("code", "departement_id")
        expected = list(queryset.order_by("departement_id", "code").values_list("code", flat=True))
        assert len(expected) > 300
        seen, cursor = [], None
        while True:
            params = QueryDict(mutable=True)
            params["limit"] = "7"
            if cursor:
                params["cursor"] = cursor
            page = lists.paginate(params, ByDepartement, queryset)
            seen += [c.code for c in page.items]
            cursor = page.next
            if cursor is None:
                break
        assert seen == expected
