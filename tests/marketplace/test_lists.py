"""marketplace.lists, through the employer search (API and page): keyset pages, signed cursors, bad parameters."""

from urllib.parse import quote

import pytest
from django.core import signing

from marketplace.lists import _SALT
from tests.factories.organisations import MemberOrganisationFactory
from tests.helpers import assert_nothing_written
from tests.organisations.test_api import client_for

URL = "/api/v1/organisations?q=grenoble"


@pytest.fixture
def grenoble(world):
    """Eleven employers matching "grenoble", two of them with the same name (the id breaks the tie)."""
    commune = world.organisation.seat_commune
    names = ["Ville de Grenoble", "CCAS Grenoble", "CCAS Grenoble"] + [
        f"Grenoble Agence {i}" for i in range(8)
    ]
    for name in names[1:]:
        MemberOrganisationFactory(name=name, seat_commune=commune)
    return client_for(world.agent)


def walk(client, url: str) -> tuple[list[int], int]:
    """Every id of the list, page after page, and the number of pages."""
    ids, pages, cursor = [], 0, None
    while True:
        body = client.get(url + (f"&cursor={quote(cursor)}" if cursor else "")).json()
        ids += [item["id"] for item in body["items"]]
        pages += 1
        cursor = body["next"]
        if cursor is None:
            return ids, pages
        assert pages < 50, "the cursor does not move forward"


class TestKeysetPages:
    @pytest.mark.parametrize(("sort", "reverse"), [("name", False), ("-name", True)])
    def test_every_row_once_in_order_whatever_the_page_size(self, grenoble, world, sort, reverse):
        from marketplace.organisations.models import Organisation

        expected = list(
            Organisation.objects.filter(status="validated", name__icontains="grenoble")
            .order_by(*(["-name", "-id"] if reverse else ["name", "id"]))
            .values_list("id", flat=True)
        )
        assert len(expected) == 11
        for limit, pages in ((2, 6), (5, 3), (11, 1), (100, 1)):
            assert walk(grenoble, f"{URL}&sort={sort}&limit={limit}") == (expected, pages)

    def test_a_row_inserted_before_the_cursor_does_not_shift_the_next_page(self, grenoble, world):
        first = grenoble.get(f"{URL}&limit=3").json()
        MemberOrganisationFactory(name="AAA Grenoble", seat_commune=world.organisation.seat_commune)
        second = grenoble.get(f"{URL}&limit=3&cursor={quote(first['next'])}").json()
        seen = [o["name"] for o in first["items"] + second["items"]]
        assert len({o["id"] for o in first["items"] + second["items"]}) == 6
        assert "AAA Grenoble" not in seen
        assert seen == sorted(seen)

    def test_the_default_page_is_twenty(self, world):
        for i in range(21):
            MemberOrganisationFactory(
                name=f"Mairie Grenoble {i:02d}", seat_commune=world.organisation.seat_commune
            )
        body = client_for(world.agent).get(URL).json()
        assert (len(body["items"]), body["next"] is not None) == (20, True)


class TestBadParameters:
    def bad(self, client, url: str) -> list[str]:
        with assert_nothing_written():
            response = client.get(url)
        assert response.status_code == 422, response.content
        body = response.json()
        assert body["code"] == "validation_error"
        return [e["field"] for e in body["detail"]["errors"]]

    def test_a_tampered_cursor_is_422_naming_cursor(self, grenoble):
        cursor = grenoble.get(f"{URL}&limit=2").json()["next"]
        forged = signing.dumps({"s": "name", "k": [["v", ""], ["v", 0]]}, salt="another-salt", compress=True)
        for bad in (cursor[:-3] + "abc", cursor[1:], "pas-un-curseur", forged, "x" * 500):
            assert self.bad(grenoble, f"{URL}&limit=2&cursor={quote(bad)}") == ["cursor"], bad

    def test_a_cursor_of_another_order_or_shape_is_422(self, grenoble):
        cursor = grenoble.get(f"{URL}&limit=2").json()["next"]
        assert self.bad(grenoble, f"{URL}&sort=-name&cursor={quote(cursor)}") == ["cursor"]
        short = signing.dumps({"s": "name", "k": [["v", "x"]]}, salt=_SALT, compress=True)
        assert self.bad(grenoble, f"{URL}&cursor={quote(short)}") == ["cursor"]
        wrong_type = signing.dumps({"s": "name", "k": [["v", "x"], ["v", "pas un id"]]}, salt=_SALT)
        assert self.bad(grenoble, f"{URL}&cursor={quote(wrong_type)}") == ["cursor"]

    def test_unknown_filters_are_named(self, grenoble):
        assert sorted(self.bad(grenoble, f"{URL}&status=pending&siren=1")) == ["siren", "status"]

    def test_unknown_sort_and_bad_limits_are_named(self, grenoble):
        assert self.bad(grenoble, f"{URL}&sort=siren") == ["sort"]
        for limit in ("0", "101", "-1", "abc", "1.5"):
            assert self.bad(grenoble, f"{URL}&limit={limit}") == ["limit"], limit

    def test_a_missing_or_short_query_is_named(self, grenoble):
        assert self.bad(grenoble, "/api/v1/organisations") == ["q"]
        assert self.bad(grenoble, "/api/v1/organisations?q=g") == ["q"]


class TestTheSamePatternOnThePage:
    def test_search_form_pages_with_the_api_cursor(self, grenoble):
        page = grenoble.get("/employeur/?q=grenoble&limit=5")
        assert page.status_code == 200
        first = [o.name for o in page.context["results"].items]
        api = grenoble.get(f"{URL}&limit=5").json()
        assert first == [o["name"] for o in api["items"]]
        assert page.context["results"].next is not None
        html = page.content.decode()
        assert "Employeurs suivants" in html
        following = grenoble.get(
            f"/employeur/?q=grenoble&limit=5&cursor={quote(page.context['results'].next)}"
        )
        assert [o.name for o in following.context["results"].items] == [
            o["name"] for o in grenoble.get(f"{URL}&limit=5&cursor={quote(api['next'])}").json()["items"]
        ]

    @pytest.mark.parametrize(
        ("query", "named"),
        [("q=grenoble&couleur=bleu", "couleur"), ("q=grenoble&cursor=faux", "cursor"), ("q=g", "q")],
    )
    def test_bad_parameters_are_a_message_on_the_page(self, grenoble, query, named):
        with assert_nothing_written():
            page = grenoble.get(f"/employeur/?{query}")
        assert page.status_code == 422
        assert page.context["results"] is None
        assert named in page.context["search_error"]
        assert page.context["search_error"] in page.content.decode()
