"""How Django serves HTTP under the ASGI server: the middleware chain and the view in one worker thread.

Django's own ASGIHandler runs an asynchronous middleware chain; with sync-only middleware (ours, and every
MiddlewareMixin one) and sync views it moves between the event loop and a worker thread several times per
request (into the chain, back out for the handler, in again for CSRF's process_view and for the view),
about a millisecond on this machine for a trivial call (bench/http_floor.py). This handler builds the chain
in sync mode and runs request_started's receivers (closing stale database connections), then request →
middleware → view → response, in a single hop (Django's handler sends request_started from the loop
through a hop of its own first). Websockets are untouched (Channels, marketplace/asgi.py); an async view,
if one ever comes, still works (Django adapts it).
"""

import asyncio
import contextlib
import gc
import os
from typing import Any

from asgiref.sync import sync_to_async
from django.core import signals
from django.core.exceptions import RequestAborted
from django.core.handlers.asgi import ASGIHandler, get_script_prefix
from django.http import FileResponse, HttpRequest, HttpResponseBase
from django.urls import set_script_prefix


def tune_gc() -> None:
    """Python's cyclic garbage collector, tuned for a server of long-lived objects (WEB_GC=default keeps
    Python's own settings): what start-up loaded is frozen out of its walks, and the youngest generation is
    collected every 20,000 allocations instead of 700. bench/messaging.py: with a thousand open sockets, the
    collections cost the process a good share of its CPU under load (the sockets' objects walked again and
    again); and a full collection walks the start-up's ~200,000 objects, a pause of tens of milliseconds in
    the middle of whichever request allocated enough to set it off (timed by hand for the matching's search).
    Called once start-up is done (marketplace.asgi), and by the benchmarks that time what the web process
    serves."""
    if os.environ.get("WEB_GC", "tuned") != "default":
        gc.freeze()
        gc.set_threshold(20_000, 50, 100)


class OneThreadASGIHandler(ASGIHandler):
    def load_middleware(self, is_async: bool = False) -> None:
        super().load_middleware(is_async=False)

    def _started_then_response(self, request: HttpRequest) -> HttpResponseBase:
        signals.request_started.send(sender=self.__class__, scope=request.scope)  # type: ignore[attr-defined]
        return self.get_response(request)

    async def get_response_async(self, request: HttpRequest) -> HttpResponseBase:
        # thread_sensitive: the same thread as Django's other sync work, so the request's database
        # connection is the one request_finished closes (returns to the pool).
        response: Any = await sync_to_async(self._started_then_response, thread_sensitive=True)(request)
        return response

    async def handle(self, scope: Any, receive: Any, send: Any) -> None:
        """Django's ASGIHandler.handle (5.2), but for request_started, sent in the request's one hop
        (`get_response_async`) rather than from the loop before it."""
        try:
            body_file = await self.read_body(receive)
        except RequestAborted:
            return
        set_script_prefix(get_script_prefix(scope))
        request, error_response = self.create_request(scope, body_file)
        if request is None:
            assert error_response is not None
            await signals.request_started.asend(sender=self.__class__, scope=scope)
            body_file.close()
            await self.send_response(error_response, send)
            await sync_to_async(error_response.close)()
            return

        async def process_request(request: HttpRequest, send: Any) -> HttpResponseBase:
            response = await self.get_response_async(request)
            response._handler_class = self.__class__  # type: ignore[attr-defined]
            if isinstance(response, FileResponse):
                response.block_size = self.chunk_size
            # A client gone while the response is sent: nothing more to do.
            with contextlib.suppress(asyncio.CancelledError):
                await self.send_response(response, send)
            return response

        # A disconnect while the response is being made cancels it (as Django's handler does).
        listening = asyncio.create_task(self.listen_for_disconnect(receive))
        processing = asyncio.create_task(process_request(request, send))
        tasks: list[asyncio.Task[Any]] = [listening, processing]
        await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
        for task in tasks:
            if task.done():
                try:
                    task.result()
                except RequestAborted:
                    pass
                except AssertionError:
                    body_file.close()
                    raise
            else:
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task
        try:
            response = processing.result()
        except asyncio.CancelledError:
            await signals.request_finished.asend(sender=self.__class__)
        else:
            await sync_to_async(response.close)()
        body_file.close()
