import json

import pytest

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("territories")]


def get(client, url):
    response = client.get(url)
    return response.status_code, response.json()


class TestReference:
    def test_regions(self, client):
        status, body = get(client, "/api/v1/geo/regions")
        assert status == 200
        assert len(body["items"]) == 18
        assert body["next"] is None
        assert {"code": "84", "name": "Auvergne-Rhône-Alpes"}.items() <= body["items"][0].items()

    def test_departements_of_a_region(self, client):
        status, body = get(client, "/api/v1/geo/departements?region=84")
        assert status == 200
        assert {d["code"] for d in body["items"]} == {
            "01",
            "03",
            "07",
            "15",
            "26",
            "38",
            "42",
            "43",
            "63",
            "69",
            "73",
            "74",
        }

    def test_one_departement(self, client):
        status, body = get(client, "/api/v1/geo/departements/2a")
        assert (status, body["name"], body["region_code"]) == (200, "Corse-du-Sud", "94")

    def test_unknown_departement_is_a_404_envelope(self, client):
        status, body = get(client, "/api/v1/geo/departements/99")
        assert status == 404
        assert body["code"] == "territory_not_found"

    def test_communes_search(self, client):
        status, body = get(client, "/api/v1/geo/communes?q=saint%20etienne&limit=3")
        assert status == 200
        assert body["items"][0]["code"] == "42218"
        assert body["items"][0]["departement"] == {"code": "42", "name": "Loire"}
        assert (len(body["items"]), body["next"]) == (3, None)

    def test_one_commune(self, client):
        status, body = get(client, "/api/v1/geo/communes/38185")
        assert status == 200
        assert body["postal_codes"] == ["38000", "38100"]

    def test_basemap_geojson(self, client):
        response = client.get("/api/v1/geo/departements.geojson")
        assert response.status_code == 200
        assert response["Content-Type"] == "application/geo+json"
        assert "max-age" in response["Cache-Control"]
        data = json.loads(response.content)
        assert data["type"] == "FeatureCollection"
        assert len(data["features"]) == 101
        isere = next(f for f in data["features"] if f["properties"]["code"] == "38")
        assert isere["properties"] == {"code": "38", "name": "Isère", "region": "84"}
        assert isere["geometry"]["type"] == "MultiPolygon"
        regions = json.loads(client.get("/api/v1/geo/regions.geojson").content)
        assert len(regions["features"]) == 18


class TestLocate:
    def test_grenoble(self, client):
        status, body = get(client, "/api/v1/geo/locate?lon=5.7245&lat=45.1885")
        assert status == 200
        assert body == {
            "commune": {"code": "38185", "name": "Grenoble"},
            "departement": {"code": "38", "name": "Isère"},
            "region": {"code": "84", "name": "Auvergne-Rhône-Alpes"},
        }

    @pytest.mark.parametrize(
        ("query", "code"),
        [
            ("lon=-20&lat=45", "point_outside_france"),
            ("lon=45.1885&lat=5.7245", "coordinates_swapped"),
            ("lon=nan&lat=45", "coordinates_invalid"),
            ("lon=2&lat=inf", "coordinates_invalid"),
            ("lon=200&lat=45", "coordinates_invalid"),
            ("lon=2&lat=-91", "coordinates_invalid"),
        ],
    )
    def test_refused_points_name_the_problem(self, client, query, code):
        status, body = get(client, f"/api/v1/geo/locate?{query}")
        assert status == 422
        assert body["code"] == code
        assert body["message"]


class TestBadInput:
    @pytest.mark.parametrize(
        ("url", "field"),
        [
            ("/api/v1/geo/locate?lat=45", "lon"),
            ("/api/v1/geo/locate?lon=2", "lat"),
            ("/api/v1/geo/locate?lon=abc&lat=45", "lon"),
            ("/api/v1/geo/communes", "q"),
            ("/api/v1/geo/communes?q=g", "q"),
            ("/api/v1/geo/communes?q=" + "x" * 81, "q"),
            ("/api/v1/geo/communes?q=paris&limit=0", "limit"),
            ("/api/v1/geo/communes?q=paris&limit=1000", "limit"),
            ("/api/v1/geo/departements?region=abc", "region"),
            ("/api/v1/geo/departements/%3Cscript%3E", "code"),
            ("/api/v1/geo/communes/x'or'1", "code"),
        ],
    )
    def test_422_naming_the_field(self, client, url, field):
        status, body = get(client, url)
        assert status == 422
        assert body["code"] == "validation_error"
        assert [e["field"] for e in body["detail"]["errors"]] == [field]
        assert field in body["message"]
