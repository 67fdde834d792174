import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from marketplace.accounts.models import User
from tests.accounts.conftest import csrf, jpeg_with_gps
from tests.factories.accounts import PASSWORD, UserFactory
from tests.helpers import assert_nothing_written

pytestmark = pytest.mark.django_db


class TestAuthentication:
    @pytest.mark.parametrize(
        ("method", "url"),
        [
            ("get", "/api/v1/me"),
            ("patch", "/api/v1/me"),
            ("post", "/api/v1/me/avatar"),
            ("get", "/api/v1/me/export"),
            ("post", "/api/v1/me/delete"),
        ],
    )
    def test_anonymous_gets_401_envelope(self, method, url):
        UserFactory()
        with assert_nothing_written():
            response = getattr(Client(), method)(url, content_type="application/json")
        assert response.status_code == 401
        assert response.json()["code"] == "not_authenticated"

    def test_write_without_csrf_token_is_refused(self, logged_client, user):
        with assert_nothing_written():
            response = logged_client.patch(
                "/api/v1/me", {"display_name": "Pirate"}, content_type="application/json"
            )
        assert response.status_code == 403
        user.refresh_from_db()
        assert user.display_name == "Camille Martin"


class TestProfile:
    def test_read_my_profile_only(self, logged_client, user):
        UserFactory(email="other@example.fr")
        body = logged_client.get("/api/v1/me").json()
        assert body == {
            "email": user.email,
            "display_name": "Camille Martin",
            "phone": "0612345678",
            "preferred_language": "fr",
            "avatar_url": None,
        }

    def test_update(self, logged_client, user):
        response = logged_client.patch(
            "/api/v1/me",
            {"display_name": "Camille M.", "preferred_language": "en"},
            content_type="application/json",
            **csrf(logged_client),
        )
        assert response.status_code == 200
        assert response.json()["display_name"] == "Camille M."
        user.refresh_from_db()
        assert user.preferred_language == "en"

    @pytest.mark.parametrize(
        ("payload", "field"),
        [
            ({"email": "pirate@example.fr"}, "email"),
            ({"is_staff": True}, "is_staff"),
            ({"phone": "123"}, "phone"),
            ({"preferred_language": "de"}, "preferred_language"),
            ({"display_name": ""}, "display_name"),
        ],
    )
    def test_bad_or_forbidden_fields_are_422_naming_the_field(self, logged_client, user, payload, field):
        email = user.email
        with assert_nothing_written():
            response = logged_client.patch(
                "/api/v1/me", payload, content_type="application/json", **csrf(logged_client)
            )
        assert response.status_code == 422
        assert field in [e["field"] for e in response.json()["detail"]["errors"]]
        stored = User.objects.get(pk=user.pk)
        assert (stored.email, stored.is_staff, stored.phone, stored.display_name) == (
            email,
            False,
            "0612345678",
            "Camille Martin",
        )

    def test_avatar_upload(self, logged_client, user):
        response = logged_client.post(
            "/api/v1/me/avatar",
            {"avatar": SimpleUploadedFile("moi.jpg", jpeg_with_gps(), "image/jpeg")},
            **csrf(logged_client),
        )
        assert response.status_code == 200
        assert response.json()["avatar_url"].endswith(".jpg")

    def test_bad_avatar_is_422_naming_the_field(self, logged_client, user):
        with assert_nothing_written():
            response = logged_client.post(
                "/api/v1/me/avatar",
                {"avatar": SimpleUploadedFile("moi.jpg", b"not an image", "image/jpeg")},
                **csrf(logged_client),
            )
        assert response.status_code == 422
        assert response.json()["detail"]["errors"][0]["field"] == "avatar"
        user.refresh_from_db()
        assert not user.avatar


class TestExportAndDelete:
    def test_export_is_a_json_attachment_with_my_data(self, logged_client, user):
        response = logged_client.get("/api/v1/me/export")
        assert response.status_code == 200
        assert response["Content-Disposition"].startswith("attachment;")
        data = json.loads(response.content)
        assert data["account"]["email"] == user.email
        assert data["account"]["phone"] == "0612345678"
        assert data["account"]["email_addresses"] == [
            {"email": user.email, "verified": True, "primary": True}
        ]

    def test_delete_needs_the_password(self, logged_client, user):
        with assert_nothing_written():
            response = logged_client.post(
                "/api/v1/me/delete",
                {"password": "faux"},
                content_type="application/json",
                **csrf(logged_client),
            )
        assert response.status_code == 403
        assert response.json()["code"] == "wrong_password"
        assert logged_client.get("/api/v1/me").json()["email"] == user.email  # still there, still logged in

    def test_delete_then_logged_out(self, logged_client, user):
        response = logged_client.post(
            "/api/v1/me/delete",
            {"password": PASSWORD},
            content_type="application/json",
            **csrf(logged_client),
        )
        assert response.status_code == 204
        assert not User.objects.filter(pk=user.pk).exists()
        assert logged_client.get("/api/v1/me").status_code == 401
