from django.utils.translation import gettext_lazy as _

from marketplace.errors import Conflict, Forbidden, InvalidState, NotFound


class HomeNotFound(NotFound):
    code = "home_not_found"
    default_message = _("Logement introuvable.")


class PeriodNotFound(NotFound):
    code = "availability_not_found"
    default_message = _("Période de disponibilité introuvable.")


class PhotoNotFound(NotFound):
    code = "photo_not_found"
    default_message = _("Photo introuvable.")


class WishNotFound(NotFound):
    code = "wish_not_found"
    default_message = _("Souhait introuvable.")


class NotHomeOwner(Forbidden):
    code = "not_home_owner"
    default_message = _("Seul le propriétaire du logement peut faire cela.")


class NotEligible(Forbidden):
    code = "not_eligible"
    default_message = _(
        "Seuls les agents d'un employeur adhérent, confirmés par leur correspondant, publient."
    )


class HomeWrongState(InvalidState):
    code = "home_wrong_state"
    default_message = _("Le logement n'est pas dans un état qui le permet.")


class AvailabilityOverlap(Conflict):
    code = "availability_overlap"
    default_message = _("Cette période chevauche une autre période de disponibilité de ce logement.")


class FavouriteListNotFound(NotFound):
    code = "favourite_list_not_found"
    default_message = _("Liste de favoris introuvable.")


class SavedSearchNotFound(NotFound):
    code = "saved_search_not_found"
    default_message = _("Recherche enregistrée introuvable.")
