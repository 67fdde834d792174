"""/api/v1/organisations/{id}/facility-imports: the journey through the API, bad input named, and every route
walked by every actor who is not the employer's correspondent (404, nothing written)."""

import json

import pytest
from django.test import Client

from local_offers.imports import services
from local_offers.imports.models import FacilityImport, ImportStatus
from local_offers.models import Facility
from tests.helpers import assert_nothing_written
from tests.local_offers.imports.conftest import csv_bytes, frame, standard_rows, to_bytes, upload
from tests.organisations.test_api import client_for


def base(people) -> str:
    return f"/api/v1/organisations/{people.organisation.pk}/facility-imports"


def _csrf(client: Client) -> dict:
    token = client.cookies.get("csrftoken")
    return {"HTTP_X_CSRFTOKEN": token.value} if token else {}


def send(client: Client, url: str, payload: dict | None = None):
    return client.post(url, json.dumps(payload or {}), content_type="application/json", **_csrf(client))


def send_file(client: Client, url: str, content: bytes, name: str = "equipements.gpkg"):
    return client.post(url, {"file": upload(content, name)}, **_csrf(client))


@pytest.fixture
def gpkg(tmp_path) -> bytes:
    return to_bytes(frame(standard_rows()), "gpkg", tmp_path)


class TestJourney:
    def test_upload_preview_confirm_run_status(self, people, gpkg):
        client = client_for(people.correspondent)
        response = send_file(client, base(people), gpkg)
        assert response.status_code == 201, response.content
        body = response.json()
        assert (body["format"], body["rows_read"], body["status"]) == ("gpkg", 5, "uploaded")
        assert body["mapping"]["name"] == "nom"
        url = f"{base(people)}/{body['id']}"

        preview = send(client, f"{url}/preview", {"mapping": body["mapping"]})
        assert preview.status_code == 200, preview.content
        assert (preview.json()["created"], preview.json()["rejected"]) == (5, 0)
        assert client.get(f"{url}/preview").json()["created"] == 5

        confirmed = send(client, f"{url}/confirm", {"publish": True})
        assert confirmed.status_code == 202
        assert confirmed.json()["status"] == "running"
        services.facility_import_run(import_id=body["id"])  # what the worker's task calls
        status = client.get(url).json()
        assert (status["status"], status["progress"], status["created"]) == ("done", 100, 5)
        assert Facility.objects.filter(organisation=people.organisation, status="published").count() == 5
        listed = client.get(base(people)).json()
        assert [item["id"] for item in listed["items"]] == [body["id"]]


class TestBadInput:
    def test_upload_without_a_file_is_422(self, people):
        client = client_for(people.correspondent)
        with assert_nothing_written():
            response = client.post(base(people), {}, **_csrf(client))
        assert response.status_code == 422
        assert response.json()["detail"]["errors"][0]["field"] in ("file", "file.file")

    @pytest.mark.parametrize(
        ("content", "code", "status"),
        [
            (b"\x89PNG\r\n\x1a\n" + b"\x00" * 64, "format_unknown", 422),
            (b"", "file_empty", 422),
            (b"nom;lon;lat\nMus\x81e;5,72;45,18\n\x9d", "encoding_invalid", 422),
        ],
    )
    def test_hostile_uploads_are_refused_naming_the_problem(self, people, content, code, status):
        client = client_for(people.correspondent)
        with assert_nothing_written():
            response = send_file(client, base(people), content, "x.csv")
        assert response.status_code == status
        assert response.json()["code"] == code

    def test_a_file_over_the_limit_is_413(self, people, settings):
        settings.FACILITY_IMPORT_MAX_BYTES = 100
        client = client_for(people.correspondent)
        with assert_nothing_written():
            response = send_file(client, base(people), csv_bytes(standard_rows()), "x.csv")
        assert (response.status_code, response.json()["code"]) == (413, "file_too_large")

    def test_preview_with_unknown_columns_or_missing_fields_is_422(self, people, gpkg):
        client = client_for(people.correspondent)
        record_id = send_file(client, base(people), gpkg).json()["id"]
        url = f"{base(people)}/{record_id}/preview"
        with assert_nothing_written():
            unknown = send(client, url, {"mapping": {"name": "pas_une_colonne"}})
            missing = send(client, url, {"mapping": {"category": "categorie"}})
            bad_field = send(client, url, {"mapping": {"colour": "nom"}})
        assert (unknown.status_code, unknown.json()["code"]) == (422, "mapping_invalid")
        assert (missing.status_code, missing.json()["code"]) == (422, "columns_missing")
        assert missing.json()["detail"]["missing"] == ["name"]
        assert bad_field.json()["code"] == "mapping_invalid"

    def test_confirm_before_preview_is_409(self, people, gpkg):
        client = client_for(people.correspondent)
        record_id = send_file(client, base(people), gpkg).json()["id"]
        with assert_nothing_written():
            response = send(client, f"{base(people)}/{record_id}/confirm")
        assert (response.status_code, response.json()["code"]) == (409, "facility_import_wrong_state")


class TestPermissions:
    def routes(self, people, record_id):
        url = f"{base(people)}/{record_id}"
        return [
            ("upload", "post_file", base(people)),
            ("list", "get", base(people)),
            ("status", "get", url),
            ("preview", "get", f"{url}/preview"),
            ("preview", "post", f"{url}/preview"),
            ("confirm", "post", f"{url}/confirm"),
        ]

    def test_every_route_is_404_for_every_other_actor_and_401_anonymous(self, people, gpkg):
        record = services.facility_import_upload(
            actor=people.correspondent, organisation_id=people.organisation.pk, upload=upload(gpkg)
        )
        services.facility_import_preview(actor=people.correspondent, facility_import=record)
        actors = {name: client_for(user) for name, user in people.others.items()}
        actors["anonymous"] = Client()
        for actor, client in actors.items():
            for name, method, url in self.routes(people, record.pk):
                with assert_nothing_written():
                    if method == "post_file":
                        response = send_file(client, url, gpkg)
                    elif method == "post":
                        response = send(client, url)
                    else:
                        response = client.get(url)
                expected = 401 if actor == "anonymous" else 404
                assert response.status_code == expected, (actor, name, response.status_code)
        assert FacilityImport.objects.get().status == ImportStatus.PREVIEWED

    def test_another_employers_import_id_is_404_even_for_its_own_correspondent_path(
        self, people, world, gpkg
    ):
        record = services.facility_import_upload(
            actor=people.correspondent, organisation_id=people.organisation.pk, upload=upload(gpkg)
        )
        client = client_for(world.other_correspondent)
        response = client.get(
            f"/api/v1/organisations/{world.other_organisation.pk}/facility-imports/{record.pk}"
        )
        assert response.status_code == 404
