"""Hostile input: helpers shared by the tests that send what no honest client sends."""

import json
from typing import Any

import pytest
from django.apps import apps
from django.test import Client

PROJECT_APPS = {
    "accounts",
    "organisations",
    "audit",
    "geo",
    "exchanges",
    "local_offers",
    "messaging",
    "notifications",
    "core",
}


def row_counts() -> dict[str, int]:
    """How many rows every table of the project holds: a refused request must leave them all unchanged."""
    return {
        model._meta.label: model._default_manager.count()
        for model in apps.get_models()
        if model._meta.app_label in PROJECT_APPS and not model._meta.proxy
    }


def logged(user: Any = None) -> Client:
    client = Client(raise_request_exception=False)
    if user is not None:
        client.force_login(user)
    return client


def send_json(
    client: Client, method: str, url: str, data: Any, content_type: str = "application/json"
) -> Any:
    body = data if isinstance(data, (bytes, str)) else json.dumps(data)
    return getattr(client, method)(url, body, content_type=content_type)


def assert_envelope(response: Any, status: int, code: str | None = None) -> dict[str, Any]:
    assert response.status_code == status, response.content[:300]
    body = response.json()
    assert set(body) == {"code", "message", "detail"}
    assert body["message"]
    if code is not None:
        assert body["code"] == code
    return dict(body)


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Rate-limit counters live in the cache: each test starts with none."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()
