from typing import Any

from django.urls import path

from marketplace.consumers import EventConsumer

websocket_urlpatterns: list[Any] = [
    # django-stubs types path() for HTTP views only; Channels reuses it for ASGI applications.
    path("ws/", EventConsumer.as_asgi()),  # type: ignore[arg-type]
]
