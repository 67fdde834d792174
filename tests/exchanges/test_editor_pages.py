"""The editor's wish form (territories, communes, a drawn area, a circle by its centre or by a commune) and
period form, and the availability calendars of the editor and of a home's page. A refusal is the editor again
with the message beside the field, the person's input kept, status 422 and nothing written."""

import datetime as dt
import html
import json
import re

import pytest
import time_machine
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from exchanges import services
from exchanges.models import AvailabilityPeriod, DestinationWish
from geo.models import Commune
from tests.exchanges.conftest import SENTINEL
from tests.factories.exchanges import QUIMPER, in_days, make_home
from tests.helpers import assert_nothing_written

# About 35 × 25 km around Quimper, drawn clockwise.
CORNOUAILLE = {
    "type": "Polygon",
    "coordinates": [[[-4.3, 47.9], [-4.3, 48.1], [-3.9, 48.1], [-3.9, 47.9], [-4.3, 47.9]]],
}
BOWTIE = {
    "type": "Polygon",
    "coordinates": [[[-3.0, 47.0], [-2.0, 48.0], [-2.0, 47.0], [-3.0, 48.0], [-3.0, 47.0]]],
}
CONTINENT = {"type": "Polygon", "coordinates": [[[-10, 35], [30, 35], [30, 60], [-10, 60], [-10, 35]]]}
FLAT = {"type": "Polygon", "coordinates": [[[-4.0, 48.0], [-3.5, 48.0], [-3.0, 48.0], [-4.0, 48.0]]]}


def detailed(vertices: int) -> dict:
    """A small square whose sides hold `vertices` points in all."""
    side = vertices // 4
    ring = []
    for k in range(4):
        for i in range(side):
            t = i / side
            x, y = [(t, 0), (1, t), (1 - t, 1), (0, 1 - t)][k]
            ring.append([round(-4.2 + x * 0.2, 6), round(47.9 + y * 0.2, 6)])
    ring.append(ring[0])
    return {"type": "Polygon", "coordinates": [ring]}


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def contains(wish: DestinationWish, lon: float, lat: float) -> bool:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT ST_Contains(target, ST_SetSRID(ST_MakePoint(%s, %s), 4326))"
            " FROM exchanges_destinationwish WHERE id = %s",
            [lon, lat, wish.pk],
        )
        return bool(cursor.fetchone()[0])


def error_beside(page: str, field_id: str) -> str:
    """The error shown with the field `field_id`: the first error paragraph after it, before any other label."""
    start = page.index(f'id="{field_id}"')
    rest = page[start:]
    error = re.search(r'<p class="field-error" role="alert">(.*?)</p>', rest, re.S)
    assert error is not None, f"no error after {field_id}"
    assert "<label" not in rest[: error.start()], f"the error after {field_id} belongs to another field"
    return html.unescape(error[1])


@pytest.fixture
def home(people):
    return make_home(people.owner)


@pytest.fixture
def owner(people):
    return client_for(people.owner)


def wish(home, client, **fields):
    data = {
        "start": str(in_days(30)),
        "end": str(in_days(44)),
        "flexibility_days": 3,
        "adults": 3,
        "children": 1,
    }
    data.update(fields)
    return client.post(f"/mon-logement/{home.pk}/souhaits/", data)


class TestWishForm:
    def test_a_drawn_area(self, home, owner):
        response = wish(home, owner, area=json.dumps(CORNOUAILLE), radius_km="20")
        assert response.status_code == 302, response.content.decode()[:2000]
        saved = DestinationWish.objects.get(home=home)
        assert saved.area is not None
        assert saved.center is None
        assert saved.radius_m is None
        assert contains(saved, *QUIMPER)
        assert not contains(saved, -4.5, 48.4)  # Brest
        assert (saved.adults, saved.children, saved.flexibility_days) == (3, 1, 3)

    def test_a_circle_clicked_on_the_map(self, home, owner):
        response = wish(home, owner, center="-4.1024,47.996", radius_km="12.5")
        assert response.status_code == 302
        saved = DestinationWish.objects.get(home=home)
        assert saved.radius_m == 12_500
        assert saved.center is not None
        assert (round(saved.center.x, 4), round(saved.center.y, 4)) == (-4.1024, 47.996)
        assert contains(saved, -4.1024, 48.09)  # 10 km north
        assert not contains(saved, -4.1024, 48.13)  # 15 km north

    def test_a_circle_around_a_commune_typed_by_keyboard(self, home, owner):
        response = wish(home, owner, center_commune="Quimper (29)", radius_km="5")
        assert response.status_code == 302
        saved = DestinationWish.objects.get(home=home)
        quimper = Commune.objects.get(code="29232")
        assert saved.center is not None
        assert saved.center.equals_exact(quimper.point, tolerance=1e-9)
        assert saved.radius_m == 5000

    def test_the_map_centre_wins_over_the_commune_it_came_from(self, home, owner):
        response = wish(home, owner, center="-4.0,48.0", center_commune="Brest (29)", radius_km="5")
        assert response.status_code == 302
        center = DestinationWish.objects.get(home=home).center
        assert center is not None
        assert center.x == -4.0

    def test_communes_picked_and_typed(self, home, owner):
        # The picker's checked boxes, plus a commune typed (name and département) but not added to the list.
        response = owner.post(
            f"/mon-logement/{home.pk}/souhaits/",
            {
                "communes": ["29232", "29019"],
                "commune_search": "Concarneau (29)",
                "start": str(in_days(30)),
                "end": str(in_days(44)),
                "flexibility_days": 0,
                "adults": 1,
                "children": 0,
            },
        )
        assert response.status_code == 302
        assert DestinationWish.objects.get(home=home).communes == ["29019", "29039", "29232"]

    def test_a_repaired_area_is_saved_and_the_owner_told(self, home, owner):
        response = wish(home, owner, area=json.dumps(BOWTIE))
        assert response.status_code == 302
        saved = DestinationWish.objects.get(home=home)
        assert saved.area is not None
        assert saved.area.valid
        assert len(saved.area) == 2
        page = owner.get("/mon-logement/").content.decode()
        assert "La zone dessinée se croisait elle-même : elle a été corrigée" in page

    def test_without_any_place_the_first_field_says_so(self, home, owner):
        with assert_nothing_written():
            response = wish(home, owner)
        assert response.status_code == 422
        assert "Indiquez au moins un lieu" in error_beside(
            response.content.decode(), f"wish-{home.pk}-regions"
        )

    @pytest.mark.parametrize(
        ("fields", "field", "message"),
        [
            ({"area": "{not json"}, "area", "Zone illisible"),
            ({"area": '["Polygon"]'}, "area", "Zone illisible"),
            ({"area": "[" * 50_000}, "area", "Zone illisible"),
            (
                {"area": json.dumps({"type": "Polygon", "coordinates": "Quimper"})},
                "area",
                "Polygone illisible",
            ),
            ({"area": json.dumps({"type": "Point", "coordinates": [-4, 48]})}, "area", "polygone GeoJSON"),
            ({"area": json.dumps(CONTINENT)}, "area", "Zone trop vaste"),
            ({"area": json.dumps(detailed(2004))}, "area", "au plus 2000 sommets"),
            ({"area": "x" * 100_001}, "area", "au plus 2000 sommets"),
            (
                {"area": json.dumps(FLAT)},
                "area",
                "n'a pas de surface",
            ),  # crossing itself into a line: refused
            ({"center": "-4.1,47.9", "radius_km": "0.05"}, "radius_km", "Rayon entre 0,1 km"),
            ({"center": "-4.1,47.9", "radius_km": "250"}, "radius_km", "Rayon entre 0,1 km"),
            ({"center": "-4.1,47.9", "radius_km": ""}, "radius_km", "Indiquez le rayon"),
            ({"center": "-4.1;47.9", "radius_km": "5"}, "center", "Centre illisible"),
            ({"center": "200,47.9", "radius_km": "5"}, "center", "Centre illisible"),
            (
                {"center_commune": "Nulle-Part-sur-Mer", "radius_km": "5"},
                "center_commune",
                "Commune introuvable",
            ),
            ({"communes": ["99999"]}, "communes", "Codes inconnus : 99999"),
            ({"communes": ["Quimper"]}, "communes", "Code de commune invalide"),
            ({"commune_search": "Saint-Nulle-Part"}, "commune_search", "Commune introuvable"),
            (
                {"regions": ["53"], "start": str(in_days(44)), "end": str(in_days(30))},
                "end",
                "après le début",
            ),
        ],
    )
    def test_bad_input_is_refused_beside_its_field(self, home, owner, fields, field, message):
        with assert_nothing_written():
            response = wish(home, owner, departements=["29"], **fields)
        assert response.status_code == 422
        page = response.content.decode()
        assert message in error_beside(page, f"wish-{home.pk}-{field}")
        assert "Souhait non ajouté" in page
        # What the person entered is still there: the other fields, and the shape to draw again.
        assert '<option value="29" selected>' in page
        assert 'name="flexibility_days" value="3"' in page
        assert 'name="adults" value="3"' in page
        if "area" in fields and len(fields["area"]) < 1000:
            assert f'value="{html.escape(fields["area"])}"' in page

    def test_the_picked_communes_come_back_after_a_refusal(self, home, owner):
        # After a refusal, the picker's communes come back checked, with their names.
        response = wish(home, owner, communes=["29232"], radius_km="300", center="-4,48")
        assert response.status_code == 422
        page = response.content.decode()
        assert 'name="communes" value="29232" checked> Quimper (29)' in page

    def test_someone_elses_home_is_404_and_nothing_written(self, people, home):
        other = client_for(people.other)
        with assert_nothing_written():
            response = wish(home, other, area=json.dumps(CORNOUAILLE))
        assert response.status_code == 404


class TestWishesOnTheMap:
    def test_the_detail_page_and_the_editor_map_the_wishes_not_the_home(self, people, homes, owner):
        grenoble = homes["grenoble"]
        services.wish_add(
            actor=people.owner, home=grenoble, start=in_days(10), end=in_days(24), area=CORNOUAILLE
        )
        for client, url in (
            (client_for(people.other), f"/logements/{grenoble.pk}/"),
            (owner, "/mon-logement/"),
        ):
            page = client.get(url).content.decode()
            found = re.search(r'data-wishes-map data-geojson="([^"]*)"', page)
            assert found is not None
            wishes = json.loads(html.unescape(found[1]))
            assert [f["properties"]["number"] for f in wishes["features"]] == [1, 2]
            assert "une zone dessinée" in page
            text = html.unescape(found[1])
            assert f"{SENTINEL[0]:.4f}" not in text
            assert f"{SENTINEL[1]:.4f}" not in text
        # The second wish (by dates then creation) is the drawn area, its number inside it.
        inside = wishes["features"][1]["properties"]["inside"]
        assert -4.3 < inside[0] < -3.9
        assert 47.9 < inside[1] < 48.1

    def test_a_home_without_wishes_has_no_map(self, home, owner):
        assert "data-wishes-map" not in owner.get(f"/logements/{home.pk}/").content.decode()


def available_days(page: str) -> list[dt.date]:
    return [
        dt.date.fromisoformat(d)
        for d in re.findall(r'class="cal-day cal-available" data-date="([\d-]+)"', page)
    ]


class TestPeriodForm:
    def test_a_period_shows_on_both_calendars(self, people, home, owner):
        response = owner.post(
            f"/mon-logement/{home.pk}/disponibilites/",
            {"start": str(in_days(3)), "end": str(in_days(6)), "mode": "reciprocal"},
        )
        assert response.status_code == 302
        nights = [in_days(3), in_days(4), in_days(5)]
        assert available_days(owner.get("/mon-logement/").content.decode()) == nights
        assert available_days(owner.get(f"/logements/{home.pk}/").content.decode()) == nights

    @pytest.mark.parametrize(
        ("start", "end", "field", "message"),
        [
            (in_days(10), in_days(5), "end", "La fin doit être après le début"),
            (in_days(10), in_days(10), "end", "La fin doit être après le début"),
            (in_days(-3), in_days(5), "start", "dans le passé"),
            (in_days(1), in_days(400), "end", "au plus un an"),
        ],
    )
    def test_bad_dates_are_refused_beside_the_field(self, home, owner, start, end, field, message):
        with assert_nothing_written():
            response = owner.post(
                f"/mon-logement/{home.pk}/disponibilites/",
                {"start": str(start), "end": str(end), "mode": "open"},
            )
        assert response.status_code == 422
        page = response.content.decode()
        assert message in error_beside(page, f"period-{home.pk}-{field}")
        assert f'value="{start}"' in page
        assert f'value="{end}"' in page

    def test_an_overlap_is_refused_above_the_form(self, people, home, owner):
        services.availability_add(actor=people.owner, home=home, start=in_days(3), end=in_days(9))
        with assert_nothing_written():
            response = owner.post(
                f"/mon-logement/{home.pk}/disponibilites/",
                {"start": str(in_days(5)), "end": str(in_days(12)), "mode": "open"},
            )
        assert response.status_code == 422
        assert "chevauche" in response.content.decode()


class TestCalendarPages:
    def test_the_arrows_move_one_month_as_a_page_or_as_a_fragment(self, people, homes):
        grenoble = homes["grenoble"]
        client = client_for(people.other)
        month = in_days(0).replace(day=1)
        following = (month + dt.timedelta(days=32)).replace(day=1)
        page = client.get(f"/logements/{grenoble.pk}/").content.decode()
        assert f"?mois={following:%Y-%m}" in page
        assert "Mois précédent" not in page
        fragment = client.get(f"/logements/{grenoble.pk}/calendrier/?mois={following:%Y-%m}")
        assert fragment.status_code == 200
        text = fragment.content.decode()
        assert "<html" not in text
        assert f'data-date="{following:%Y-%m}-01"' in text
        assert f'data-date="{month:%Y-%m}-01"' not in text
        assert "Mois précédent" in text
        # A whole page with the same parameter shows the same months.
        paged = client.get(f"/logements/{grenoble.pk}/?mois={following:%Y-%m}").content.decode()
        assert f'data-date="{month:%Y-%m}-01"' not in paged

    def test_only_the_owner_gets_the_days_to_pick(self, people, homes):
        grenoble = homes["grenoble"]
        assert "cal-pick" not in client_for(people.owner).get(f"/logements/{grenoble.pk}/").content.decode()
        owner = client_for(people.owner).get(f"/mon-logement/{grenoble.pk}/calendrier/")
        assert owner.status_code == 200
        assert "cal-pick" in owner.content.decode()
        assert client_for(people.other).get(f"/mon-logement/{grenoble.pk}/calendrier/").status_code == 404

    def test_invisible_homes_have_no_calendar(self, people):
        draft = make_home(people.owner)
        assert client_for(people.other).get(f"/logements/{draft.pk}/calendrier/").status_code == 404
        assert Client().get(f"/logements/{draft.pk}/calendrier/").status_code == 302

    def test_a_frozen_leap_february(self, people):
        with time_machine.travel(dt.datetime(2028, 2, 27, 9, 0, tzinfo=dt.UTC), tick=False):
            home = make_home(people.owner)
            services.availability_add(
                actor=people.owner, home=home, start=dt.date(2028, 2, 28), end=dt.date(2028, 3, 2)
            )
            page = client_for(people.owner).get(f"/logements/{home.pk}/").content.decode()
        assert available_days(page) == [dt.date(2028, 2, 28), dt.date(2028, 2, 29), dt.date(2028, 3, 1)]
        assert "<caption>février 2028</caption>" in page
        assert "<caption>juillet 2028</caption>" in page
        assert "<caption>août 2028</caption>" not in page
        assert 'class="cal-day cal-past" data-date="2028-02-26"' in page
        assert 'data-date="2028-02-27" aria-current="date"' in page
        assert AvailabilityPeriod.objects.filter(home=home).count() == 1

    def test_english_names_of_months_and_days(self, people, homes):
        client = client_for(people.other)
        url = f"/logements/{homes['grenoble'].pk}/"
        page = client.post("/i18n/setlang/", {"language": "en", "next": url}, follow=True).content.decode()
        month = in_days(0)
        assert f"<caption>{month:%B %Y}</caption>" in page
        assert '<span class="visually-hidden">Monday</span>' in page


def test_the_editor_in_english(people, home):
    client = client_for(people.owner)
    page = client.post("/i18n/setlang/", {"language": "en", "next": "/mon-logement/"}, follow=True)
    text = page.content.decode()
    assert 'data-text-points="Area: %(n)s points."' in text
    assert "Undo the last point" in text
    assert "Radius of the circle (km)" in text
    assert "Next month →" in text
    response = client.post(f"/mon-logement/{home.pk}/souhaits/", {"start": "x"})
    assert response.status_code == 422
    assert "Wish not added: correct what is flagged." in response.content.decode()


def test_the_editor_costs_one_query_more_per_home_and_the_home_page_a_fixed_number(
    people, homes, django_assert_num_queries, django_assert_max_num_queries
):
    """Each home of the editor adds its wishes' map (one query); photos, periods and wishes are prefetched."""
    client = client_for(people.owner)
    client.get("/mon-logement/")  # the session and the permissions warm up
    with CaptureQueriesContext(connection) as two_homes:
        client.get("/mon-logement/")
    make_home(people.owner, title="Troisième")
    with django_assert_num_queries(len(two_homes) + 1):
        client.get("/mon-logement/")
    other = client_for(people.other)
    other.get(f"/logements/{homes['grenoble'].pk}/")
    # 12, plus the home's reviews, the viewer's own homes for the proposal form, the viewer's solidarity nights
    # for the one-way request form and the header's two counts (unread notifications, unread messages).
    with django_assert_max_num_queries(17):
        other.get(f"/logements/{homes['grenoble'].pk}/")
