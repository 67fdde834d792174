from django.utils.translation import gettext_lazy as _

from marketplace.errors import Forbidden, NotFound


class RunNotFound(NotFound):
    code = "clearing_run_not_found"
    default_message = _("Tour de propositions introuvable.")


class NotAllowed(Forbidden):
    code = "clearing_not_allowed"
    default_message = _("Réservé aux administrateurs et aux agents instructeurs.")
