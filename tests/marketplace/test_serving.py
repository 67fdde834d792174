"""HTTP through the ASGI application as the server runs it (marketplace.asgi): one worker-thread hop per
request, the same answers as Django's own handler, and connections returned after each request."""

import asyncio
import gc
import json
import threading
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from asgiref.sync import SyncToAsync
from channels.testing import HttpCommunicator
from django.conf import settings
from django.core.signals import request_started
from django.db import connection
from django.test import Client

from marketplace.accounts.models import User
from marketplace.asgi import django_asgi_app
from marketplace.serving import OneThreadASGIHandler, tune_gc

pytestmark = pytest.mark.django_db(transaction=True)


def call(method: str, path: str, *, body: bytes = b"", headers: list | None = None) -> Any:
    async def scenario() -> Any:
        communicator = HttpCommunicator(
            django_asgi_app, method, path, body=body, headers=[(b"host", b"localhost"), *(headers or [])]
        )
        response = await communicator.get_response(timeout=20)
        await communicator.wait(timeout=20)  # the handler ends the request (request_finished) by itself
        return response

    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, scenario()).result(timeout=60)


def test_the_middleware_chain_is_built_for_one_thread():
    assert isinstance(django_asgi_app, OneThreadASGIHandler)
    assert not asyncio.iscoroutinefunction(django_asgi_app._middleware_chain)  # type: ignore[attr-defined]


def test_two_hops_per_request_with_request_started_in_the_first(territories, monkeypatch):
    """Into a worker thread once for the request (request_started's receivers, closing stale connections,
    then the middleware and the view), once more after the response is sent (closing it: request_finished);
    Django's own handler sends request_started through a hop of its own before (three)."""
    hops: list[str] = []
    started: list[int] = []
    chain: list[int] = []
    hop = SyncToAsync.__call__

    async def counted(self: SyncToAsync, *args: Any, **kwargs: Any) -> Any:
        hops.append(getattr(self.func, "__name__", "?"))
        return await hop(self, *args, **kwargs)

    def on_started(**kwargs: Any) -> None:
        started.append(threading.get_ident())

    get_response = django_asgi_app.get_response

    def recorded(request: Any) -> Any:
        chain.append(threading.get_ident())
        return get_response(request)

    monkeypatch.setattr(SyncToAsync, "__call__", counted)
    monkeypatch.setattr(django_asgi_app, "get_response", recorded)
    request_started.connect(on_started)
    try:
        for _ in range(3):
            assert call("GET", "/api/v1/geo/regions")["status"] == 200
    finally:
        request_started.disconnect(on_started)
    assert len(hops) == 6, hops
    assert started == chain
    assert len(chain) == 3


def test_answers_errors_and_csrf_as_usual(territories):
    ok = call("GET", "/api/v1/geo/regions")
    assert ok["status"] == 200
    assert len(json.loads(ok["body"])["items"]) == 18
    assert call("GET", "/api/v1/geo/departements/x")["status"] == 422
    assert call("GET", "/api/v1/nowhere")["status"] == 404
    # A page behind login redirects; a POST without a CSRF token is refused by the middleware.
    assert call("GET", "/logements/")["status"] == 302
    user = User.objects.create_user(email="agent@example.fr", password="un-mot-de-passe-solide")
    client = Client()
    client.force_login(user)
    cookie = f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}"
    page = call("GET", "/logements/", headers=[(b"cookie", cookie.encode())])
    assert page["status"] == 200
    assert "Chercher un échange".encode() in page["body"]
    refused = call(
        "POST",
        "/mon-logement/",
        body=b"title=x",
        headers=[(b"cookie", cookie.encode()), (b"content-type", b"application/x-www-form-urlencoded")],
    )
    assert refused["status"] == 403


def test_database_connections_are_returned_after_each_request(territories):
    def backends() -> int:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()"
            )
            return int(cursor.fetchone()[0])

    for _ in range(3):
        call("GET", "/api/v1/geo/regions")
    before = backends()
    for _ in range(30):
        assert call("GET", "/api/v1/geo/regions")["status"] == 200
    assert backends() <= before


@pytest.fixture
def gc_restored():
    """The test process's own collector settings, put back after a test that tunes them."""
    threshold = gc.get_threshold()
    yield
    gc.unfreeze()
    gc.set_threshold(*threshold)


@pytest.mark.parametrize("setting", ["tuned", "default"])
def test_the_web_process_freezes_its_start_up_objects_unless_told_not_to(gc_restored, monkeypatch, setting):
    gc.unfreeze()
    gc.set_threshold(700, 10, 10)
    monkeypatch.setenv("WEB_GC", setting)
    tune_gc()
    if setting == "tuned":
        assert gc.get_freeze_count() > 10_000  # Django and the apps, out of every collection's walk
        assert gc.get_threshold() == (20_000, 50, 100)
    else:
        assert gc.get_freeze_count() == 0
        assert gc.get_threshold() == (700, 10, 10)
