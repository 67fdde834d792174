"""The facilities API: create and edit (422 naming the field, nothing written), the search (one FilterSet:
place, territory, category, accessibility, open on a day; nearest first in metres; keyset), the exports."""

import csv
import datetime as dt
import io
import json

import geopandas as gpd
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from local_offers import services
from local_offers.models import Facility
from local_offers.schemas import FacilityCard
from tests.factories.local_offers import CHAMBERY, GRENOBLE, QUIMPER, VOIRON, make_facility
from tests.helpers import assert_nothing_written
from tests.organisations.test_api import client_for, post


def patch(client, url, data):
    return client.patch(
        url, data, content_type="application/json", HTTP_X_CSRFTOKEN=client.cookies["csrftoken"].value
    )


def payload(cast, **fields):
    return {
        "organisation_id": cast.grenoble.pk,
        "name": "Piscine Jean-Bron",
        "category": "pool",
        "lon": GRENOBLE[0],
        "lat": GRENOBLE[1],
        "address": "1 rue des Bains, 38000 Grenoble",
        "opening_hours": [{"weekday": 3, "opens": "12:00", "closes": "19:30"}],
        "closures": [{"start": "2027-08-01", "end": "2027-08-15", "reason": "Vidange"}],
        "access_motor": True,
        **fields,
    }


def test_a_correspondent_creates_edits_publishes(cast):
    client = client_for(cast.correspondent)
    response = post(client, "/api/v1/facilities", payload(cast))
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["commune"] == {"code": "38185", "name": "Grenoble"}
    assert body["opening_hours"] == [{"weekday": 3, "opens": "12:00", "closes": "19:30"}]
    assert body["closures"] == [{"start": "2027-08-01", "end": "2027-08-15", "reason": "Vidange"}]
    assert body["accessibility"] == {"motor": True, "visual": False, "hearing": False, "mental": False}
    assert body["status"] == "draft"
    url = f"/api/v1/facilities/{body['id']}"
    response = patch(client, url, {"website": "https://piscines.grenoble.fr", "opening_hours": []})
    assert response.status_code == 200, response.content
    assert response.json()["website"] == "https://piscines.grenoble.fr"
    assert response.json()["opening_hours"] == []
    assert post(client, f"{url}/publish").json()["status"] == "published"
    assert (
        client.delete(url, HTTP_X_CSRFTOKEN=client.cookies["csrftoken"].value).json()["status"] == "archived"
    )


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"lon": 200}, "lon"),
        ({"category": "casino"}, "category"),
        ({"email": "nobody"}, "email"),
        ({"phone": "abc"}, "phone"),
        ({"website": "ftp://example.fr"}, "website"),
        ({"name": ""}, "name"),
        ({"opening_hours": [{"weekday": 1, "opens": "25:00", "closes": "26:00"}]}, "opening_hours.0.opens"),
        ({"opening_hours": [{"weekday": 1, "opens": "10:00", "closes": "09:00"}]}, "opening_hours.0.closes"),
        ({"closures": [{"start": "2027-01-10", "end": "2027-01-01"}]}, "closures.0.end"),
        ({"unknown": 1}, "unknown"),
        ({"lon": -3.0, "lat": 46.5}, "lon"),  # at sea
    ],
)
def test_bad_input_is_a_422_naming_the_field_with_nothing_written(cast, fields, field):
    client = client_for(cast.correspondent)
    with assert_nothing_written():
        response = post(client, "/api/v1/facilities", payload(cast, **fields))
    assert response.status_code == 422, response.content
    body = response.json()
    named = [e["field"] for e in body["detail"].get("errors", [])] or list(body["detail"])
    assert field in named, body


def test_the_search_filters_and_orders_by_distance_in_metres(cast):
    c = cast.correspondent
    make_facility(c, cast.grenoble, name="Musée de Grenoble", publish=True, access_motor=True)
    make_facility(
        c,
        cast.grenoble,
        name="Piscine de Voiron",
        category="pool",
        lon=VOIRON[0],
        lat=VOIRON[1],
        publish=True,
    )
    make_facility(c, cast.grenoble, name="Brouillon", lon=VOIRON[0], lat=VOIRON[1])
    make_facility(
        cast.other_correspondent,
        cast.chambery,
        name="Château des ducs",
        category="heritage",
        lon=CHAMBERY[0],
        lat=CHAMBERY[1],
        publish=True,
        opening_hours=[{"weekday": 7, "opens": "10:00", "closes": "17:00"}],
    )
    make_facility(
        c,
        cast.grenoble,
        name="Médiathèque de Quimper",
        category="library",
        lon=QUIMPER[0],
        lat=QUIMPER[1],
        publish=True,
    )
    client = client_for(cast.agent)

    def names(query):
        response = client.get(f"/api/v1/facilities?{query}")
        assert response.status_code == 200, response.content
        return [(f["name"], f["distance_m"]) for f in response.json()["items"]]

    near = names(f"near={GRENOBLE[0]},{GRENOBLE[1]}&radius=60000")
    assert [n for n, _d in near] == ["Musée de Grenoble", "Piscine de Voiron", "Château des ducs"]
    assert near[0][1] < 50
    assert 20_000 < near[1][1] < 27_000  # metres on the ground
    assert [n for n, _d in names("departement=38&sort=name")] == ["Musée de Grenoble", "Piscine de Voiron"]
    assert [n for n, _d in names("region=53")] == ["Médiathèque de Quimper"]
    assert [n for n, _d in names("commune=73065")] == ["Château des ducs"]
    assert [n for n, _d in names("category=pool,library")] == ["Médiathèque de Quimper", "Piscine de Voiron"]
    assert [n for n, _d in names("accessibility=motor")] == ["Musée de Grenoble"]
    sunday = dt.date.today() + dt.timedelta(days=(6 - dt.date.today().weekday()) % 7)
    assert [n for n, _d in names(f"open_on={sunday}")] == ["Château des ducs"]
    assert [n for n, _d in names("bbox=5.5,45.0,5.8,45.5")] == ["Musée de Grenoble", "Piscine de Voiron"]
    # Keyset: two pages of one, then the end.
    first = client.get(f"/api/v1/facilities?near={GRENOBLE[0]},{GRENOBLE[1]}&radius=60000&limit=2").json()
    second = client.get(
        f"/api/v1/facilities?near={GRENOBLE[0]},{GRENOBLE[1]}&radius=60000&limit=2&cursor={first['next']}"
    ).json()
    assert [f["name"] for f in second["items"]] == ["Château des ducs"]
    assert second["next"] is None


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("colour=red", "colour"),
        ("near=5.7,45.1", "radius"),
        ("near=abc&radius=100", "near"),
        ("radius=10&near=5.7,45.1", "radius"),
        ("category=casino", "category"),
        ("accessibility=wheels", "accessibility"),
        ("open_on=tomorrow", "open_on"),
        ("bbox=1,2,3", "bbox"),
        ("departement=ABC", "departement"),
        ("sort=distance", "sort"),
        ("cursor=forged", "cursor"),
    ],
)
def test_bad_search_parameters_are_a_422_naming_them(cast, query, field):
    response = client_for(cast.agent).get(f"/api/v1/facilities?{query}")
    assert response.status_code == 422, response.content
    assert field in [e["field"] for e in response.json()["detail"]["errors"]]


def test_exports_carry_every_facility_of_the_employer_in_three_formats(cast, tmp_path):
    c = cast.correspondent
    make_facility(c, cast.grenoble, name="=cmd|' /C calc'!A0", publish=True, external_id="X1")
    make_facility(c, cast.grenoble, name="Piscine de Voiron", category="pool", lon=VOIRON[0], lat=VOIRON[1])
    make_facility(
        cast.other_correspondent, cast.chambery, name="Château des ducs", lon=CHAMBERY[0], lat=CHAMBERY[1]
    )
    client = client_for(c)
    url = f"/api/v1/organisations/{cast.grenoble.pk}/facilities/export"
    rows = list(csv.DictReader(io.StringIO(client.get(f"{url}?format=csv").content.decode()), delimiter=";"))
    assert sorted(r["name"] for r in rows) == ["'=cmd|' /C calc'!A0", "Piscine de Voiron"]
    assert (
        rows[0]["opening_hours"]
        == "Mo 09:00-18:00; Tu 09:00-18:00; We 09:00-18:00; Th 09:00-18:00; Fr 09:00-18:00"
    )
    geojson = json.loads(client.get(f"{url}?format=geojson").content)
    assert len(geojson["features"]) == 2
    assert geojson["features"][1]["geometry"]["coordinates"] == pytest.approx(list(VOIRON))
    response = client.get(f"{url}?format=gpkg")
    assert response["Content-Type"] == "application/geopackage+sqlite3"
    path = tmp_path / "f.gpkg"
    path.write_bytes(response.content)
    frame = gpd.read_file(path, engine="pyogrio")
    assert frame.crs.to_epsg() == 4326
    assert sorted(frame["category"]) == ["museum", "pool"]
    assert client.get(f"{url}?format=xlsx").status_code == 422
    assert client_for(cast.other_correspondent).get(f"{url}?format=csv").status_code == 404


def test_photos_are_reencoded_without_metadata(cast):
    from django.core.files.uploadedfile import SimpleUploadedFile
    from PIL import Image

    from tests.accounts.conftest import jpeg_with_gps

    facility = make_facility(cast.correspondent, cast.grenoble)
    client = client_for(cast.correspondent)
    response = client.post(
        f"/api/v1/facilities/{facility.pk}/photos",
        {
            "photo": SimpleUploadedFile("musee.jpg", jpeg_with_gps((2000, 1000)), "image/jpeg"),
            "alt_text": "La façade",
        },
        HTTP_X_CSRFTOKEN=client.cookies["csrftoken"].value,
    )
    assert response.status_code == 201, response.content
    photo = facility.photos.get()
    assert (photo.width, photo.alt_text) == (1600, "La façade")
    with photo.image.open() as stored, Image.open(stored) as image:
        assert not image.getexif()
    with assert_nothing_written():
        refused = client.post(
            f"/api/v1/facilities/{facility.pk}/photos",
            {"photo": SimpleUploadedFile("x.jpg", b"<html>", "image/jpeg")},
            HTTP_X_CSRFTOKEN=client.cookies["csrftoken"].value,
        )
    assert refused.status_code == 422
    assert refused.json()["detail"]["errors"][0]["field"] == "photo"
    assert Facility.objects.count() == 1
    services.photo_delete(actor=cast.correspondent, photo=photo)
    assert not facility.photos.exists()


def test_lists_cost_the_same_queries_whatever_their_length(cast):
    client = client_for(cast.correspondent)
    urls = ["/api/v1/facilities?departement=38", f"/api/v1/organisations/{cast.grenoble.pk}/facilities"]

    def counts():
        found = []
        for url in urls:
            with CaptureQueriesContext(connection) as captured:
                assert client.get(url).status_code == 200
            found.append(len(captured.captured_queries))
        return found

    make_facility(cast.correspondent, cast.grenoble, publish=True)
    few = counts()
    for n in range(6):
        make_facility(
            cast.correspondent, cast.grenoble, name=f"Équipement {n}", publish=True, external_id=f"E{n}"
        )
    assert counts() == few


def test_the_nearest_search_is_one_query_and_its_cards_are_the_schema_s(cast):
    c = cast.correspondent
    make_facility(c, cast.grenoble, name="Musée de Grenoble", publish=True, access_motor=True)
    make_facility(
        c,
        cast.grenoble,
        name="Piscine de Voiron",
        category="pool",
        lon=VOIRON[0],
        lat=VOIRON[1],
        publish=True,
    )
    client = client_for(cast.agent)
    # Once per process: GeoDjango reads the unit of SRID 4326 from spatial_ref_sys for the first distance.
    client.get(f"/api/v1/facilities?near={CHAMBERY[0]},{CHAMBERY[1]}&radius=100&limit=1")
    with CaptureQueriesContext(connection) as captured:
        response = client.get(f"/api/v1/facilities?near={GRENOBLE[0]},{GRENOBLE[1]}&radius=60000&limit=10")
    assert response.status_code == 200
    searched = [q["sql"] for q in captured.captured_queries if "local_offers_facility" in q["sql"]]
    assert len(searched) == 1, searched
    assert len(captured.captured_queries) <= 2  # the user (the session: cached), the search
    body = response.json()
    assert [f["name"] for f in body["items"]] == ["Musée de Grenoble", "Piscine de Voiron"]
    assert body["items"][0]["distance_m"] < 50
    # The cards are built as plain data: the same as the documented schema gives for each facility.
    unsorted = client.get("/api/v1/facilities?sort=name").json()["items"]
    for item in [*unsorted, *({**i, "distance_m": None} for i in body["items"])]:
        facility = Facility.objects.select_related("commune", "departement").get(pk=item["id"])
        assert item == FacilityCard.from_orm(facility).model_dump(mode="json")
