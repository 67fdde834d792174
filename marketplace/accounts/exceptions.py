from django.utils.translation import gettext_lazy as _

from marketplace.errors import Forbidden


class WrongPassword(Forbidden):
    code = "wrong_password"
    http_status = 403
    default_message = _("Mot de passe incorrect.")
