"""The JSON API root: /api/v1/. One error envelope {"code", "message", "detail"} for every failure."""

from typing import Any

from django.db import IntegrityError
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError

from marketplace.errors import DomainError, constraint_message

api = NinjaAPI(
    title="Réciproque API",
    version="1",
    urls_namespace="api",
    docs_url="/docs",
    description="Échanges de logements et offres locales entre agents territoriaux.",
)


def envelope(request: HttpRequest, code: str, message: str, status: int, detail: Any = None) -> HttpResponse:
    return api.create_response(
        request, {"code": code, "message": message, "detail": detail or {}}, status=status
    )


@api.exception_handler(DomainError)
def on_domain_error(request: HttpRequest, exc: DomainError) -> HttpResponse:
    return envelope(request, exc.code, exc.message, exc.http_status, exc.detail)


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
    return envelope(request, f"http_{exc.status_code}", str(exc), exc.status_code)


def unknown_endpoint(request: HttpRequest, rest: str) -> HttpResponse:
    """Any /api/v1/ path no router knows: the same envelope as every other API error, not an HTML page."""
    return envelope(request, "not_found", _("Cette adresse de l'API n'existe pas."), 404)


api.add_router("/", "marketplace.core.api.router")
api.add_router("/geo/", "geo.api.router")
api.add_router("/me", "marketplace.accounts.api.router")
api.add_router("/organisations", "marketplace.organisations.api.organisations")
api.add_router("/employments", "marketplace.organisations.api.employments")
api.add_router("/staff-roles", "marketplace.organisations.api.staff")
api.add_router("/staff-invitations", "marketplace.organisations.api.invitations")
api.add_router("/officer", "marketplace.organisations.api.officer")
api.add_router("/eligibility", "marketplace.organisations.api.eligibility")
api.add_router("/homes", "exchanges.api.homes")
