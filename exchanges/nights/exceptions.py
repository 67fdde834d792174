from django.utils.translation import gettext_lazy as _

from marketplace.errors import Conflict


class NightsInsufficient(Conflict):
    code = "nights_insufficient"
    default_message = _(
        "Solde de nuits solidaires insuffisant : ce séjour coûte plus de nuits qu'il ne vous en reste."
    )
