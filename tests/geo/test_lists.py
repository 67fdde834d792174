"""Territory lists: the shared list pattern, one query whatever the page size."""

from urllib.parse import quote

import pytest

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("territories")]


@pytest.mark.parametrize("limit", [3, 30])
@pytest.mark.parametrize(
    ("url", "queries", "total"),
    [
        ("/api/v1/geo/regions?limit={limit}", 1, 18),
        ("/api/v1/geo/departements?limit={limit}", 1, 101),
        ("/api/v1/geo/departements?region=84&limit={limit}", 1, 12),
        # The ranked codes, then the communes with their département and région.
        ("/api/v1/geo/communes?q=saint&limit={limit}", 2, 1000),
    ],
)
def test_query_count_does_not_grow_with_the_page(
    client, url, queries, total, limit, django_assert_num_queries
):
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
