import logging
import time
import uuid
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

logger = logging.getLogger("marketplace.request")


class RequestLogMiddleware:
    """One log line per request: method, route, status and duration.

    No personal data: no IP, no user, no query string (searches can name a person or a place),
    only the resolved route pattern when there is one, so ids in paths are not logged either.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        started = time.perf_counter()
        request_id = request.headers.get("X-Request-Id", "")[:64] or uuid.uuid4().hex
        response = self.get_response(request)
        match = getattr(request, "resolver_match", None)
        route = f"/{match.route}" if match and match.route else "(unresolved)"
        logger.info(
            "request",
            extra={
                "request_id": request_id,
                "method": request.method,
                "route": route,
                "status": response.status_code,
                "duration_ms": round((time.perf_counter() - started) * 1000, 1),
            },
        )
        response["X-Request-Id"] = request_id
        return response


class FrenchFirstMiddleware:
    """Réciproque speaks French unless the person chose otherwise (language switch or profile).

    The browser's Accept-Language is not such a choice: a French agent on an English-language computer
    must still get French. Placed before LocaleMiddleware, which then sees only the explicit cookie.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request.META.pop("HTTP_ACCEPT_LANGUAGE", None)
        return self.get_response(request)
