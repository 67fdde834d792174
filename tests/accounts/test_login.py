import pytest
from django.core import mail
from django.test import Client

from tests.factories.accounts import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db


def test_failed_logins_are_rate_limited_per_account():
    UserFactory(email="target@example.fr")
    client = Client()

    def attempt(password: str) -> str:
        return client.post(
            "/comptes/connexion/", {"login": "target@example.fr", "password": password}
        ).content.decode()

    for _ in range(5):
        assert "mot de passe sont incorrects" in attempt("wrong")
    assert "Trop de tentatives de connexion" in attempt("wrong")
    # Even the right password is refused while the limit holds.
    assert "Trop de tentatives de connexion" in attempt(PASSWORD)
    assert client.get("/comptes/profil/").status_code == 302


def test_unverified_address_cannot_log_in_and_gets_a_verification_mail():
    UserFactory(email="new@example.fr", verified=False)
    response = Client().post("/comptes/connexion/", {"login": "new@example.fr", "password": PASSWORD})
    assert response.status_code == 302
    assert response["Location"].startswith("/comptes/confirm-email/")
    assert mail.outbox[-1].to == ["new@example.fr"]


def test_session_key_rotates_at_login():
    UserFactory(email="rotate@example.fr")
    client = Client()
    client.get("/comptes/connexion/")
    client.session.save()
    before = client.session.session_key
    client.post("/comptes/connexion/", {"login": "rotate@example.fr", "password": PASSWORD})
    assert client.session.session_key != before
    assert client.get("/comptes/profil/").status_code == 200


def test_preferred_language_is_applied_after_login():
    UserFactory(email="en@example.fr", preferred_language="en")
    client = Client()
    client.post("/comptes/connexion/", {"login": "en@example.fr", "password": PASSWORD})
    assert '<html lang="en">' in client.get("/").content.decode()
