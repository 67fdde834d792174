"""Every write endpoint, with a user who must be refused (404 when the object is invisible, 403 otherwise)."""

import datetime as dt

import pytest
from django.test import Client
from django.utils import timezone

from marketplace.organisations.models import EmploymentStatus, StaffRole
from tests.factories.organisations import EmploymentFactory, membership_span, siren_with_key
from tests.helpers import assert_nothing_written

YEAR = dt.timedelta(days=365)


def client_for(user) -> Client:
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    client.get("/")  # CSRF cookie
    return client


def post(client: Client, url: str, data: dict | None = None):
    return client.post(
        url, data or {}, content_type="application/json", HTTP_X_CSRFTOKEN=client.cookies["csrftoken"].value
    )


@pytest.fixture
def employment(world):
    return EmploymentFactory(
        agent=world.agent, organisation=world.organisation, status=EmploymentStatus.PENDING
    )


class TestRefusals:
    @pytest.mark.parametrize(
        ("who", "url", "status"),
        [
            # pending employers are invisible to outsiders: 404, not 403
            ("stranger", "/api/v1/organisations/{pending}/validate", 404),
            ("other_officer", "/api/v1/organisations/{pending}/validate", 404),
            ("correspondent", "/api/v1/organisations/{pending}/validate", 404),
            ("other_officer", "/api/v1/organisations/{pending}/reject", 404),
            # visible, but not theirs to decide
            ("correspondent", "/api/v1/organisations/{organisation}/periods", 403),
            ("other_correspondent", "/api/v1/organisations/{organisation}/staff", 403),
            ("stranger", "/api/v1/employments/{employment}/confirm", 404),
            ("other_correspondent", "/api/v1/employments/{employment}/confirm", 404),
            ("other_correspondent", "/api/v1/employments/{employment}/reject", 404),
            ("stranger", "/api/v1/employments/{employment}/end", 404),
            ("stranger", "/api/v1/staff-roles/{role}/revoke", 404),
            ("other_correspondent", "/api/v1/staff-roles/{role}/revoke", 404),
            ("other_officer", "/api/v1/staff-roles/{role}/accept", 404),
        ],
    )
    def test_refused_and_nothing_written(self, world, employment, who, url, status):
        role = StaffRole.objects.get(user=world.correspondent)
        url = url.format(
            pending=world.pending.pk,
            organisation=world.organisation.pk,
            employment=employment.pk,
            role=role.pk,
        )
        payloads = {
            "periods": {"start": str(membership_span()[1]), "end": str(membership_span()[1] + YEAR)},
            "staff": {"email": world.stranger.email, "role": "desk"},
            "reject": {"comment": "x"},
            "validate": {},
            "accept": {},
        }
        payload = payloads.get(url.rsplit("/", 1)[1], {})
        client = client_for(getattr(world, who))
        with assert_nothing_written():
            response = post(client, url, payload)
        assert response.status_code == status, response.content
        assert response.json()["code"] in {
            "not_allowed",
            "organisation_not_found",
            "employment_not_found",
            "staff_role_not_found",
        }

    def test_anonymous_is_401(self, world):
        with assert_nothing_written():
            response = Client().post(
                f"/api/v1/organisations/{world.pending.pk}/validate", {}, content_type="application/json"
            )
        assert response.status_code == 401

    def test_missing_csrf_is_403(self, world):
        client = Client(enforce_csrf_checks=True)
        client.force_login(world.officer)
        with assert_nothing_written():
            response = client.post(
                f"/api/v1/organisations/{world.pending.pk}/validate", {}, content_type="application/json"
            )
        assert response.status_code == 403
        world.pending.refresh_from_db()
        assert world.pending.status == "pending"


class TestFlows:
    def test_register_then_officer_validates(self, world):
        agent = client_for(world.agent)
        response = post(
            agent,
            "/api/v1/organisations",
            {
                "name": "CCAS de Grenoble bis",
                "kind": "ccas",
                "siren": siren_with_key(26380001),
                "seat_commune": "38185",
                "agents_count": 40,
            },
        )
        assert response.status_code == 201
        organisation_id = response.json()["id"]
        queue = client_for(world.officer).get("/api/v1/officer/queue").json()
        assert organisation_id in [o["id"] for o in queue["organisations"]]
        assert client_for(world.other_officer).get("/api/v1/officer/queue").json()["organisations"] == []
        response = post(client_for(world.officer), f"/api/v1/organisations/{organisation_id}/validate")
        assert (response.status_code, response.json()["status"]) == (200, "validated")

    def test_employment_request_and_confirm(self, world):
        response = post(
            client_for(world.agent), "/api/v1/employments", {"organisation_id": world.organisation.pk}
        )
        assert response.status_code == 201
        employment_id = response.json()["id"]
        pending = client_for(world.correspondent).get(
            f"/api/v1/organisations/{world.organisation.pk}/employments"
        )
        assert [e["id"] for e in pending.json()["items"]] == [employment_id]
        response = post(client_for(world.correspondent), f"/api/v1/employments/{employment_id}/confirm")
        assert response.json()["status"] == "confirmed"
        eligibility = client_for(world.agent).get("/api/v1/eligibility").json()  # today, by default
        assert eligibility == {
            "eligible": True,
            "reason_code": "eligible",
            "message": "Vous êtes agent d'un employeur adhérent.",
            "organisation_id": world.organisation.pk,
        }

    def test_search_finds_validated_employers_by_name_commune_or_siren(self, world):
        client = client_for(world.agent)

        def found(q: str, key: str = "name") -> list[str]:
            return [o[key] for o in client.get(f"/api/v1/organisations?q={q}").json()["items"]]

        assert found("grenoble") == ["Ville de Grenoble"]  # the pending CCAS is not listed
        assert found("chambery") == ["Ville de Chambéry"]
        assert found(world.organisation.siren, "siren") == [world.organisation.siren]


class TestBadInput:
    @pytest.mark.parametrize(
        ("payload", "field"),
        [
            ({"siren": "732829321"}, "siren"),
            ({"siren": "12"}, "siren"),
            ({"seat_commune": "99999"}, "seat_commune"),
            ({"kind": "mairie"}, "kind"),
            ({"agents_count": -1}, "agents_count"),
            ({"status": "validated"}, "status"),
        ],
    )
    def test_register_422_names_the_field(self, world, payload, field):
        data = {
            "name": "Mairie",
            "kind": "commune",
            "siren": siren_with_key(26380002),
            "seat_commune": "38185",
        }
        client = client_for(world.agent)
        with assert_nothing_written():
            response = post(client, "/api/v1/organisations", {**data, **payload})
        assert response.status_code == 422
        assert field in [e["field"] for e in response.json()["detail"]["errors"]]

    def test_overlapping_period_is_409(self, world):
        client = client_for(world.officer)
        with assert_nothing_written():
            response = post(
                client,
                f"/api/v1/organisations/{world.organisation.pk}/periods",
                {"start": str(timezone.localdate()), "end": str(timezone.localdate() + 2 * YEAR)},
            )
        assert response.status_code == 409
        assert response.json()["code"] == "membership_overlap"

    def test_inverted_period_is_422(self, world):
        client = client_for(world.officer)
        with assert_nothing_written():
            response = post(
                client,
                f"/api/v1/organisations/{world.organisation.pk}/periods",
                {"start": str(membership_span()[1] + YEAR), "end": str(membership_span()[1])},
            )
        assert response.status_code == 422
        assert response.json()["detail"]["errors"][0]["field"] == "end"

    def test_unknown_organisation_is_404(self, world):
        client = client_for(world.agent)
        with assert_nothing_written():
            response = post(client, "/api/v1/employments", {"organisation_id": 999999})
        assert response.status_code == 404


class TestMoreRefusals:
    def test_anonymous_cannot_register_an_employer(self, world):
        with assert_nothing_written():
            response = Client().post("/api/v1/organisations", {"name": "X"}, content_type="application/json")
        assert response.status_code == 401

    def test_pending_employer_cannot_be_joined_by_a_stranger(self, world):
        client = client_for(world.stranger)
        with assert_nothing_written():
            joined = post(client, f"/api/v1/organisations/{world.pending.pk}/join")
            employed = post(client, "/api/v1/employments", {"organisation_id": world.pending.pk})
        assert (joined.status_code, employed.status_code) == (404, 404)

    def test_staff_list_and_pending_employments_are_for_correspondents(self, world):
        for url in (
            f"/api/v1/organisations/{world.organisation.pk}/staff",
            f"/api/v1/organisations/{world.organisation.pk}/employments",
        ):
            assert client_for(world.other_correspondent).get(url).status_code == 403
            assert client_for(world.correspondent).get(url).status_code == 200


class TestEmployerProfile:
    def test_profile_update_permissions_and_fields(self, world):
        correspondent = client_for(world.correspondent)
        token = correspondent.cookies["csrftoken"].value
        url = f"/api/v1/organisations/{world.organisation.pk}"
        ok = correspondent.patch(
            url,
            {"agents_count": 2500, "contact_email": "rh@grenoble.fr"},
            content_type="application/json",
            HTTP_X_CSRFTOKEN=token,
        )
        assert ok.status_code == 200
        assert ok.json()["agents_count"] == 2500
        for payload, field in (
            ({"contact_email": "pas-un-email"}, "contact_email"),
            ({"siren": "732829320"}, "siren"),
            ({"agents_count": -3}, "agents_count"),
        ):
            with assert_nothing_written():
                bad = correspondent.patch(
                    url, payload, content_type="application/json", HTTP_X_CSRFTOKEN=token
                )
            assert bad.status_code == 422
            assert [e["field"] for e in bad.json()["detail"]["errors"]] == [field]
        other = client_for(world.other_correspondent)
        with assert_nothing_written():
            refused = other.patch(
                url,
                {"agents_count": 1},
                content_type="application/json",
                HTTP_X_CSRFTOKEN=other.cookies["csrftoken"].value,
            )
        assert refused.status_code == 403
        world.organisation.refresh_from_db()
        assert (world.organisation.agents_count, world.organisation.contact_email) == (2500, "rh@grenoble.fr")
