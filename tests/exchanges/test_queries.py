"""Every list of the homes half costs the same number of queries whatever its length (no N+1). The counts include
the signed-in user's row (the session itself is read from the cache: marketplace.core.sessions)."""

import html
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from exchanges import favourites, services
from tests.factories.exchanges import in_days, make_home
from tests.organisations.test_api import client_for

HX = {"HX-Request": "true"}  # the map search's results alone (htmx)


def count(client, url: str, headers: dict[str, str] | None = None) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, headers=headers)
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
    ("url", "headers", "expected"),
    [
        ("/api/v1/homes", {}, 5),
        ("/api/v1/homes/search?bbox=5,45,6,46", {}, 2),
        (
            "/logements/?region=84",
            {},
            9,
        ),  # the full page: with the header's unread notifications and messages
        ("/logements/?region=84&guests=2", HX, 2),
        ("/api/v1/favourites", {}, 3),
        ("/api/v1/saved-searches", {}, 2),
    ],
)
def test_lists_cost_the_same_for_3_and_12_rows(people, url, headers, expected):
    owner_client, viewer = client_for(people.owner), client_for(people.other)
    client = owner_client if url in ("/api/v1/homes",) else viewer
    small = homes_of(people.owner, 3)
    for home in small:
        favourites.favourite_add(actor=people.other, home=home)
    favourites.saved_search_create(actor=people.other, name="a", query="region=84")
    assert count(client, url, headers) == expected
    for home in homes_of(people.owner, 9):
        favourites.favourite_add(actor=people.other, home=home)
    favourites.saved_search_create(actor=people.other, name="b", query="region=53")
    assert count(client, url, headers) == expected


def test_the_next_page_of_the_map_search_costs_the_same_for_1_and_10_rows(people):
    viewer = client_for(people.other)

    def next_page() -> str:
        first = viewer.get("/logements/?region=84&limit=2", headers=HX).content.decode()
        link = re.search(r'hx-get="([^"]+)" hx-target="#home-cards"', first)
        assert link is not None
        return html.unescape(link.group(1)).replace("limit=2", "limit=30")  # the rest, on one page

    homes_of(people.owner, 3)
    assert count(viewer, next_page(), HX) == 2
    homes_of(people.owner, 9)
    assert count(viewer, next_page(), HX) == 2
