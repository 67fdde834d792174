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
