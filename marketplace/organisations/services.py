"""Writes on member employers, memberships, employments and staff roles. One transaction each."""

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
from marketplace.organisations.exceptions import (
    CannotRevokeSelf,
    EmploymentAlreadyOpen,
    EmploymentNotOpen,
    EmploymentNotPending,
    MembershipOverlap,
    NotAllowed,
    OrganisationNotPending,
    OrganisationNotValidated,
    SirenTaken,
    StaffRoleAlreadyOpen,
    StaffRoleNotPending,
)
from marketplace.organisations.models import (
    OPEN_EMPLOYMENT,
    Employment,
    EmploymentStatus,
    MembershipPeriod,
    OfficerTerritory,
    Organisation,
    OrganisationStatus,
    StaffRole,
    StaffRoleKind,
    StaffRoleStatus,
)
from marketplace.organisations.permissions import is_admin, is_correspondent_of, is_officer_for
from marketplace.organisations.validators import siren_is_valid
from marketplace.realtime import broadcast_on_commit, user_group


def _notify(user_id: int, kind: str, **data: object) -> None:
    broadcast_on_commit(user_group(user_id), {"type": kind, **data})


def _locked(organisation: Organisation) -> Organisation:
    return Organisation.objects.select_for_update().select_related("seat_commune").get(pk=organisation.pk)


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
    check_can_validate(actor, organisation)
    if organisation.status != OrganisationStatus.PENDING:
        raise OrganisationNotPending()
    organisation.status = to
    organisation.save(update_fields=["status"])
    audit_record(
        actor=actor, obj=organisation, from_state=OrganisationStatus.PENDING, to_state=to, comment=comment
    )
    # The correspondent who registered it gets (or loses) their role with the same decision.
    role_to = StaffRoleStatus.ACTIVE if to == OrganisationStatus.VALIDATED else StaffRoleStatus.REJECTED
    for role in organisation.staff_roles.select_for_update().filter(status=StaffRoleStatus.PENDING):
        role.status = role_to
        role.save(update_fields=["status"])
        audit_record(
            actor=actor, obj=role, from_state=StaffRoleStatus.PENDING, to_state=role_to, comment=comment
        )
        _notify(role.user_id, "organisation.decided", organisation=organisation.pk, status=to)
    return organisation


@transaction.atomic
def organisation_validate(*, actor: User, organisation: Organisation, comment: str = "") -> Organisation:
    """Officer of the seat's département: pending → validated. Raises NotAllowed, OrganisationNotPending."""
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
    """Ask to become a correspondent of an existing employer, pending an officer's decision."""
    if StaffRole.objects.filter(
        user=actor,
        organisation=organisation,
        role=StaffRoleKind.CORRESPONDENT,
        status__in=[StaffRoleStatus.PENDING, StaffRoleStatus.ACTIVE],
    ).exists():
        raise StaffRoleAlreadyOpen()
    role = StaffRole.objects.create(user=actor, organisation=organisation, role=StaffRoleKind.CORRESPONDENT)
    audit_record(actor=actor, obj=role, from_state="", to_state=StaffRoleStatus.PENDING)
    return role


@transaction.atomic
def staff_role_decide(*, actor: User, role: StaffRole, accept: bool, comment: str = "") -> StaffRole:
    """Officer: accept or refuse a correspondent's request to join an employer."""
    role = StaffRole.objects.select_for_update().select_related("organisation__seat_commune").get(pk=role.pk)
    check_can_validate(actor, role.organisation)
    if role.status != StaffRoleStatus.PENDING:
        raise StaffRoleNotPending()
    if not accept and not comment.strip():
        raise InvalidField("comment", _("Expliquez le refus : la personne le lira."))
    role.status = StaffRoleStatus.ACTIVE if accept else StaffRoleStatus.REJECTED
    role.save(update_fields=["status"])
    audit_record(
        actor=actor,
        obj=role,
        from_state=StaffRoleStatus.PENDING,
        to_state=role.status,
        comment=comment.strip(),
    )
    _notify(role.user_id, "staff_role.decided", role=role.pk, status=role.status)
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
    """An agent asks to be attached to their employer. Raises OrganisationNotValidated, EmploymentAlreadyOpen."""
    if organisation.status != OrganisationStatus.VALIDATED:
        raise OrganisationNotValidated()
    if Employment.objects.filter(agent=actor, organisation=organisation, status__in=OPEN_EMPLOYMENT).exists():
        raise EmploymentAlreadyOpen()
    employment = Employment.objects.create(agent=actor, organisation=organisation)
    audit_record(actor=actor, obj=employment, from_state="", to_state=EmploymentStatus.PENDING)
    for correspondent_id in organisation.staff_roles.filter(
        role=StaffRoleKind.CORRESPONDENT, status=StaffRoleStatus.ACTIVE
    ).values_list("user_id", flat=True):
        _notify(correspondent_id, "employment.requested", employment=employment.pk)
    return employment


def _decide_employment(actor: User, employment: Employment, to: str, comment: str) -> Employment:
    employment = Employment.objects.select_for_update().select_related("organisation").get(pk=employment.pk)
    check_can_manage(actor, employment.organisation)
    if employment.status != EmploymentStatus.PENDING:
        raise EmploymentNotPending()
    employment.status = to
    employment.decided_at = timezone.now()
    employment.save(update_fields=["status", "decided_at"])
    audit_record(
        actor=actor, obj=employment, from_state=EmploymentStatus.PENDING, to_state=to, comment=comment
    )
    _notify(employment.agent_id, "employment.decided", employment=employment.pk, status=to)
    return employment


@transaction.atomic
def employment_confirm(*, actor: User, employment: Employment) -> Employment:
    """A correspondent confirms that the agent works there. Raises NotAllowed, EmploymentNotPending."""
    return _decide_employment(actor, employment, EmploymentStatus.CONFIRMED, "")


@transaction.atomic
def employment_reject(*, actor: User, employment: Employment, comment: str = "") -> Employment:
    """A correspondent says the agent does not work there. Raises NotAllowed, EmploymentNotPending."""
    return _decide_employment(actor, employment, EmploymentStatus.REJECTED, comment.strip())


@transaction.atomic
def employment_end(*, actor: User, employment: Employment) -> Employment:
    """The agent (job change) or a correspondent ends an employment. Raises NotAllowed, EmploymentNotOpen."""
    employment = Employment.objects.select_for_update().select_related("organisation").get(pk=employment.pk)
    if employment.agent_id != actor.pk:
        check_can_manage(actor, employment.organisation)
    if employment.status not in OPEN_EMPLOYMENT:
        raise EmploymentNotOpen()
    previous = employment.status
    employment.status = EmploymentStatus.ENDED
    employment.ended_at = timezone.now()
    employment.save(update_fields=["status", "ended_at"])
    audit_record(actor=actor, obj=employment, from_state=previous, to_state=EmploymentStatus.ENDED)
    return employment


@transaction.atomic
def staff_invite(*, actor: User, organisation: Organisation, email: str, role: str) -> StaffRole:
    """A correspondent gives an existing user the correspondent or desk role at once."""
    check_can_manage(actor, organisation)
    if organisation.status != OrganisationStatus.VALIDATED:
        raise OrganisationNotValidated()
    if role not in StaffRoleKind.values:
        raise InvalidField("role", _("Rôle inconnu : correspondent ou desk."))
    invited = User.objects.filter(email__iexact=email.strip()).first()
    if invited is None:
        raise InvalidField(
            "email", _("Aucun compte Réciproque avec cette adresse : la personne doit d'abord s'inscrire.")
        )
    if StaffRole.objects.filter(
        user=invited,
        organisation=organisation,
        role=role,
        status__in=[StaffRoleStatus.PENDING, StaffRoleStatus.ACTIVE],
    ).exists():
        raise StaffRoleAlreadyOpen()
    staff = StaffRole.objects.create(
        user=invited, organisation=organisation, role=role, status=StaffRoleStatus.ACTIVE
    )
    audit_record(actor=actor, obj=staff, from_state="", to_state=StaffRoleStatus.ACTIVE)
    _notify(invited.pk, "staff_role.granted", role=staff.pk)
    return staff


@transaction.atomic
def staff_revoke(*, actor: User, role: StaffRole) -> StaffRole:
    role = StaffRole.objects.select_for_update().select_related("organisation").get(pk=role.pk)
    check_can_manage(actor, role.organisation)
    if role.user_id == actor.pk:
        raise CannotRevokeSelf()
    previous = role.status
    role.status = StaffRoleStatus.REVOKED
    role.save(update_fields=["status"])
    audit_record(actor=actor, obj=role, from_state=previous, to_state=StaffRoleStatus.REVOKED)
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
