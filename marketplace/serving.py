"""How Django serves HTTP under the ASGI server: the middleware chain and the view in one worker thread.

Django's own ASGIHandler runs an asynchronous middleware chain; with sync-only middleware (ours, and every
MiddlewareMixin one) and sync views it moves between the event loop and a worker thread several times per
request (into the chain, back out for the handler, in again for CSRF's process_view and for the view),
about a millisecond on this machine for a trivial call (bench/http_floor.py). This handler builds the chain
in sync mode and runs request → middleware → view → response in a single hop. Websockets are untouched
(Channels, marketplace/asgi.py); an async view, if one ever comes, still works (Django adapts it).
"""

from typing import Any

from asgiref.sync import sync_to_async
from django.core.handlers.asgi import ASGIHandler
from django.http import HttpRequest, HttpResponseBase


class OneThreadASGIHandler(ASGIHandler):
    def load_middleware(self, is_async: bool = False) -> None:
        super().load_middleware(is_async=False)

    async def get_response_async(self, request: HttpRequest) -> HttpResponseBase:
        # thread_sensitive: the same thread as Django's other sync work, so the request's database
        # connection is the one request_finished closes (returns to the pool).
        response: Any = await sync_to_async(self.get_response, thread_sensitive=True)(request)
        return response
