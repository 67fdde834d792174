"""Homes: creation, privacy of the exact location, publication by eligible agents only, availability, wishes,
bad input (4xx naming the field, nothing written), eligibility follow-up and RGPD."""

import json

import pytest
from django.db import connection

from exchanges import services
from exchanges.models import AvailabilityPeriod, DestinationWish, Home, HomeStatus
from marketplace.accounts.privacy import export_sections
from marketplace.accounts.services import user_delete
from marketplace.organisations.models import Employment
from tests.exchanges.conftest import SENTINEL, SENTINEL_ADDRESS
from tests.factories.accounts import PASSWORD
from tests.factories.exchanges import GRENOBLE, in_days, make_home
from tests.organisations.test_api import client_for, post


def counts() -> dict[str, int]:
    return {
        "homes": Home.objects.count(),
        "published": Home.objects.filter(status=HomeStatus.PUBLISHED).count(),
        "periods": AvailabilityPeriod.objects.count(),
        "wishes": DestinationWish.objects.count(),
    }


def payload(**extra) -> dict:
    values = {
        "title": "Appartement lumineux près du marché",
        "kind": "flat",
        "sleeps": 4,
        "bedrooms": 2,
        "amenities": ["wifi", "balcony"],
        "address": SENTINEL_ADDRESS,
        "lon": SENTINEL[0],
        "lat": SENTINEL[1],
    }
    values.update(extra)
    return values


def distance_m(a, b) -> float:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT ST_Distance(ST_SetSRID(ST_MakePoint(%s, %s), 4326)::geography, "
            "ST_SetSRID(ST_MakePoint(%s, %s), 4326)::geography)",
            [a[0], a[1], b[0], b[1]],
        )
        return float(cursor.fetchone()[0])


class TestCreateAndPrivacy:
    def test_owner_creates_a_draft_and_sees_the_exact_location(self, people):
        response = post(client_for(people.owner), "/api/v1/homes", payload())
        assert response.status_code == 201, response.content
        body = response.json()
        assert body["status"] == "draft"
        assert body["commune"] == {"code": "38185", "name": "Grenoble"}
        assert body["region"]["code"] == "84"
        assert body["private"] == {
            "address": SENTINEL_ADDRESS,
            "location": {"lon": SENTINEL[0], "lat": SENTINEL[1]},
        }
        public = (body["approximate_location"]["lon"], body["approximate_location"]["lat"])
        assert 300 <= distance_m(public, SENTINEL) <= 800

    def test_the_public_offset_is_stable_and_differs_between_homes(self, people):
        first = make_home(people.owner, lon=SENTINEL[0], lat=SENTINEL[1])
        second = make_home(people.owner, lon=SENTINEL[0], lat=SENTINEL[1])
        assert services.home_public_point(first.pk, first.point).equals_exact(first.public_point, 1e-12)
        assert not first.public_point.equals_exact(second.public_point, 1e-6)
        # Moving the home moves its public point by the same offset (no new draw to average).
        moved = services.home_update(actor=people.owner, home=first, lon=GRENOBLE[0], lat=GRENOBLE[1])
        assert 300 <= distance_m((moved.public_point.x, moved.public_point.y), GRENOBLE) <= 800
        assert moved.public_point.equals_exact(services.home_public_point(first.pk, moved.point), 1e-12)

    def test_no_public_response_reveals_the_exact_location(self, people):
        owner = client_for(people.owner)
        home_id = post(owner, "/api/v1/homes", payload()).json()["id"]
        post(
            owner,
            f"/api/v1/homes/{home_id}/availability",
            {"start": str(in_days(10)), "end": str(in_days(20))},
        )
        post(
            owner,
            f"/api/v1/homes/{home_id}/wishes",
            {"start": str(in_days(10)), "end": str(in_days(20)), "regions": ["53"]},
        )
        assert post(owner, f"/api/v1/homes/{home_id}/publish").status_code == 200
        other = client_for(people.other)
        secrets = [SENTINEL_ADDRESS, "SENTINELLE", f"{SENTINEL[0]}", f"{SENTINEL[1]}", "5.73123", "45.18123"]
        for url in (
            f"/api/v1/homes/{home_id}",
            f"/api/v1/homes/{home_id}/availability",
            f"/api/v1/homes/{home_id}/wishes",
        ):
            response = other.get(url)
            assert response.status_code == 200, url
            text = response.content.decode()
            for secret in secrets:
                assert secret not in text, (url, secret)
        assert other.get(f"/api/v1/homes/{home_id}").json()["private"] is None

    def test_a_draft_is_invisible_to_others(self, people):
        home = make_home(people.owner)
        for user in (people.other, people.ineligible):
            assert client_for(user).get(f"/api/v1/homes/{home.pk}").status_code == 404
        assert client_for(people.owner).get(f"/api/v1/homes/{home.pk}").status_code == 200

    @pytest.mark.parametrize(
        ("change", "field", "code"),
        [
            ({"lon": 45.1885, "lat": 5.7245}, None, "coordinates_swapped"),
            ({"lon": -6.5, "lat": 46.5}, None, "point_outside_france"),  # Atlantic
            ({"lon": 500, "lat": 45}, "lon", "validation_error"),
            ({"title": "x" * 1_000_000}, "title", "validation_error"),
            ({"sleeps": 0}, "sleeps", "validation_error"),
            ({"amenities": ["jacuzzi"]}, "amenities.0", "validation_error"),
            ({"owner": 1}, "owner", "validation_error"),
        ],
    )
    def test_bad_input_is_a_422_and_nothing_is_written(self, people, change, field, code):
        before = counts()
        response = post(client_for(people.owner), "/api/v1/homes", payload(**change))
        assert response.status_code == 422, response.content
        assert response.json()["code"] == code
        if field:
            assert field in [e["field"] for e in response.json()["detail"]["errors"]]
        assert counts() == before


class TestPublication:
    def test_only_eligible_agents_publish(self, people):
        home = make_home(people.ineligible)
        before = counts()
        response = post(client_for(people.ineligible), f"/api/v1/homes/{home.pk}/publish")
        assert response.status_code == 403
        assert response.json()["code"] == "not_eligible"
        assert response.json()["detail"]["reason"] == "no_employer"
        assert counts() == before

    def test_nobody_else_publishes_edits_or_archives_my_home(self, people):
        home = make_home(people.owner)
        before = counts()
        other = client_for(people.other)
        assert post(other, f"/api/v1/homes/{home.pk}/publish").status_code == 404
        assert (
            other.patch(
                f"/api/v1/homes/{home.pk}",
                {"title": "Volé"},
                content_type="application/json",
                HTTP_X_CSRFTOKEN=other.cookies["csrftoken"].value,
            ).status_code
            == 404
        )
        assert (
            other.delete(
                f"/api/v1/homes/{home.pk}", HTTP_X_CSRFTOKEN=other.cookies["csrftoken"].value
            ).status_code
            == 404
        )
        assert counts() == before
        assert Home.objects.get(pk=home.pk).title == "Appartement lumineux"

    def test_publish_pause_archive(self, people):
        client = client_for(people.owner)
        home = make_home(people.owner)
        assert post(client, f"/api/v1/homes/{home.pk}/publish").json()["status"] == "published"
        assert post(client, f"/api/v1/homes/{home.pk}/pause").json()["status"] == "paused"
        again = post(client, f"/api/v1/homes/{home.pk}/pause")
        assert again.status_code == 409
        assert again.json()["code"] == "home_wrong_state"
        archived = client.delete(
            f"/api/v1/homes/{home.pk}", HTTP_X_CSRFTOKEN=client.cookies["csrftoken"].value
        )
        assert archived.json()["status"] == "archived"
        assert client.get("/api/v1/homes").json() == {"items": [], "next": None}

    def test_homes_follow_their_owners_eligibility(self, people):
        home = make_home(people.owner)
        services.home_publish(actor=people.owner, home=home)
        draft = make_home(people.owner)  # never published: untouched
        Employment.objects.filter(agent=people.owner).update(status="ended")
        today = in_days(0)
        paused, resumed = services.homes_follow_eligibility(today=today)
        assert (paused, resumed) == ([home.pk], [])
        home.refresh_from_db()
        assert (home.status, home.paused_for_eligibility) == (HomeStatus.PAUSED, True)
        assert services.homes_follow_eligibility(today=today) == ([], [])  # idempotent
        Employment.objects.filter(agent=people.owner).update(status="confirmed")
        assert services.homes_follow_eligibility(today=today) == ([], [home.pk])
        home.refresh_from_db()
        assert (home.status, home.paused_for_eligibility) == (HomeStatus.PUBLISHED, False)
        assert Home.objects.get(pk=draft.pk).status == HomeStatus.DRAFT


class TestAvailability:
    def add(self, client, home, start, end, **extra):
        return post(
            client, f"/api/v1/homes/{home.pk}/availability", {"start": str(start), "end": str(end), **extra}
        )

    def test_periods_never_overlap(self, people):
        home = make_home(people.owner)
        client = client_for(people.owner)
        assert self.add(client, home, in_days(10), in_days(20), mode="open").status_code == 201
        assert self.add(client, home, in_days(20), in_days(30)).status_code == 201  # adjacent: fine
        before = counts()
        overlap = self.add(client, home, in_days(15), in_days(25))
        assert overlap.status_code == 409
        assert overlap.json()["code"] == "availability_overlap"
        assert counts() == before

    @pytest.mark.parametrize(
        ("start", "end", "field"),
        [(20, 10, "end"), (10, 10, "end"), (-5, 3, "start"), (10, 500, "end")],
    )
    def test_inverted_empty_past_or_too_long(self, people, start, end, field):
        home = make_home(people.owner)
        before = counts()
        response = self.add(client_for(people.owner), home, in_days(start), in_days(end))
        assert response.status_code == 422
        assert response.json()["detail"]["errors"][0]["field"] == field
        assert counts() == before

    def test_someone_elses_home_is_404(self, people):
        home = make_home(people.owner)
        before = counts()
        assert self.add(client_for(people.other), home, in_days(10), in_days(20)).status_code == 404
        assert counts() == before


BOWTIE = {
    "type": "Polygon",
    "coordinates": [[[-3.0, 47.0], [-2.0, 48.0], [-2.0, 47.0], [-3.0, 48.0], [-3.0, 47.0]]],
}
CONTINENT = {"type": "Polygon", "coordinates": [[[-10, 35], [30, 35], [30, 60], [-10, 60], [-10, 35]]]}


class TestWishes:
    def add(self, client, home, **place):
        return post(
            client,
            f"/api/v1/homes/{home.pk}/wishes",
            {"start": str(in_days(30)), "end": str(in_days(44)), "adults": 2, "children": 1, **place},
        )

    def test_territories_area_and_circle_make_one_target(self, people):
        home = make_home(people.owner)
        client = client_for(people.owner)
        response = self.add(
            client,
            home,
            regions=["53"],
            departements=["2A"],
            communes=["13055"],
            center_lon=1.44,
            center_lat=43.6,
            radius_m=10_000,
            area=BOWTIE,
        )
        assert response.status_code == 201, response.content
        wish = DestinationWish.objects.get(pk=response.json()["id"])
        assert wish.target.valid
        with connection.cursor() as cursor:
            # Rennes (Bretagne), Ajaccio (2A), Marseille, Toulouse (circle) are in; Grenoble is not.
            for lon, lat, inside in (
                (-1.68, 48.11, True),
                (8.74, 41.93, True),
                (5.37, 43.30, True),
                (1.44, 43.60, True),
                (5.72, 45.19, False),
            ):
                cursor.execute(
                    "SELECT ST_Contains(target, ST_SetSRID(ST_MakePoint(%s, %s), 4326)) FROM exchanges_destinationwish WHERE id = %s",
                    [lon, lat, wish.pk],
                )
                assert cursor.fetchone()[0] is inside, (lon, lat)

    @pytest.mark.parametrize(
        ("place", "field"),
        [
            ({}, "regions"),
            ({"regions": ["99"]}, "regions"),
            ({"area": CONTINENT}, "area"),
            ({"area": {"type": "Point", "coordinates": [1, 2]}}, "area"),
            ({"area": {"type": "Polygon", "coordinates": [[[1, 2], [3]]]}}, "area"),
            ({"area": {"type": "Polygon", "coordinates": [[[1, 2], [1, 2], [1, 2], [1, 2]]]}}, "area"),
            ({"center_lon": 2.35, "center_lat": 48.85}, "radius_m"),
            ({"center_lon": 2.35, "center_lat": 48.85, "radius_m": 10}, "radius_m"),
        ],
    )
    def test_bad_places_are_refused_naming_the_field(self, people, place, field):
        home = make_home(people.owner)
        before = counts()
        response = self.add(client_for(people.owner), home, **place)
        assert response.status_code == 422, response.content
        assert field in [e["field"] for e in response.json()["detail"]["errors"]]
        assert counts() == before


class TestRgpd:
    def test_export_and_erasure(self, people):
        home = make_home(people.owner, address=SENTINEL_ADDRESS)
        services.availability_add(actor=people.owner, home=home, start=in_days(3), end=in_days(9))
        exported = json.dumps(export_sections(people.owner))
        assert SENTINEL_ADDRESS in exported
        user_delete(actor=people.owner, password=PASSWORD)
        assert not Home.objects.filter(pk=home.pk).exists()
        assert not AvailabilityPeriod.objects.filter(home_id=home.pk).exists()
