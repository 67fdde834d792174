"""The JSON API root: /api/v1/. One error envelope {"code", "message", "detail"} for every failure.

Bodies are JSON only (`Content-Type: application/json`, else 415), without duplicate keys, NaN or control
characters (422 naming the field): `StrictJsonParser`. Every operation documents the error answers it may
give with the envelope's schema (`ReciproqueAPI.get_openapi_schema`), so a new endpoint gets them too.
"""

import json
from typing import Any

from django.db import IntegrityError
from django.http import Http404, HttpRequest, HttpResponse
from django.http.request import RawPostDataException
from django.utils.translation import gettext as _
from ninja import NinjaAPI, Schema
from ninja.errors import AuthenticationError, HttpError, Throttled
from ninja.errors import ValidationError as NinjaValidationError
from ninja.openapi.schema import OpenAPISchema
from ninja.parser import Parser
from ninja.types import DictStrAny

from marketplace.errors import (
    BadRequest,
    DomainError,
    InvalidField,
    TooManyRequests,
    UnsupportedMediaType,
    constraint_message,
)
from marketplace.inputs import control_character_in

JSON_MAX_DEPTH = 32


class ErrorOut(Schema):
    """The one error envelope of the API."""

    code: str
    message: str
    detail: dict[str, Any]


ERROR_STATUSES = {
    400: "Requête mal formée",
    401: "Non connecté",
    403: "Interdit (ou jeton CSRF manquant)",
    404: "Introuvable",
    409: "Conflit avec l'état actuel",
    413: "Requête trop volumineuse",
    414: "Adresse trop longue",
    415: "Type de contenu non accepté (JSON attendu)",
    422: "Données invalides",
    429: "Trop de requêtes",
}


class _DuplicateKey(ValueError):
    def __init__(self, key: str) -> None:
        super().__init__(key)
        self.key = key


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for key, value in pairs:
        if key in result:
            raise _DuplicateKey(key)
        result[key] = value
    return result


def _refuse_constant(name: str) -> Any:
    raise ValueError(name)  # NaN, Infinity: not JSON


def _check_strings(value: Any, path: str = "", depth: int = 0) -> None:
    if depth > JSON_MAX_DEPTH:
        raise BadRequest(_("JSON trop imbriqué (%(max)d niveaux au plus).") % {"max": JSON_MAX_DEPTH})
    if isinstance(value, str):
        if control_character_in(value):
            raise InvalidField(path or "body", _("Caractère de contrôle interdit (NUL…)."))
    elif isinstance(value, dict):
        for key, item in value.items():
            if control_character_in(key):
                raise BadRequest(_("Un nom de champ contient un caractère interdit."))
            _check_strings(item, f"{path}.{key}" if path else key, depth + 1)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            _check_strings(item, f"{path}.{index}" if path else str(index), depth + 1)


class StrictJsonParser(Parser):
    """JSON bodies only; a duplicate key, NaN or a control character is refused, not silently taken."""

    def parse_body(self, request: HttpRequest) -> DictStrAny:
        if request.content_type != "application/json":
            raise UnsupportedMediaType()
        try:
            data = json.loads(request.body, object_pairs_hook=_no_duplicates, parse_constant=_refuse_constant)
        except _DuplicateKey as error:
            raise InvalidField(error.key, _("Ce champ est donné deux fois.")) from error
        except (ValueError, RecursionError) as error:  # JSONDecodeError and UnicodeDecodeError included
            raise BadRequest(_("Le corps de la requête n'est pas du JSON valide.")) from error
        _check_strings(data)
        return data


class ReciproqueAPI(NinjaAPI):
    def get_openapi_schema(
        self, *, path_prefix: str | None = None, path_params: DictStrAny | None = None
    ) -> OpenAPISchema:
        """Every operation documents the error answers, all with the envelope's schema."""
        schema = super().get_openapi_schema(path_prefix=path_prefix, path_params=path_params)
        components = schema.setdefault("components", {}).setdefault("schemas", {})
        components["ErrorOut"] = ErrorOut.model_json_schema()
        reference = {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/ErrorOut"}}}}
        for methods in schema["paths"].values():
            for operation in methods.values():
                responses = operation.setdefault("responses", {})
                for status, description in ERROR_STATUSES.items():
                    responses.setdefault(status, {"description": description, **reference})
        return schema


api = ReciproqueAPI(
    title="Réciproque API",
    version="1",
    urls_namespace="api",
    docs_url="/docs",
    description="Échanges de logements et offres locales entre agents territoriaux.",
    parser=StrictJsonParser(),
)


def envelope(request: HttpRequest, code: str, message: str, status: int, detail: Any = None) -> HttpResponse:
    return api.create_response(
        request, {"code": code, "message": message, "detail": detail or {}}, status=status
    )


@api.exception_handler(DomainError)
def on_domain_error(request: HttpRequest, exc: DomainError) -> HttpResponse:
    response = envelope(request, exc.code, exc.message, exc.http_status, exc.detail)
    if isinstance(exc, TooManyRequests):
        response["Retry-After"] = str(exc.retry_after)
    return response


def _field_name(loc: list[Any]) -> str:
    # ninja locations look like ["query", "lat"] or ["body", "payload", "siren"]: drop the wrappers.
    parts = [str(p) for p in loc if p not in ("query", "body", "path", "form", "file", "header", "payload")]
    return ".".join(parts) or ".".join(str(p) for p in loc)


@api.exception_handler(NinjaValidationError)
def on_validation_error(request: HttpRequest, exc: NinjaValidationError) -> HttpResponse:
    errors = [
        {"field": _field_name(list(e.get("loc", []))), "message": e.get("msg", ""), "type": e.get("type", "")}
        for e in exc.errors
    ]
    fields = ", ".join(dict.fromkeys(e["field"] for e in errors))
    return envelope(
        request,
        "validation_error",
        _("Données invalides : %(fields)s.") % {"fields": fields},
        422,
        {"errors": errors},
    )


@api.exception_handler(IntegrityError)
def on_integrity_error(request: HttpRequest, exc: IntegrityError) -> HttpResponse:
    name = getattr(getattr(exc.__cause__, "diag", None), "constraint_name", None)
    message = constraint_message(name)
    if message is None:
        raise exc  # an unknown constraint is a bug, not user input: let it surface as a 500
    return envelope(request, "conflict", message, 409, {"constraint": name})


@api.exception_handler(AuthenticationError)
def on_auth_error(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    return envelope(request, "not_authenticated", _("Connectez-vous pour continuer."), 401)


@api.exception_handler(Http404)
def on_not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    return envelope(request, "not_found", _("Introuvable."), 404)


@api.exception_handler(HttpError)
def on_http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    if isinstance(exc.__cause__, DomainError):  # ninja wraps what the body parser raises
        return on_domain_error(request, exc.__cause__)
    if isinstance(exc, Throttled):
        return on_domain_error(request, TooManyRequests(retry_after=int(exc.wait or 60)))
    return envelope(request, f"http_{exc.status_code}", str(exc), exc.status_code)


@api.exception_handler(RawPostDataException)
def on_form_body(request: HttpRequest, exc: RawPostDataException) -> HttpResponse:
    # A form body (already read as a form) sent to an operation that takes JSON.
    return on_domain_error(request, UnsupportedMediaType())


def unknown_endpoint(request: HttpRequest, rest: str) -> HttpResponse:
    """Any /api/v1/ path no router knows: the same envelope as every other API error, not an HTML page."""
    return envelope(request, "not_found", _("Cette adresse de l'API n'existe pas."), 404)


api.add_router("/", "marketplace.core.api.router")
api.add_router("/geo/", "geo.api.router")
api.add_router("/me", "marketplace.accounts.api.router")
api.add_router("/notifications", "marketplace.notifications.api.router")
api.add_router("/organisations", "marketplace.organisations.api.organisations")
api.add_router("/organisations", "local_offers.imports.api.router")
api.add_router("/employments", "marketplace.organisations.api.employments")
api.add_router("/staff-roles", "marketplace.organisations.api.staff")
api.add_router("/staff-invitations", "marketplace.organisations.api.invitations")
api.add_router("/officer", "marketplace.organisations.api.officer")
api.add_router("/eligibility", "marketplace.organisations.api.eligibility")
api.add_router("/nights", "exchanges.nights.api.router")
api.add_router("/homes", "exchanges.api.homes")
api.add_router("/tiles", "exchanges.api.home_tiles")
api.add_router("/favourites", "exchanges.api.favourites")
api.add_router("/saved-searches", "exchanges.api.saved_searches")
api.add_router("/proposals", "exchanges.swaps.api.proposals")
api.add_router("/facilities", "local_offers.api.facilities")
api.add_router("/organisations", "local_offers.api.organisation_facilities")
api.add_router("/tiles", "local_offers.api.facility_tiles")
api.add_router("/clearing", "exchanges.clearing.api.clearing")
api.add_router("/agreements", "local_offers.agreements.api.router")
api.add_router("/statistics", "local_offers.statistics.api.router")
api.add_router("/vouchers", "local_offers.vouchers.api.router")
api.add_router("/conversations", "marketplace.messaging.api.conversations")
api.add_router("/users", "marketplace.messaging.api.users")
api.add_router("/messages", "marketplace.messaging.api.messages")
