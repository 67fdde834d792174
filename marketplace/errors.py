"""The one error hierarchy of the project: every domain error carries a stable code and an HTTP status."""

from typing import Any

from django.utils.translation import gettext_lazy as _


class DomainError(Exception):
    code: str = "error"
    http_status: int = 400
    default_message: Any = _("La demande ne peut pas être traitée.")

    def __init__(self, message: Any = None, *, detail: dict[str, Any] | None = None) -> None:
        self.message = str(message if message is not None else self.default_message)
        self.detail = detail or {}
        super().__init__(self.message)

    def as_dict(self) -> dict[str, Any]:
        return {"code": self.code, "message": self.message, "detail": self.detail}


class BadRequest(DomainError):
    code = "bad_request"
    http_status = 400


class ValidationFailed(DomainError):
    code = "validation_error"
    http_status = 422
    default_message = _("Certaines données sont invalides.")


class InvalidField(ValidationFailed):
    """A field of a form or payload is invalid: `detail.errors` names it, like the API's 422s."""

    code = "validation_error"

    def __init__(self, field: str, message: object) -> None:
        super().__init__(
            _("Données invalides : %(fields)s.") % {"fields": field},
            detail={"errors": [{"field": field, "message": str(message), "type": "invalid"}]},
        )
        self.field = field
        self.field_message = str(message)


class NotAuthenticated(DomainError):
    code = "not_authenticated"
    http_status = 401
    default_message = _("Connectez-vous pour continuer.")


class Forbidden(DomainError):
    code = "forbidden"
    http_status = 403
    default_message = _("Vous n'avez pas le droit de faire cela.")


class NotFound(DomainError):
    code = "not_found"
    http_status = 404
    default_message = _("Introuvable.")


class Conflict(DomainError):
    code = "conflict"
    http_status = 409
    default_message = _("Cette action entre en conflit avec l'état actuel.")


class InvalidState(Conflict):
    code = "invalid_state"


# Database constraints whose violation is the user's doing (a duplicate, an overlap): the API answers 409 with
# this message. Apps register theirs from their AppConfig.ready().
_CONSTRAINT_MESSAGES: dict[str, str] = {}


def register_constraint_message(constraint: str, message: Any) -> None:
    _CONSTRAINT_MESSAGES[constraint] = message


def constraint_message(constraint: str | None) -> str | None:
    message = _CONSTRAINT_MESSAGES.get(constraint or "")
    return None if message is None else str(message)


class PayloadTooLarge(DomainError):
    code = "payload_too_large"
    http_status = 413
    default_message = _("La requête est trop volumineuse.")


class UriTooLong(DomainError):
    code = "uri_too_long"
    http_status = 414
    default_message = _("L'adresse demandée est trop longue.")


class UnsupportedMediaType(DomainError):
    code = "unsupported_media_type"
    http_status = 415
    default_message = _("Type de contenu non accepté : envoyez du JSON (Content-Type: application/json).")


class TooManyRequests(DomainError):
    """A rate limit was reached: `retry_after` seconds before the next attempt (the Retry-After header)."""

    code = "too_many_requests"
    http_status = 429
    default_message = _("Trop de tentatives : réessayez dans quelques minutes.")

    def __init__(self, message: Any = None, *, retry_after: int = 60) -> None:
        super().__init__(message, detail={"retry_after": retry_after})
        self.retry_after = retry_after
