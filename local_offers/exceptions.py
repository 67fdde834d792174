from django.utils.translation import gettext_lazy as _

from marketplace.errors import Forbidden, InvalidState, NotFound


class FacilityNotFound(NotFound):
    code = "facility_not_found"
    default_message = _("Équipement introuvable.")


class FacilityPhotoNotFound(NotFound):
    code = "photo_not_found"
    default_message = _("Photo introuvable.")


class StructureNotFound(NotFound):
    code = "structure_not_found"
    default_message = _("Structure subventionnée introuvable.")


class OrganisationNotManaged(NotFound):
    """The employer does not exist, or the actor is none of its correspondents: the same 404."""

    code = "organisation_not_found"
    default_message = _("Employeur introuvable parmi ceux dont vous êtes correspondant.")


class NotFacilityManager(Forbidden):
    code = "not_facility_manager"
    default_message = _("Seuls les correspondants de l'employeur gestionnaire peuvent faire cela.")


class FacilityWrongState(InvalidState):
    code = "facility_wrong_state"
    default_message = _("L'équipement n'est pas dans un état qui le permet.")


class OrganisationNotMember(InvalidState):
    code = "organisation_not_member"
    default_message = _(
        "Seul un employeur adhérent, validé et à jour de son adhésion, publie des équipements."
    )


class ExternalIdTaken(InvalidState):
    code = "external_id_taken"
    default_message = _("Un autre équipement de cet employeur porte déjà cet identifiant externe.")
