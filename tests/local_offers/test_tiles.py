"""Vector tiles of the facility search, decoded as the map receives them: grouped at low zoom, one point per
facility at street level, the search's filters applied, drafts never shown, bad parameters a 422."""

import math

import mapbox_vector_tile

from tests.factories.local_offers import CHAMBERY, GRENOBLE, VOIRON, make_facility
from tests.organisations.test_api import client_for


def tile_of(lon: float, lat: float, z: int) -> tuple[int, int, int]:
    n = 2**z
    x = int((lon + 180) / 360 * n)
    y = int((1 - math.asinh(math.tan(math.radians(lat))) / math.pi) / 2 * n)
    return z, x, y


def decode(response):
    assert response.status_code == 200, response.content
    assert response["Content-Type"] == "application/vnd.mapbox-vector-tile"
    return mapbox_vector_tile.decode(response.content)


def test_tiles_group_at_low_zoom_and_filter_like_the_search(cast):
    c = cast.correspondent
    museum = make_facility(c, cast.grenoble, name="Musée", publish=True)
    make_facility(
        c,
        cast.grenoble,
        name="Piscine",
        category="pool",
        lon=GRENOBLE[0] + 0.0005,
        lat=GRENOBLE[1],
        publish=True,
    )
    make_facility(
        c, cast.grenoble, name="Voiron", category="pool", lon=VOIRON[0], lat=VOIRON[1], publish=True
    )
    make_facility(cast.other_correspondent, cast.chambery, name="Brouillon", lon=CHAMBERY[0], lat=CHAMBERY[1])
    client = client_for(cast.agent)

    z, x, y = tile_of(*GRENOBLE, 4)
    layers = decode(client.get(f"/api/v1/tiles/facilities/{z}/{x}/{y}.mvt"))
    clusters = layers["clusters"]["features"]
    singles = layers.get("facilities", {"features": []})["features"]
    assert sum(f["properties"]["count"] for f in clusters) + len(singles) == 3  # the draft is not there

    z, x, y = tile_of(*GRENOBLE, 15)
    layers = decode(client.get(f"/api/v1/tiles/facilities/{z}/{x}/{y}.mvt"))
    names = {f["properties"]["name"]: f["properties"] for f in layers["facilities"]["features"]}
    assert set(names) == {"Musée", "Piscine"}
    assert names["Musée"]["id"] == museum.pk
    assert names["Musée"]["category"] == "museum"

    layers = decode(client.get(f"/api/v1/tiles/facilities/{z}/{x}/{y}.mvt?category=pool"))
    assert [f["properties"]["name"] for f in layers["facilities"]["features"]] == ["Piscine"]
    near = f"near={VOIRON[0]},{VOIRON[1]}&radius=1000"
    assert decode(client.get(f"/api/v1/tiles/facilities/{z}/{x}/{y}.mvt?{near}")) == {}


def test_bad_tile_parameters_are_a_422(cast):
    client = client_for(cast.agent)
    assert client.get("/api/v1/tiles/facilities/3/9/0.mvt").status_code == 422
    response = client.get("/api/v1/tiles/facilities/3/0/0.mvt?colour=red")
    assert response.status_code == 422
    assert response.json()["detail"]["errors"][0]["field"] == "colour"
    assert client.get("/api/v1/tiles/facilities/3/0/0.mvt?category=casino").status_code == 422
