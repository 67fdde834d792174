import contextlib
import ipaddress
import logging
import re
import time
import uuid
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.exceptions import RequestDataTooBig, SuspiciousOperation, TooManyFieldsSent
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.http.multipartparser import MultiPartParserError
from django.shortcuts import render
from django.utils.translation import gettext as _

from marketplace.errors import BadRequest, DomainError, InvalidField, PayloadTooLarge, UriTooLong
from marketplace.inputs import control_character_in

logger = logging.getLogger("marketplace.request")

# A request id from a client or a proxy is logged as is only when it cannot forge other log fields.
_SAFE_REQUEST_ID = re.compile(r"^[A-Za-z0-9._:-]{1,64}$")


class RequestLogMiddleware:
    """One log line per request: method, route, status and duration.

    No personal data: no IP, no user, no query string (searches can name a person or a place),
    only the resolved route pattern when there is one, so ids in paths are not logged either.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        started = time.perf_counter()
        given = request.headers.get("X-Request-Id", "")
        request_id = given if _SAFE_REQUEST_ID.match(given) else uuid.uuid4().hex
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


def error_response(request: HttpRequest, error: DomainError) -> HttpResponse:
    """The answer to a refused request before any view runs: the API's envelope, or the HTML error page."""
    if request.path.startswith("/api/"):
        response: HttpResponse = JsonResponse(error.as_dict(), status=error.http_status)
    else:
        response = render(
            request,
            "frontend/error.html",
            {"error": error, "status": error.http_status},
            status=error.http_status,
        )
    retry_after = getattr(error, "retry_after", None)
    if retry_after is not None:
        response["Retry-After"] = str(retry_after)
    return response


def _refused_character(field: str, value: str) -> InvalidField:
    char = control_character_in(value)
    return InvalidField(
        field, _("Caractère interdit (U+%(code)04X) : supprimez-le.") % {"code": ord(char or "\0")}
    )


class InputGuardMiddleware:
    """Every request's text is checked once, before any view reads it: no view, form or query ever sees a
    NUL byte or another control character (PostgreSQL refuses NUL in text: that was a 500), and the limits
    of Django's parsers (size, number of fields and files, malformed multipart) answer a 4xx naming the
    problem, on the API (the envelope) as on the pages.

    JSON bodies are checked by the API's parser (marketplace/api.py), which knows the field names.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        try:
            self._check(request)
        except DomainError as error:
            return error_response(request, error)
        return self.get_response(request)

    def _check(self, request: HttpRequest) -> None:
        if len(request.get_full_path()) > settings.MAX_URL_LENGTH:
            raise UriTooLong(
                _("L'adresse demandée est trop longue (%(max)d caractères au plus).")
                % {"max": settings.MAX_URL_LENGTH}
            )
        if control_character_in(request.path):
            raise BadRequest(_("L'adresse contient un caractère interdit."))
        try:
            query = request.GET  # parsed here: over DATA_UPLOAD_MAX_NUMBER_FIELDS raises TooManyFieldsSent
        except TooManyFieldsSent as error:
            raise BadRequest(
                _("Trop de paramètres dans l'adresse (%(max)d au plus).")
                % {"max": settings.DATA_UPLOAD_MAX_NUMBER_FIELDS}
            ) from error
        self._check_fields(query.lists())
        if request.method in ("GET", "HEAD", "OPTIONS"):
            return
        try:
            if request.content_type in ("multipart/form-data", "application/x-www-form-urlencoded"):
                self._check_fields(request.POST.lists())
                for field, files in request.FILES.lists():
                    for upload in files:
                        name = upload.name or ""
                        if len(name) > 255 or control_character_in(name):
                            raise InvalidField(field, _("Nom de fichier invalide (255 caractères au plus)."))
            else:
                request.body  # noqa: B018  (read now, within the size limit, so its errors are answered here)
        except RequestDataTooBig as error:
            raise PayloadTooLarge(
                _("La requête dépasse %(size)d Ko (hors fichiers joints).")
                % {"size": settings.DATA_UPLOAD_MAX_MEMORY_SIZE // 1024}
            ) from error
        except TooManyFieldsSent as error:
            raise BadRequest(
                _("Trop de champs dans le formulaire (%(max)d au plus).")
                % {"max": settings.DATA_UPLOAD_MAX_NUMBER_FIELDS}
            ) from error
        except (MultiPartParserError, SuspiciousOperation, UnicodeDecodeError) as error:
            # TooManyFilesSent, a missing or bad boundary, a truncated body…
            raise BadRequest(_("Le formulaire envoyé est mal formé.")) from error

    @staticmethod
    def _check_fields(fields: Any) -> None:
        for field, values in fields:
            if control_character_in(field):
                raise BadRequest(_("Un nom de champ contient un caractère interdit."))
            for value in values:
                if isinstance(value, str) and control_character_in(value):
                    raise _refused_character(field, value)


def _networks(entries: list[str]) -> list[ipaddress.IPv4Network | ipaddress.IPv6Network]:
    return [ipaddress.ip_network(entry, strict=False) for entry in entries]


def is_trusted_proxy(address: str) -> bool:
    """Is `address` one of settings.TRUSTED_PROXIES (whose forwarded headers are believed)?"""
    try:
        ip = ipaddress.ip_address(address.strip())
    except ValueError:
        return False
    return any(ip in network for network in _networks(settings.TRUSTED_PROXIES))


class TrustedProxyMiddleware:
    """REMOTE_ADDR is the client's address, taken from X-Forwarded-For only when the request comes from a
    proxy of ours (settings.TRUSTED_PROXIES): anybody else can write that header. Rate limits per IP
    (allauth's login limit, ours) read REMOTE_ADDR.

    The proxy appends what it saw to the header; the client is the last address not one of our proxies.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self.trusted = _networks(settings.TRUSTED_PROXIES)

    def _is_trusted(self, address: str) -> bool:
        try:
            ip = ipaddress.ip_address(address.strip())
        except ValueError:
            return False
        return any(ip in network for network in self.trusted)

    def __call__(self, request: HttpRequest) -> HttpResponse:
        forwarded = request.META.pop("HTTP_X_FORWARDED_FOR", "")
        remote = request.META.get("REMOTE_ADDR", "")
        if forwarded and self._is_trusted(remote):
            for address in reversed([a.strip() for a in forwarded.split(",")]):
                if not self._is_trusted(address):
                    with contextlib.suppress(ValueError):  # garbage in the header: keep the proxy's
                        request.META["REMOTE_ADDR"] = str(ipaddress.ip_address(address))
                    break
        return self.get_response(request)
