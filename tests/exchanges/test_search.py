"""Home search: one FilterSet for the JSON list, the GeoJSON and the vector tiles; the public point only."""

import mapbox_vector_tile
import pytest

from exchanges.models import Home
from tests.exchanges.conftest import SENTINEL, SENTINEL_ADDRESS
from tests.factories.exchanges import in_days
from tests.organisations.test_api import client_for


def ids(response) -> list[int]:
    assert response.status_code == 200, response.content
    return [item["id"] for item in response.json()["items"]]


class TestSearch:
    def test_filters(self, people, homes):
        client = client_for(people.ineligible)  # any signed-in person searches
        g, q = homes["grenoble"].pk, homes["quimper"].pk
        assert sorted(ids(client.get("/api/v1/homes/search"))) == sorted([g, q])
        assert ids(client.get("/api/v1/homes/search?bbox=5,45,6,46")) == [g]
        assert ids(client.get("/api/v1/homes/search?region=53")) == [q]
        assert ids(client.get("/api/v1/homes/search?guests=5")) == [q]
        assert ids(client.get("/api/v1/homes/search?kind=house")) == [q]
        assert ids(client.get("/api/v1/homes/search?amenities=wifi,garden")) == [g]
        assert ids(client.get("/api/v1/homes/search?near=5.7245,45.1885&radius=5000")) == [g]
        # Dates: Grenoble is free 10–24, Quimper 20–30; a week from day 12 fits Grenoble only, but with
        # five days of flexibility a week from day 17 fits both.
        assert ids(client.get(f"/api/v1/homes/search?start={in_days(12)}&end={in_days(19)}")) == [g]
        flexible = client.get(f"/api/v1/homes/search?start={in_days(17)}&end={in_days(24)}&flexibility=5")
        assert sorted(ids(flexible)) == sorted([g, q])
        # Reverse search: who wants to come to Grenoble? The Quimper home (wishes Isère).
        assert ids(client.get("/api/v1/homes/search?wants_to_come_to=38185")) == [q]

    def test_my_own_homes_are_not_in_my_search_and_reverse_search_uses_my_home(self, people, homes):
        client = client_for(people.owner)
        assert ids(client.get("/api/v1/homes/search")) == [homes["quimper"].pk]
        assert ids(client.get("/api/v1/homes/search?wants_to_come_to=mine")) == [homes["quimper"].pk]

    def test_keyset_pages(self, people, homes):
        client = client_for(people.ineligible)
        first = client.get("/api/v1/homes/search?limit=1").json()
        second = client.get(f"/api/v1/homes/search?limit=1&cursor={first['next']}").json()
        assert [first["items"][0]["id"], second["items"][0]["id"]] == [
            homes["quimper"].pk,
            homes["grenoble"].pk,
        ]
        assert second["next"] is None

    @pytest.mark.parametrize(
        ("query", "field"),
        [
            ("bbox=6,45,5,46", "bbox"),
            ("bbox=a,b,c,d", "bbox"),
            ("bbox=5,95,6,96", "bbox"),
            ("near=5.7,45.1", "radius"),
            ("near=5.7,45.1&radius=10", "radius"),
            (f"start={in_days(10)}", "end"),
            (f"start={in_days(10)}&end={in_days(5)}", "end"),
            ("amenities=jacuzzi", "amenities"),
            ("colour=blue", "colour"),
            ("sort=price", "sort"),
            ("cursor=forged", "cursor"),
        ],
    )
    def test_bad_parameters_are_a_422_naming_them(self, people, homes, query, field):
        response = client_for(people.owner).get(f"/api/v1/homes/search?{query}")
        assert response.status_code == 422, response.content
        assert field in [e["field"] for e in response.json()["detail"]["errors"]]

    def test_anonymous_visitors_search_nothing(self, homes, client):
        assert client.get("/api/v1/homes/search").status_code == 401


class TestGeoJsonAndTiles:
    def test_geojson_carries_public_points_only(self, people, homes):
        response = client_for(people.other).get("/api/v1/homes/search?format=geojson&bbox=5,45,6,46")
        assert response["Content-Type"] == "application/geo+json"
        body = response.json()
        assert [f["id"] for f in body["features"]] == [homes["grenoble"].pk]
        lon, lat = body["features"][0]["geometry"]["coordinates"]
        home = Home.objects.get(pk=homes["grenoble"].pk)
        assert (lon, lat) == (round(home.public_point.x, 6), round(home.public_point.y, 6))
        text = response.content.decode()
        for secret in (SENTINEL_ADDRESS, str(SENTINEL[0]), str(SENTINEL[1])):
            assert secret not in text

    def test_tiles_points_clusters_filters_and_etag(self, people, homes):
        client = client_for(people.other)
        # Grenoble at z14: the tile containing the public point.
        home = Home.objects.get(pk=homes["grenoble"].pk)
        import math

        z = 14
        x = int((home.public_point.x + 180) / 360 * 2**z)
        lat = math.radians(home.public_point.y)
        y = int((1 - math.asinh(math.tan(lat)) / math.pi) / 2 * 2**z)
        response = client.get(f"/api/v1/tiles/homes/{z}/{x}/{y}.mvt")
        assert response.status_code == 200
        assert response["Content-Type"] == "application/vnd.mapbox-vector-tile"
        assert b"homes" in response.content
        assert SENTINEL_ADDRESS.encode() not in response.content
        # The same filters as the search: a party of 5 does not fit the Grenoble home.
        assert client.get(f"/api/v1/tiles/homes/{z}/{x}/{y}.mvt?guests=5").content == b""
        # Conditional request: 304 until a home changes.
        etag = response["ETag"]
        assert client.get(f"/api/v1/tiles/homes/{z}/{x}/{y}.mvt", HTTP_IF_NONE_MATCH=etag).status_code == 304
        # Low zoom: homes grouped on a grid; the one home the viewer may see stands alone (more in
        # test_search_index.py).
        national = mapbox_vector_tile.decode(client.get("/api/v1/tiles/homes/0/0/0.mvt").content)
        assert [f["properties"]["id"] for f in national["homes"]["features"]] == [homes["grenoble"].pk]

    def test_tile_bad_coordinates_and_filters(self, people, homes):
        client = client_for(people.other)
        assert client.get("/api/v1/tiles/homes/3/9/0.mvt").status_code == 422
        assert client.get("/api/v1/tiles/homes/30/0/0.mvt").status_code == 422
        assert client.get("/api/v1/tiles/homes/3/1/1.mvt?colour=red").status_code == 422
