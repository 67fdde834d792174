"""Every list of the homes half costs the same number of queries whatever its length (no N+1)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from exchanges import favourites, services
from tests.factories.exchanges import in_days, make_home
from tests.organisations.test_api import client_for


def count(client, url: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, response.content
    return len(queries)


def homes_of(owner, n: int, *, published: bool = True) -> list:
    made = []
    for i in range(n):
        home = make_home(owner, lon=5.72 + i * 0.002, lat=45.18)
        services.availability_add(actor=owner, home=home, start=in_days(10 + i), end=in_days(20 + i))
        services.wish_add(actor=owner, home=home, start=in_days(10), end=in_days(20), departements=["29"])
        if published:
            services.home_publish(actor=owner, home=home)
        made.append(home)
    return made


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("/api/v1/homes", 6),
        ("/api/v1/homes/search?bbox=5,45,6,46", 3),
        ("/logements/?region=84", 8),
        ("/api/v1/favourites", 4),
        ("/api/v1/saved-searches", 3),
    ],
)
def test_lists_cost_the_same_for_3_and_12_rows(people, url, expected):
    owner_client, viewer = client_for(people.owner), client_for(people.other)
    client = owner_client if url in ("/api/v1/homes",) else viewer
    small = homes_of(people.owner, 3)
    for home in small:
        favourites.favourite_add(actor=people.other, home=home)
    favourites.saved_search_create(actor=people.other, name="a", query="region=84")
    assert count(client, url) == expected
    for home in homes_of(people.owner, 9):
        favourites.favourite_add(actor=people.other, home=home)
    favourites.saved_search_create(actor=people.other, name="b", query="region=53")
    assert count(client, url) == expected
