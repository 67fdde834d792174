"""Territory lists: the shared list pattern, one query whatever the page size."""

from urllib.parse import quote

import pytest
from django.db import transaction

from geo import api as geo_api
from geo.models import Region
from tests.factories.geo import RegionFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("territories")]


@pytest.mark.parametrize("limit", [3, 30])
@pytest.mark.parametrize(
    ("url", "queries", "total"),
    [
        # The tables' version, then the page (rendered once per version: see the cache tests below).
        ("/api/v1/geo/regions?limit={limit}", 2, 18),
        ("/api/v1/geo/departements?limit={limit}", 2, 101),
        ("/api/v1/geo/departements?region=84&limit={limit}", 2, 12),
        # The ranked codes, then the communes with their département and région.
        ("/api/v1/geo/communes?q=saint&limit={limit}", 2, 1000),
    ],
)
def test_query_count_does_not_grow_with_the_page(
    client, url, queries, total, limit, django_assert_num_queries
):
    geo_api._rendered.clear()
    with django_assert_num_queries(queries):
        response = client.get(url.format(limit=limit))
    assert response.status_code == 200
    assert len(response.json()["items"]) == min(limit, total)


def test_departements_page_by_code(client):
    codes, cursor = [], ""
    while cursor is not None:
        body = client.get(f"/api/v1/geo/departements?limit=40&cursor={quote(cursor)}").json()
        codes += [d["code"] for d in body["items"]]
        cursor = body["next"]
        assert len(codes) <= 101, "the cursor does not move forward"
    assert len(codes) == 101
    assert codes == sorted(codes)
    assert client.get("/api/v1/geo/departements").json()["next"] is None  # one page by default


def test_regions_by_code(client):
    codes = [r["code"] for r in client.get("/api/v1/geo/regions?sort=code").json()["items"]]
    assert codes == sorted(codes)
    assert codes[:3] == ["01", "02", "03"]


@pytest.mark.parametrize(
    ("url", "field"),
    [
        ("/api/v1/geo/regions?region=84", "region"),
        ("/api/v1/geo/regions?sort=population", "sort"),
        ("/api/v1/geo/departements?limit=201", "limit"),
        ("/api/v1/geo/departements?cursor=abc", "cursor"),
        ("/api/v1/geo/communes?q=paris&cursor=abc", "cursor"),  # ranked: no cursor on this list
        ("/api/v1/geo/communes?q=paris&departement=75", "departement"),
    ],
)
def test_bad_list_parameters_are_422_naming_them(client, url, field):
    response = client.get(url)
    assert response.status_code == 422
    assert [e["field"] for e in response.json()["detail"]["errors"]] == [field]


def _region_codes(client):
    return [r["code"] for r in client.get("/api/v1/geo/regions?sort=code").json()["items"]]


def test_reference_list_is_rendered_once_per_version_of_its_tables(client, django_assert_num_queries):
    geo_api._rendered.clear()
    first = client.get("/api/v1/geo/departements?region=84")
    with django_assert_num_queries(1):  # the version only
        again = client.get("/api/v1/geo/departements?region=84")
    assert again.content == first.content
    assert again["ETag"] == first["ETag"]


def test_reference_list_follows_every_write_including_rolled_back_ones(client, django_assert_num_queries):
    before = _region_codes(client)
    with transaction.atomic():
        RegionFactory(code="99", name="Région posée par le test")
        assert _region_codes(client) == sorted([*before, "99"])
        transaction.set_rollback(True)
    assert _region_codes(client) == before
    # A write that only renames: same rows, new version, new page.
    Region.objects.filter(code="84").update(name="Auvergne-Rhône-Alpes (renommée)")
    names = {r["code"]: r["name"] for r in client.get("/api/v1/geo/regions").json()["items"]}
    assert names["84"] == "Auvergne-Rhône-Alpes (renommée)"
    # A département's page carries its région's name, so it follows the régions' table too.
    departements = client.get("/api/v1/geo/departements?region=84").json()["items"]
    assert {d["region_name"] for d in departements} == {"Auvergne-Rhône-Alpes (renommée)"}


def test_reference_list_etag_gives_304_until_the_table_changes(client):
    first = client.get("/api/v1/geo/regions")
    etag = first["ETag"]
    assert client.get("/api/v1/geo/regions", HTTP_IF_NONE_MATCH=etag).status_code == 304
    RegionFactory(code="98", name="Région nouvelle")
    changed = client.get("/api/v1/geo/regions", HTTP_IF_NONE_MATCH=etag)
    assert changed.status_code == 200
    assert changed["ETag"] != etag
    assert "98" in [r["code"] for r in changed.json()["items"]]


def test_reference_list_bad_parameters_are_refused_every_time(client):
    for _ in range(2):
        response = client.get("/api/v1/geo/regions?sort=population")
        assert response.status_code == 422
        assert "sort" in response.json()["detail"]["errors"][0]["field"]
