"""Every facility route, for every actor: only the correspondents of the facility's employer (and
administrators) act; a published facility is readable by any signed-in person; anything else is a 404 (the
API) with nothing written, and an anonymous visitor is asked to sign in."""

import pytest
from django.test import Client

from tests.factories.local_offers import make_facility
from tests.helpers import assert_nothing_written
from tests.organisations.test_api import client_for

ACTORS = ("agent", "other_correspondent", "desk", "officer", "admin", "anonymous")


def routes(facility, photo, organisation):
    f, o = f"/api/v1/facilities/{facility.pk}", f"/api/v1/organisations/{organisation.pk}"
    return [
        ("get", f, None, "read"),
        ("patch", f, {"name": "Renommé"}, "write"),
        ("post", f"{f}/publish", None, "write"),
        ("post", f"{f}/unpublish", None, "write"),
        ("post", f"{f}/archive", None, "write"),
        ("post", f"{f}/restore", None, "write"),
        ("delete", f, None, "write"),
        ("delete", f"{f}/photos/{photo.pk}", None, "write"),
        ("get", f"{o}/facilities", None, "manage"),
        ("get", f"{o}/facilities/export?format=csv", None, "manage"),
        ("get", f"{o}/structures", None, "manage"),
        ("post", f"{o}/structures", {"name": "SEM", "siret": "73282932000074"}, "manage"),
        ("get", f"/offres/equipements/{facility.pk}/", None, "page-read"),
        ("get", f"/offres/gerer/{facility.pk}/", None, "page-manage"),
        ("post", f"/offres/gerer/{facility.pk}/etat/", {"transition": "archive"}, "page-manage"),
        ("get", f"/offres/gerer/?organisation={organisation.pk}", None, "page-list"),
    ]


def _client(cast, actor):
    if actor == "anonymous":
        client = Client(enforce_csrf_checks=True)
        client.get("/")
        return client
    return client_for(getattr(cast, actor))


def _send(client, method, url, body):
    token = client.cookies["csrftoken"].value if "csrftoken" in client.cookies else ""
    if method == "get":
        return client.get(url)
    if url.startswith("/offres/"):
        return client.post(url, body or {}, HTTP_X_CSRFTOKEN=token)
    return getattr(client, method)(url, body or {}, content_type="application/json", HTTP_X_CSRFTOKEN=token)


@pytest.fixture
def facilities(cast, tmp_path):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from local_offers import services
    from tests.accounts.conftest import jpeg_with_gps

    draft = make_facility(cast.correspondent, cast.grenoble, name="Brouillon")
    published = make_facility(cast.correspondent, cast.grenoble, name="Publié", publish=True)
    photos = {
        f.pk: services.photo_add(
            actor=cast.correspondent,
            facility=f,
            upload=SimpleUploadedFile("p.jpg", jpeg_with_gps(), "image/jpeg"),
        )
        for f in (draft, published)
    }
    return {"draft": draft, "published": published, "photos": photos}


@pytest.mark.parametrize("actor", ACTORS)
@pytest.mark.parametrize("which", ["draft", "published"])
def test_every_route_for_every_actor(cast, facilities, actor, which):
    facility = facilities[which]
    client = _client(cast, actor)
    for method, url, body, kind in routes(facility, facilities["photos"][facility.pk], cast.grenoble):
        if actor == "admin":
            continue  # administrators act on everything: checked below
        readable = which == "published" and kind in ("read", "page-read")
        with assert_nothing_written():
            response = _send(client, method, url, body)
        if actor == "anonymous":
            expected = {401} if url.startswith("/api/") else {302}
        else:
            expected = {200} if readable else {404}
        assert response.status_code in expected, (actor, which, method, url, response.status_code)


def test_the_correspondent_and_an_administrator_may_use_every_route(cast, facilities):
    for actor in (cast.correspondent, cast.admin):
        client = client_for(actor)
        for which in ("draft", "published"):
            facility = facilities[which]
            for method, url, body, _kind in routes(
                facility, facilities["photos"][facility.pk], cast.grenoble
            ):
                if method != "get":
                    continue  # writes are exercised by the service and API tests
                response = _send(client, method, url, body)
                assert response.status_code == 200, (actor, method, url, response.status_code)
