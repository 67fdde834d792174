"""Every URL pattern of the site (pages, API, admin: walked from the resolver, so a new one is covered the
day it is added) with hostile values in its path, its query string and its body, for GET and POST, anonymous
and logged in: no answer is a 5xx."""

import re
from typing import Any

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

from tests.hostile.conftest import logged

# Minutes on 2 cores: in `make test` (and CI), not in `make check`.
pytestmark = pytest.mark.sweep

HOSTILE_TEXT = ["\x00", "²²²²²²²²²", "１２３", "\u202eevil\u202c", "x" * 3000]
HOSTILE_IDS = ["0", "-1", "99999999999999999999", "2147483648"]
HOSTILE_QUERY = {
    "q": "vi\x00lle",
    "next": "//evil.example/\x00",
    "org": "99999999999999999999",
    "id": "-1",
    "cursor": "\u202e²²",
    "limit": "99999999999999999999",
    "sort": "\x00",
    "page": "-1",
}
HOSTILE_FORM = {
    "name": "\x00",
    "email": "a@b.fr\r\nBcc: x@example.com",
    "siren": "²²²²²²²²²",
    "comment": "\x00" * 10,
    "display_name": "\u202e\u200b",
    "password": "\x00",
    "decision": "\x00",
    "answer": "\x00",
    "agents_count": "99999999999999999999",
    "next": "javascript:alert(1)",
}
_CONVERTER = re.compile(r"<(?:(?P<converter>[^>:]+):)?(?P<name>[^>]+)>")


def _routes(patterns: list[Any], prefix: str = "") -> list[str]:
    routes: list[str] = []
    for pattern in patterns:
        route = getattr(pattern.pattern, "_route", None)
        if route is None:  # a regular expression: keep its literal prefix, fill the rest below
            route = str(pattern.pattern).lstrip("^").split("(")[0].rstrip("$")
        if isinstance(pattern, URLResolver):
            routes += _routes(pattern.url_patterns, prefix + route)
        elif isinstance(pattern, URLPattern):
            routes.append(prefix + route)
    return sorted(set(routes))


def _fill(route: str, index: int) -> str:
    def value(match: re.Match[str]) -> str:
        if match.group("converter") == "int":
            return HOSTILE_IDS[index % len(HOSTILE_IDS)]
        return HOSTILE_TEXT[index % len(HOSTILE_TEXT)].replace("\x00", "%00")

    return "/" + _CONVERTER.sub(value, route)


def hostile_urls() -> list[str]:
    routes = _routes(get_resolver().url_patterns)
    return sorted({_fill(route, i) for route in routes for i in range(4)})


@pytest.mark.parametrize("who", ["anonymous", "agent", "correspondent", "officer", "admin"])
def test_no_url_answers_a_server_error(world, who):
    client = logged(None if who == "anonymous" else getattr(world, who))
    urls = hostile_urls()
    assert len(urls) > 100
    failures = []
    for url in urls:
        requests: list[tuple[str, dict[str, Any]]] = [
            ("get", {"data": HOSTILE_QUERY}),
            ("post", {"data": HOSTILE_FORM}),
            ("post", {"data": '{"name": "a", "name": "\\u0000"}', "content_type": "text/plain"}),
            ("post", {"data": b"--x\r\n", "content_type": "multipart/form-data"}),
        ]
        for method, kwargs in requests:
            response = getattr(client, method)(url, **kwargs)
            if response.status_code >= 500:
                failures.append((method, url, kwargs.get("content_type", ""), response.status_code))
    assert failures == []
