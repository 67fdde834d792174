from django.urls import path

from marketplace.consumers import EventConsumer

websocket_urlpatterns = [
    path("ws/", EventConsumer.as_asgi()),
]
