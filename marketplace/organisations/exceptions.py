from django.utils.translation import gettext_lazy as _

from marketplace.errors import Conflict, Forbidden, InvalidState, NotFound


class OrganisationNotFound(NotFound):
    code = "organisation_not_found"
    default_message = _("Employeur introuvable.")


class EmploymentNotFound(NotFound):
    code = "employment_not_found"
    default_message = _("Demande de rattachement introuvable.")


class StaffRoleNotFound(NotFound):
    code = "staff_role_not_found"
    default_message = _("Rôle introuvable.")


class NotAllowed(Forbidden):
    code = "not_allowed"


class SirenTaken(Conflict):
    code = "siren_taken"
    default_message = _("Un employeur adhérent porte déjà ce SIREN : demandez plutôt à le rejoindre.")


class OrganisationNotPending(InvalidState):
    code = "organisation_not_pending"
    default_message = _("Cet employeur a déjà été validé ou refusé.")


class OrganisationNotValidated(InvalidState):
    code = "organisation_not_validated"
    default_message = _("Cet employeur n'est pas (encore) validé.")


class EmploymentNotPending(InvalidState):
    code = "employment_not_pending"
    default_message = _("Cette demande a déjà été traitée.")


class EmploymentAlreadyOpen(Conflict):
    code = "employment_already_open"
    default_message = _("Vous avez déjà une demande en cours ou un emploi confirmé chez cet employeur.")


class EmploymentNotOpen(InvalidState):
    code = "employment_not_open"
    default_message = _("Ce rattachement est déjà terminé.")


class StaffRoleAlreadyOpen(Conflict):
    code = "staff_role_already_open"
    default_message = _("Cette personne a déjà ce rôle (ou une demande en cours) chez cet employeur.")


class StaffRoleNotPending(InvalidState):
    code = "staff_role_not_pending"
    default_message = _("Cette demande a déjà été traitée.")


class CannotRevokeSelf(Conflict):
    code = "cannot_revoke_self"
    default_message = _("Vous ne pouvez pas retirer votre propre rôle.")


class MembershipOverlap(Conflict):
    code = "membership_overlap"
    default_message = _("Cette période chevauche une autre période d'adhésion de cet employeur.")


class StaffRoleNotActive(InvalidState):
    code = "staff_role_not_active"
    default_message = _("Seul un rôle actif peut être retiré (une demande en attente relève du chargé).")


class InvitationNotFound(NotFound):
    code = "staff_invitation_not_found"
    default_message = _("Invitation introuvable.")


class InvitationNotSent(InvalidState):
    code = "staff_invitation_not_sent"
    default_message = _("Cette invitation a déjà reçu une réponse ou a été annulée.")
