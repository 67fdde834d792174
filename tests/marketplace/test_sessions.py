"""Sessions read through the cache (marketplace.core.sessions) stay invalidated exactly as before: logout,
password change and erasure; and a logout made while Redis is unreachable is not undone by its return."""

import os
import signal

import pytest
import redis
from django.conf import settings
from django.contrib.sessions.models import Session
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from redis.backoff import NoBackoff
from redis.retry import Retry

from marketplace.accounts.models import User
from marketplace.accounts.services import user_delete
from marketplace.core.cache import ResilientRedisCache
from marketplace.core.sessions import CACHE_SECONDS, SessionStore
from tests.factories.accounts import UserFactory
from tests.processes import RedisServer

PASSWORD = "motdepasse-solide-42"
pytestmark = pytest.mark.django_db


def _signed_in() -> tuple[Client, Client, User]:
    """A signed-in client and a second client holding a copy of its session cookie (another tab, or a thief)."""
    user = UserFactory(password=PASSWORD)
    client = Client()
    client.force_login(user)
    copy = Client()
    copy.cookies[settings.SESSION_COOKIE_NAME] = client.cookies[settings.SESSION_COOKIE_NAME].value
    assert copy.get("/api/v1/me").status_code == 200
    return client, copy, user


def test_the_engine_is_the_cached_store_and_a_signed_in_request_reads_no_session_row():
    assert settings.SESSION_ENGINE == "marketplace.core.sessions"
    client, _copy, _user = _signed_in()
    with CaptureQueriesContext(connection) as queries:
        assert client.get("/api/v1/me").status_code == 200
    assert not [q for q in queries.captured_queries if "django_session" in q["sql"]]
    assert [q for q in queries.captured_queries if "accounts_user" in q["sql"]]  # the user: read each time


def test_logout_ends_the_session_for_every_holder_of_the_cookie():
    client, copy, _user = _signed_in()
    key = client.cookies[settings.SESSION_COOKIE_NAME].value
    assert client.post("/comptes/deconnexion/").status_code == 302
    assert copy.get("/api/v1/me").status_code == 401
    assert not Session.objects.filter(session_key=key).exists()
    assert SessionStore(key).load() == {}


def test_a_password_change_ends_the_other_sessions():
    client, copy, account = _signed_in()
    account.set_password("un-autre-mot-de-passe-99")
    account.save()
    assert copy.get("/api/v1/me").status_code == 401
    assert client.get("/api/v1/me").status_code == 401


def test_erasure_ends_the_session_for_every_holder_of_the_cookie():
    client, copy, account = _signed_in()
    user_delete(actor=account, password=PASSWORD)
    assert copy.get("/api/v1/me").status_code == 401
    assert client.get("/api/v1/me").status_code == 401


@pytest.fixture
def redis_server():
    server = RedisServer().start()
    try:
        yield server
    finally:
        if server.proc is not None:
            os.kill(server.proc.pid, signal.SIGCONT)
        server.remove()


def _cache(url: str) -> ResilientRedisCache:
    """One web process's view of the shared cache (its own fallback), as settings.CACHES configures it."""
    options = {"socket_connect_timeout": 0.5, "socket_timeout": 0.5, "retry": Retry(NoBackoff(), 0)}
    return ResilientRedisCache(url, {"KEY_PREFIX": "cache", "OPTIONS": options})


def _store(cache: ResilientRedisCache, key: str | None = None) -> SessionStore:
    store = SessionStore(key)
    store._cache = cache
    return store


def test_a_logout_during_a_redis_outage_is_not_undone_when_redis_returns(redis_server, monkeypatch):
    monkeypatch.setattr("marketplace.core.cache.RETRY_AFTER", 0.0)
    process_a, process_b = _cache(redis_server.url), _cache(redis_server.url)
    user = UserFactory()
    created = _store(process_a)
    created["_auth_user_id"] = str(user.pk)
    created.create()
    key = created.session_key
    assert key is not None
    assert _store(process_b, key).load()["_auth_user_id"] == str(user.pk)
    with CaptureQueriesContext(connection) as queries:
        assert _store(process_b, key).load()["_auth_user_id"] == str(user.pk)
    assert not queries.captured_queries  # read from Redis
    assert process_b.get_shared(_store(process_b, key).cache_key) is not None

    assert redis_server.proc is not None
    os.kill(redis_server.proc.pid, signal.SIGSTOP)  # Redis stops answering
    _store(process_a, key).flush()  # the logout, handled by process A: the row goes, Redis is unreachable
    assert not Session.objects.filter(session_key=key).exists()
    assert process_a._pending_deletes  # kept for Redis's return
    # Meanwhile process B does not answer from its own copy: the database says the session is gone.
    assert _store(process_b, key).load() == {}

    os.kill(redis_server.proc.pid, signal.SIGCONT)  # Redis is back, still holding the session
    assert process_a.get("anything") is None  # process A's next call replays its deletion first
    assert _store(process_b, key).load() == {}
    assert process_b.get_shared(_store(process_b, key).cache_key) is None


def test_a_cached_copy_lives_a_bounded_time(redis_server):
    cache = _cache(redis_server.url)
    store = _store(cache)
    store["x"] = 1
    store.create()
    ttl = redis.Redis.from_url(redis_server.url).ttl(cache.make_and_validate_key(store.cache_key))
    assert 0 < ttl <= CACHE_SECONDS < settings.SESSION_COOKIE_AGE
