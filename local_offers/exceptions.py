from django.utils.translation import gettext_lazy as _

from marketplace.errors import Conflict, Forbidden, InvalidState, NotFound


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


class AgreementNotFound(NotFound):
    code = "agreement_not_found"
    default_message = _("Convention introuvable.")


class AgreementDocumentNotFound(NotFound):
    code = "agreement_document_not_found"
    default_message = _("Cette convention n'a pas de document signé.")


class AgreementForbidden(Forbidden):
    code = "agreement_forbidden"
    default_message = _(
        "Seuls les correspondants de l'employeur proposent une convention, et seul un chargé de "
        "développement du territoire, qui n'y est pas partie, en décide."
    )


class AgreementWrongState(InvalidState):
    code = "agreement_wrong_state"
    default_message = _("La convention n'est pas dans un état qui le permet.")


class NoOfficerForTerritory(InvalidState):
    code = "no_officer_for_territory"
    default_message = _("Aucun chargé de développement ne couvre le département de ces équipements.")


class StatisticsNotFound(NotFound):
    """A département outside the officer's territory, an employer the correspondent does not manage."""

    code = "statistics_not_found"
    default_message = _("Aucune statistique à ce nom pour vous.")


class StatisticsForbidden(Forbidden):
    code = "statistics_forbidden"
    default_message = _("Ces statistiques sont réservées aux correspondants et aux chargés de développement.")


# ---- Vouchers ---------------------------------------------------------------------------------------------


class VoucherNotFound(NotFound):
    code = "voucher_not_found"
    default_message = _("Bon introuvable.")


class VoucherOfferNotFound(NotFound):
    """No agreement in force the agent may use under that id (missing, not active, outside its audience)."""

    code = "voucher_offer_not_found"
    default_message = _("Aucune convention en vigueur ne vous ouvre cet avantage.")


class VoucherNotEligible(Forbidden):
    code = "voucher_not_eligible"
    default_message = _(
        "Seuls les agents d'un employeur adhérent, confirmés par leur correspondant, obtiennent un bon."
    )


class VoucherForbidden(Forbidden):
    code = "voucher_forbidden"
    default_message = _("Vous n'avez pas le droit de faire cela pour ce bon.")


class VoucherWrongState(InvalidState):
    code = "voucher_wrong_state"
    default_message = _("Le bon n'est pas dans un état qui le permet.")


class VoucherQuotaReached(Conflict):
    code = "voucher_quota_reached"
    default_message = _("Le quota de bons de cette convention est atteint pour cette année.")


class VoucherAlreadyUsed(Conflict):
    code = "voucher_already_used"
    default_message = _("Ce bon a déjà été validé.")


class VoucherOutsideWindow(Conflict):
    code = "voucher_outside_window"
    default_message = _("Ce bon n'est pas valable ce jour-là.")


class VoucherBadToken(NotFound):
    """A QR whose signature does not hold is treated like an unknown code: nothing is revealed."""

    code = "voucher_bad_token"
    default_message = _("QR code non reconnu : signature invalide.")


class ApiKeyNotFound(NotFound):
    code = "api_key_not_found"
    default_message = _("Clé d'API introuvable.")
