from typing import Any

from channels.security.websocket import WebsocketDenier
from django.conf import settings
from django.http.request import split_domain_port, validate_host
from django.urls import path

from marketplace.consumers import EventConsumer
from marketplace.core.middleware import is_trusted_proxy

websocket_urlpatterns: list[Any] = [
    # django-stubs types path() for HTTP views only; Channels reuses it for ASGI applications.
    path("ws/", EventConsumer.as_asgi()),  # type: ignore[arg-type]
]


def origin_allowed(scope: dict[str, Any]) -> bool:
    """The page that opens the socket is ours: its Origin is this very site (scheme, host and port, from the
    Host header of an allowed host) or one of CSRF_TRUSTED_ORIGINS. Channels' AllowedHostsOriginValidator
    compares the host only: http://localhost:9999 passed for http://localhost."""
    headers = {name.lower(): value.decode("latin-1") for name, value in scope.get("headers", [])}
    origin = headers.get(b"origin", "").strip().lower()
    host = headers.get(b"host", "").strip().lower()
    domain, _port = split_domain_port(host)
    if not origin or not domain or not validate_host(domain, settings.ALLOWED_HOSTS):
        return False
    secure = scope.get("scheme") in ("wss", "https")
    client = scope.get("client") or ("", 0)
    if is_trusted_proxy(str(client[0])) and headers.get(b"x-forwarded-proto", "") == "https":
        secure = True  # TLS ends at our proxy
    own = f"{'https' if secure else 'http'}://{host}"
    return origin == own or origin in {o.lower() for o in settings.CSRF_TRUSTED_ORIGINS}


class SameOriginValidator:
    """Refuses the websocket handshake from any other origin (cross-site websocket hijacking)."""

    def __init__(self, application: Any) -> None:
        self.application = application

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> Any:
        if scope["type"] == "websocket" and not origin_allowed(scope):
            return await WebsocketDenier()(scope, receive, send)  # type: ignore[arg-type]
        return await self.application(scope, receive, send)
