from django.utils.translation import gettext_lazy as _

from marketplace.errors import Forbidden, ValidationFailed


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


class WrongPassword(Forbidden):
    code = "wrong_password"
    http_status = 403
    default_message = _("Mot de passe incorrect.")
