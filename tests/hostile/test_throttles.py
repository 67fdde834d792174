"""Where guessing or hammering pays: a 429 with Retry-After (the envelope or the page), shared by the API and
the pages; and the client address for per-IP limits is believed from X-Forwarded-For only via our proxy."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client, override_settings
from PIL import Image

from marketplace import images
from marketplace.accounts.models import User
from marketplace.core.throttle import RATES
from marketplace.organisations.models import StaffInvitation
from tests.hostile.conftest import assert_envelope, logged, row_counts, send_json


def png(width: int, height: int) -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("1", (width, height)).save(buffer, format="PNG", optimize=True)
    return SimpleUploadedFile("photo.png", buffer.getvalue(), content_type="image/png")


class TestAccountDeletion:
    def test_password_guesses_are_limited_across_api_and_page(self, world):
        client = logged(world.agent)
        limit, _period = RATES["account_delete"]
        for attempt in range(limit):
            if attempt % 2:
                assert client.post("/comptes/profil/suppression/", {"password": "faux"}).status_code == 422
            else:
                response = send_json(client, "post", "/api/v1/me/delete", {"password": "faux"})
                assert response.status_code == 403 or response.status_code == 422
        api = send_json(client, "post", "/api/v1/me/delete", {"password": "faux"})
        assert_envelope(api, 429, "too_many_requests")
        assert int(api["Retry-After"]) > 0
        page = client.post("/comptes/profil/suppression/", {"password": "faux"})
        assert page.status_code == 429
        assert int(page["Retry-After"]) > 0
        assert User.objects.filter(pk=world.agent.pk).exists()

    def test_another_person_is_not_limited(self, world):
        client = logged(world.agent)
        for _ in range(RATES["account_delete"][0] + 1):
            send_json(client, "post", "/api/v1/me/delete", {"password": "faux"})
        other = send_json(logged(world.stranger), "post", "/api/v1/me/delete", {"password": "faux"})
        assert other.status_code != 429


class TestStaffInvitations:
    def test_invitations_are_limited_across_api_and_page(self, world):
        client = logged(world.correspondent)
        limit, _period = RATES["staff_invite"]
        url = f"/api/v1/organisations/{world.organisation.pk}/staff"
        for index in range(limit):
            response = send_json(client, "post", url, {"email": f"p{index}@example.fr", "role": "desk"})
            assert response.status_code == 201, response.content
        before = row_counts()
        refused = send_json(client, "post", url, {"email": "plus@example.fr", "role": "desk"})
        assert_envelope(refused, 429, "too_many_requests")
        page = client.post(
            f"/correspondant/{world.organisation.pk}/equipe/", {"email": "page@example.fr", "role": "desk"}
        )
        assert page.status_code == 429
        assert row_counts() == before
        assert not StaffInvitation.objects.filter(email__in=["plus@example.fr", "page@example.fr"]).exists()


class TestAvatar:
    def test_uploads_are_limited(self, world):
        client = logged(world.agent)
        for _ in range(RATES["avatar"][0]):
            assert client.post("/api/v1/me/avatar", {"avatar": png(8, 8)}).status_code == 200
        assert_envelope(client.post("/api/v1/me/avatar", {"avatar": png(8, 8)}), 429)
        assert client.post("/comptes/profil/photo/", {"avatar": png(8, 8)}).status_code == 429

    def test_too_many_pixels_are_refused_before_decoding(self, world):
        before = row_counts()
        # 6300 × 6300 is what took 1.5 s and ~350 MB to decode; its file is tiny.
        response = logged(world.agent).post("/api/v1/me/avatar", {"avatar": png(6300, 6300)})
        body = assert_envelope(response, 422)
        assert body["detail"]["errors"][0]["field"] == "avatar"
        assert row_counts() == before

    def test_concurrent_decodes_are_bounded(self, world, monkeypatch):
        monkeypatch.setattr(images, "DECODE_WAIT", 0.1)
        held = [images._DECODES.acquire(timeout=1) for _ in range(images.CONCURRENT_DECODES)]
        try:
            assert all(held)
            response = logged(world.agent).post("/api/v1/me/avatar", {"avatar": png(8, 8)})
            assert_envelope(response, 429)
        finally:
            for _ in held:
                images._DECODES.release()
        world.agent.refresh_from_db()
        assert not world.agent.avatar


class TestClientAddress:
    def login_failures(self, forwarded_for: str, remote: str = "203.0.113.9") -> int:
        """How many failed logins from ever-changing forwarded addresses get through before the IP limit."""
        client = Client(REMOTE_ADDR=remote)
        for attempt in range(15):
            response = client.post(
                "/comptes/connexion/",
                {"login": f"personne{attempt}@example.fr", "password": "faux"},
                HTTP_X_FORWARDED_FOR=forwarded_for.format(n=attempt),
            )
            if response.status_code == 429 or "Trop de tentatives" in response.content.decode():
                return attempt
        return 15

    @pytest.mark.django_db
    def test_a_client_cannot_change_its_address_with_x_forwarded_for(self):
        assert self.login_failures("198.51.100.{n}") == 10

    @pytest.mark.django_db
    @override_settings(TRUSTED_PROXIES=["10.0.0.0/8"])
    def test_nor_through_our_proxy(self):
        # nginx appends the address it saw to what the client sent: the last untrusted one is the client.
        assert self.login_failures("198.51.100.{n}, 203.0.113.50", remote="10.0.0.7") == 10

    @pytest.mark.django_db
    @override_settings(TRUSTED_PROXIES=["10.0.0.0/8"])
    def test_behind_our_proxy_each_client_has_its_own_count(self):
        assert self.login_failures("203.0.113.{n}", remote="10.0.0.7") == 15


def test_the_compose_stack_believes_forwarded_addresses_from_its_proxy_only():
    from pathlib import Path

    import yaml

    root = Path(__file__).resolve().parents[2]
    compose = yaml.safe_load((root / "docker-compose.yml").read_text())
    services = compose["services"]
    proxy_address = services["proxy"]["networks"]["default"]["ipv4_address"]
    for name in ("web1", "web2"):
        assert "--proxy-headers" not in services[name]["command"]  # daphne would trust the first address
        assert services[name]["environment"]["TRUSTED_PROXIES"] == proxy_address
