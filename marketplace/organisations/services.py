"""Writes on member employers, memberships, employments and staff roles. One transaction each.

Status changes go through the workflows declared in models.py (`transition_run`): permission, state left,
immutable event, all in one place. Events reach people through marketplace/events.py after commit.
"""

import datetime as dt

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.db.backends.postgresql.psycopg_any import DateRange
from django.utils import timezone
from django.utils.translation import gettext as _

from geo.models import Commune, Departement
from marketplace.accounts.models import User
from marketplace.audit.services import audit_record
from marketplace.errors import InvalidField
from marketplace.events import publish
from marketplace.notifications.mail import language_of, mail_send_on_commit
from marketplace.organisations.events import (
    EmploymentDecided,
    EmploymentRequested,
    OrganisationDecided,
    StaffInvitationAnswered,
    StaffInvitationReceived,
    StaffRoleDecided,
    StaffRoleRequested,
)
from marketplace.organisations.exceptions import (
    CannotRevokeSelf,
    EmploymentAlreadyOpen,
    EmploymentNotOpen,
    EmploymentNotPending,
    InvitationNotSent,
    MembershipOverlap,
    NotAllowed,
    OrganisationNotPending,
    OrganisationNotValidated,
    SirenTaken,
    StaffRoleAlreadyOpen,
    StaffRoleNotActive,
    StaffRoleNotPending,
)
from marketplace.organisations.models import (
    Employment,
    EmploymentStatus,
    InvitationStatus,
    MembershipPeriod,
    OfficerTerritory,
    Organisation,
    OrganisationStatus,
    StaffInvitation,
    StaffRole,
    StaffRoleKind,
    StaffRoleStatus,
)
from marketplace.organisations.permissions import is_admin, is_correspondent_of, is_officer_for, is_own_case
from marketplace.organisations.validators import siren_is_valid
from marketplace.workflows import transition_run


def _check_not_own_case(actor: User, obj: Organisation | Employment | StaffRole) -> None:
    # The declared permission refuses it too; this says why, in words.
    if is_own_case(actor, obj) and not is_admin(actor):
        raise NotAllowed(
            _(
                "Personne ne décide de son propre cas : un autre correspondant de l'employeur ou le chargé "
                "de développement du territoire s'en charge."
            )
        )


def _locked(organisation: Organisation) -> Organisation:
    return Organisation.objects.select_for_update().select_related("seat_commune").get(pk=organisation.pk)


def _deciders_of(organisation: Organisation, *, besides: int | None = None) -> list[int]:
    """Who decides on an agent's employment: the employer's active correspondents other than the agent; the
    officers of its territory when no other correspondent is there (a lone correspondent's own request)."""
    correspondents = [
        pk
        for pk in StaffRole.objects.active_correspondents()
        .filter(organisation=organisation)
        .values_list("user_id", flat=True)
        if pk != besides
    ]
    return correspondents or _officers_of(organisation)


def _officers_of(organisation: Organisation) -> list[int]:
    return list(
        OfficerTerritory.objects.filter(departement_id=organisation.seat_commune.departement_id).values_list(
            "officer_id", flat=True
        )
    )


def check_can_validate(actor: User, organisation: Organisation) -> None:
    if not (is_officer_for(actor, organisation) or is_admin(actor)):
        raise NotAllowed(_("Seul un chargé de développement du département du siège peut décider."))


def check_can_manage(actor: User, organisation: Organisation) -> None:
    if not (is_correspondent_of(actor, organisation) or is_admin(actor)):
        raise NotAllowed(_("Seul un correspondant de cet employeur peut faire cela."))


@transaction.atomic
def organisation_register(
    *,
    actor: User,
    name: str,
    kind: str,
    siren: str,
    seat_commune: str,
    agents_count: int = 0,
    contact_email: str = "",
    contact_phone: str = "",
) -> Organisation:
    """Register a new member employer, pending an officer's validation; the actor becomes its correspondent.

    Raises InvalidField (siren, seat_commune, name) or SirenTaken.
    """
    if not name.strip():
        raise InvalidField("name", _("Le nom est obligatoire."))
    if not siren_is_valid(siren):
        raise InvalidField("siren", _("SIREN invalide : 9 chiffres dont le dernier est une clé de contrôle."))
    commune = Commune.objects.filter(code=seat_commune).only("code", "departement_id").first()
    if commune is None:
        raise InvalidField("seat_commune", _("Commune inconnue (code INSEE attendu, ex. 38185)."))
    if Organisation.objects.filter(siren=siren).exists():
        raise SirenTaken()
    organisation = Organisation.objects.create(
        name=name.strip(),
        kind=kind,
        siren=siren,
        seat_commune=commune,
        agents_count=agents_count,
        contact_email=contact_email,
        contact_phone=contact_phone,
        created_by=actor,
    )
    StaffRole.objects.create(user=actor, organisation=organisation, role=StaffRoleKind.CORRESPONDENT)
    audit_record(actor=actor, obj=organisation, from_state="", to_state=OrganisationStatus.PENDING)
    return organisation


def _decide_organisation(actor: User, organisation: Organisation, to: str, comment: str) -> Organisation:
    organisation = _locked(organisation)
    _check_not_own_case(actor, organisation)
    transition_run(
        organisation,
        "validate" if to == OrganisationStatus.VALIDATED else "reject",
        actor=actor,
        comment=comment,
        refused=NotAllowed,
        wrong_state=OrganisationNotPending,
    )
    # The correspondent who registered it gets (or loses) their role with the same decision.
    for role in organisation.staff_roles.select_for_update().filter(status=StaffRoleStatus.PENDING):
        transition_run(
            role,
            "accept" if to == OrganisationStatus.VALIDATED else "refuse",
            actor=actor,
            comment=comment,
            refused=NotAllowed,
            wrong_state=StaffRoleNotPending,
        )
        publish(OrganisationDecided(organisation=organisation.pk, status=to), to=[role.user_id])
    return organisation


@transaction.atomic
def organisation_validate(*, actor: User, organisation: Organisation, comment: str = "") -> Organisation:
    """Officer of the seat's département, never for an employer they registered: pending → validated.

    Raises NotAllowed, OrganisationNotPending.
    """
    return _decide_organisation(actor, organisation, OrganisationStatus.VALIDATED, comment.strip())


@transaction.atomic
def organisation_reject(*, actor: User, organisation: Organisation, comment: str) -> Organisation:
    """Officer of the seat's département: pending → rejected, with a reason (InvalidField if missing)."""
    if not comment.strip():
        raise InvalidField("comment", _("Expliquez le refus : le correspondant le lira."))
    return _decide_organisation(actor, organisation, OrganisationStatus.REJECTED, comment.strip())


@transaction.atomic
def organisation_update_profile(
    *,
    actor: User,
    organisation: Organisation,
    agents_count: int | None = None,
    contact_email: str | None = None,
    contact_phone: str | None = None,
) -> Organisation:
    """A correspondent keeps the employer's profile up to date (name, SIREN and seat need an officer)."""
    organisation = _locked(organisation)
    check_can_manage(actor, organisation)
    if agents_count is not None:
        if agents_count < 0:
            raise InvalidField("agents_count", _("Le nombre d'agents ne peut pas être négatif."))
        organisation.agents_count = agents_count
    if contact_email is not None:
        try:
            if contact_email.strip():
                validate_email(contact_email.strip())
        except ValidationError as error:
            raise InvalidField("contact_email", _("Adresse e-mail invalide.")) from error
        organisation.contact_email = contact_email.strip()
    if contact_phone is not None:
        organisation.contact_phone = contact_phone.strip()
    organisation.save(update_fields=["agents_count", "contact_email", "contact_phone"])
    return organisation


@transaction.atomic
def organisation_request_join(*, actor: User, organisation: Organisation) -> StaffRole:
    """Ask to become a correspondent of an existing employer, pending an officer's decision.

    Raises StaffRoleAlreadyOpen.
    """
    if (
        StaffRole.objects.open()
        .filter(user=actor, organisation=organisation, role=StaffRoleKind.CORRESPONDENT)
        .exists()
    ):
        raise StaffRoleAlreadyOpen()
    role = StaffRole.objects.create(user=actor, organisation=organisation, role=StaffRoleKind.CORRESPONDENT)
    audit_record(actor=actor, obj=role, from_state="", to_state=StaffRoleStatus.PENDING)
    publish(StaffRoleRequested(role=role.pk), to=_officers_of(organisation))
    return role


@transaction.atomic
def staff_role_decide(*, actor: User, role: StaffRole, accept: bool, comment: str = "") -> StaffRole:
    """Officer of the territory: accept or refuse a pending correspondent (never their own request).

    Raises NotAllowed, StaffRoleNotPending, InvalidField (a refusal without a reason).
    """
    role = StaffRole.objects.select_for_update().select_related("organisation__seat_commune").get(pk=role.pk)
    _check_not_own_case(actor, role)
    if not accept and not comment.strip():
        raise InvalidField("comment", _("Expliquez le refus : la personne le lira."))
    transition_run(
        role,
        "accept" if accept else "refuse",
        actor=actor,
        comment=comment.strip(),
        refused=NotAllowed,
        wrong_state=StaffRoleNotPending,
    )
    publish(StaffRoleDecided(role=role.pk, status=role.status), to=[role.user_id])
    return role


@transaction.atomic
def membership_add_period(
    *, actor: User, organisation: Organisation, start: dt.date, end: dt.date
) -> MembershipPeriod:
    """A membership period [start, end). Raises InvalidField (end ≤ start) or MembershipOverlap (409)."""
    organisation = _locked(organisation)
    check_can_validate(actor, organisation)
    if end <= start:
        raise InvalidField("end", _("La fin de la période doit être après son début."))
    try:
        with transaction.atomic():
            period = MembershipPeriod.objects.create(organisation=organisation, period=DateRange(start, end))
    except IntegrityError as error:
        raise MembershipOverlap(detail={"constraint": "membership_period_no_overlap"}) from error
    audit_record(
        actor=actor,
        obj=organisation,
        from_state="",
        to_state="membership_added",
        comment=f"{start.isoformat()} → {end.isoformat()}",
    )
    return period


@transaction.atomic
def employment_request(*, actor: User, organisation: Organisation) -> Employment:
    """An agent asks to be attached to their employer; the employer's other correspondents (or, for a lone
    correspondent's own request, the officers of the territory) decide.

    Raises OrganisationNotValidated, EmploymentAlreadyOpen.
    """
    if organisation.status != OrganisationStatus.VALIDATED:
        raise OrganisationNotValidated()
    if Employment.objects.open().filter(agent=actor, organisation=organisation).exists():
        raise EmploymentAlreadyOpen()
    employment = Employment.objects.create(agent=actor, organisation=organisation)
    audit_record(actor=actor, obj=employment, from_state="", to_state=EmploymentStatus.PENDING)
    publish(EmploymentRequested(employment=employment.pk), to=_deciders_of(organisation, besides=actor.pk))
    return employment


def _decide_employment(actor: User, employment: Employment, name: str, comment: str) -> Employment:
    employment = (
        Employment.objects.select_for_update()
        .select_related("organisation__seat_commune")
        .get(pk=employment.pk)
    )
    _check_not_own_case(actor, employment)
    transition_run(
        employment,
        name,
        actor=actor,
        comment=comment,
        refused=NotAllowed,
        wrong_state=EmploymentNotPending,
        at=timezone.now(),
    )
    publish(EmploymentDecided(employment=employment.pk, status=employment.status), to=[employment.agent_id])
    return employment


@transaction.atomic
def employment_confirm(*, actor: User, employment: Employment) -> Employment:
    """A correspondent of the employer (or an officer of its territory) confirms that the agent works there;
    never for their own employment. Raises NotAllowed, EmploymentNotPending."""
    return _decide_employment(actor, employment, "confirm", "")


@transaction.atomic
def employment_reject(*, actor: User, employment: Employment, comment: str = "") -> Employment:
    """A correspondent (or an officer) says the agent does not work there. Raises NotAllowed, EmploymentNotPending."""
    return _decide_employment(actor, employment, "reject", comment.strip())


@transaction.atomic
def employment_end(*, actor: User, employment: Employment) -> Employment:
    """The agent (job change) or a correspondent ends an employment. Raises NotAllowed, EmploymentNotOpen."""
    employment = (
        Employment.objects.select_for_update()
        .select_related("organisation__seat_commune")
        .get(pk=employment.pk)
    )
    transition_run(
        employment, "end", actor=actor, refused=NotAllowed, wrong_state=EmploymentNotOpen, at=timezone.now()
    )
    return employment


def _normalise_email(email: str) -> str:
    return email.strip().lower()


@transaction.atomic
def staff_invite(*, actor: User, organisation: Organisation, email: str, role: str) -> StaffInvitation:
    """A correspondent invites someone, by e-mail, to the correspondent or desk role.

    The answer is the same whether the address has an account or not (nobody learns who is registered); the
    invitation waits until the person, signed in with that verified address, accepts it; a correspondent
    role then still needs the officer's validation. Inviting again while one is sent returns that one.
    Raises NotAllowed, OrganisationNotValidated, InvalidField (role).
    """
    organisation = _locked(organisation)
    check_can_manage(actor, organisation)
    if organisation.status != OrganisationStatus.VALIDATED:
        raise OrganisationNotValidated()
    if role not in StaffRoleKind.values:
        raise InvalidField("role", _("Rôle inconnu : correspondent ou desk."))
    address = _normalise_email(email)
    invitation = StaffInvitation.objects.filter(
        organisation=organisation, email=address, role=role, status=InvitationStatus.SENT
    ).first()
    if invitation is not None:
        return invitation
    invitation = StaffInvitation.objects.create(
        organisation=organisation, email=address, role=role, invited_by=actor
    )
    audit_record(actor=actor, obj=invitation, from_state="", to_state=InvitationStatus.SENT)
    invitee = User.objects.filter(email__iexact=address).only("pk").first()
    if invitee is not None:
        publish(StaffInvitationReceived(invitation=invitation.pk), to=[invitee.pk])
    _mail_invitation(invitation)
    return invitation


def _mail_invitation(invitation: StaffInvitation) -> None:
    invitee = User.objects.filter(email__iexact=invitation.email).first()

    def subject() -> str:
        return _("[Réciproque] Invitation dans l'équipe de %(organisation)s") % {
            "organisation": invitation.organisation.name
        }

    def body() -> str:
        return _(
            "Bonjour,\n\n%(organisation)s vous invite à rejoindre son équipe sur Réciproque (rôle : %(role)s).\n"
            "Connectez-vous (ou inscrivez-vous) avec cette adresse e-mail : l'invitation vous attend dans "
            "« Mon employeur », où vous pourrez l'accepter ou la décliner.\n"
        ) % {"organisation": invitation.organisation.name, "role": StaffRoleKind(invitation.role).label}

    mail_send_on_commit(to=invitation.email, subject=subject, text=body, language=language_of(invitee))


def _locked_invitation(invitation: StaffInvitation) -> StaffInvitation:
    return (
        StaffInvitation.objects.select_for_update()
        .select_related("organisation__seat_commune")
        .get(pk=invitation.pk)
    )


@transaction.atomic
def staff_invitation_accept(*, actor: User, invitation: StaffInvitation) -> StaffRole:
    """The invitee accepts: a desk role is active at once, a correspondent role waits for the officer.

    Raises NotAllowed (not addressed to the actor), InvitationNotSent, StaffRoleAlreadyOpen.
    """
    invitation = _locked_invitation(invitation)
    if not StaffInvitation.objects.addressed_to(actor).filter(pk=invitation.pk).exists():
        raise NotAllowed(_("Cette invitation est adressée à une autre adresse e-mail."))
    if invitation.status != InvitationStatus.SENT:
        raise InvitationNotSent(detail={"state": invitation.status})
    if (
        StaffRole.objects.open()
        .filter(user=actor, organisation=invitation.organisation, role=invitation.role)
        .exists()
    ):
        raise StaffRoleAlreadyOpen()
    # A desk only validates vouchers at the venue: the correspondent's invitation and the person's consent
    # suffice. A correspondent confirms agents, so an officer validates them, as for a join request.
    status = StaffRoleStatus.ACTIVE if invitation.role == StaffRoleKind.DESK else StaffRoleStatus.PENDING
    role = StaffRole.objects.create(
        user=actor, organisation=invitation.organisation, role=invitation.role, status=status
    )
    audit_record(
        actor=actor, obj=role, from_state="", to_state=status, comment=f"invitation #{invitation.pk}"
    )
    transition_run(
        invitation,
        "accept",
        actor=actor,
        refused=NotAllowed,
        wrong_state=InvitationNotSent,
        staff_role=role,
    )
    if status == StaffRoleStatus.PENDING:
        publish(StaffRoleRequested(role=role.pk), to=_officers_of(invitation.organisation))
    recipients = [invitation.invited_by_id] if invitation.invited_by_id else []
    publish(StaffInvitationAnswered(invitation=invitation.pk, status=invitation.status), to=recipients)
    return role


def _answer(actor: User, invitation: StaffInvitation, name: str) -> StaffInvitation:
    invitation = _locked_invitation(invitation)
    transition_run(invitation, name, actor=actor, refused=NotAllowed, wrong_state=InvitationNotSent)
    recipients = [invitation.invited_by_id] if invitation.invited_by_id else []
    publish(StaffInvitationAnswered(invitation=invitation.pk, status=invitation.status), to=recipients)
    return invitation


@transaction.atomic
def staff_invitation_decline(*, actor: User, invitation: StaffInvitation) -> StaffInvitation:
    """The invitee declines. Raises NotAllowed, InvitationNotSent."""
    if not StaffInvitation.objects.addressed_to(actor).filter(pk=invitation.pk).exists():
        raise NotAllowed(_("Cette invitation est adressée à une autre adresse e-mail."))
    return _answer(actor, invitation, "decline")


@transaction.atomic
def staff_invitation_cancel(*, actor: User, invitation: StaffInvitation) -> StaffInvitation:
    """A correspondent of the employer withdraws an invitation not yet answered. Raises NotAllowed,
    InvitationNotSent."""
    return _answer(actor, invitation, "cancel")


@transaction.atomic
def staff_revoke(*, actor: User, role: StaffRole) -> StaffRole:
    """A correspondent of the employer (or an officer of its territory) withdraws an active role, never their
    own. Raises NotAllowed, StaffRoleNotActive (pending: the officer decides; revoked: already done)."""
    role = StaffRole.objects.select_for_update().select_related("organisation__seat_commune").get(pk=role.pk)
    if role.user_id == actor.pk:
        raise CannotRevokeSelf()
    transition_run(role, "revoke", actor=actor, refused=NotAllowed, wrong_state=StaffRoleNotActive)
    return role


@transaction.atomic
def officer_territory_set(*, actor: User, officer: User, departements: list[str]) -> list[OfficerTerritory]:
    """An administrator sets the départements an officer covers (replacing the previous list)."""
    if not is_admin(actor):
        raise NotAllowed()
    known = set(Departement.objects.filter(code__in=departements).values_list("code", flat=True))
    unknown = sorted(set(departements) - known)
    if unknown:
        raise InvalidField(
            "departements", _("Départements inconnus : %(codes)s.") % {"codes": ", ".join(unknown)}
        )
    OfficerTerritory.objects.filter(officer=officer).exclude(departement_id__in=known).delete()
    existing = set(OfficerTerritory.objects.filter(officer=officer).values_list("departement_id", flat=True))
    OfficerTerritory.objects.bulk_create(
        [OfficerTerritory(officer=officer, departement_id=code) for code in sorted(known - existing)]
    )
    return list(OfficerTerritory.objects.filter(officer=officer).order_by("departement_id"))
