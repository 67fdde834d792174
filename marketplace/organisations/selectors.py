"""Reads on employers: search, visibility, officers' queues, and the one eligibility answer."""

import datetime as dt
from dataclasses import dataclass

from django.db.models import OuterRef, Q, QuerySet
from django.utils.translation import gettext as _

from marketplace.accounts.models import User
from marketplace.audit.models import AuditEvent
from marketplace.organisations.exceptions import (
    EmploymentNotFound,
    InvitationNotFound,
    OrganisationNotFound,
    StaffRoleNotFound,
)
from marketplace.organisations.models import (
    Employment,
    EmploymentStatus,
    InvitationStatus,
    Organisation,
    OrganisationQuerySet,
    OrganisationStatus,
    StaffInvitation,
    StaffRole,
    StaffRoleKind,
    StaffRoleStatus,
)


def _base() -> OrganisationQuerySet:
    return Organisation.objects.select_related("seat_commune__departement").defer(
        "seat_commune__geom",
        "seat_commune__point",
        "seat_commune__departement__geom",
        "seat_commune__departement__geom_simple",
    )


def organisations_visible_to(actor: User) -> OrganisationQuerySet:
    """Validated employers for everyone; pending or rejected ones only to their staff, their officers, admins."""
    return _base().visible_to(actor)


def organisations_validated() -> OrganisationQuerySet:
    """The employers anyone may find and join (the search list: OrganisationFilter)."""
    return _base().filter(status=OrganisationStatus.VALIDATED)


def organisation_search(*, query: str, within: OrganisationQuerySet | None = None) -> OrganisationQuerySet:
    """Employers by name, seat commune or SIREN (validated ones unless `within` says otherwise); accents and
    case ignored. Unordered: the list (marketplace.lists) orders and pages it."""
    text = query.strip()
    qs = organisations_validated() if within is None else within
    if text.isdigit():
        return qs.filter(Q(siren__startswith=text) | Q(seat_commune__postal_codes__contains=[text]))
    return qs.filter(Q(name__unaccent__icontains=text) | Q(seat_commune__name__unaccent__icontains=text))


def organisation_get_for_actor(*, actor: User, organisation_id: int) -> Organisation:
    organisation = organisations_visible_to(actor).filter(pk=organisation_id).first()
    if organisation is None:
        raise OrganisationNotFound()
    return organisation


def employment_get_for_actor(*, actor: User, employment_id: int) -> Employment:
    """The agent's own employment, or one the actor decides on (correspondent, officer of the territory)."""
    employment = (
        Employment.objects.visible_to(actor)
        .select_related("organisation__seat_commune", "agent")
        .filter(pk=employment_id)
        .first()
    )
    if employment is None:
        raise EmploymentNotFound()
    return employment


def staff_role_get_for_actor(*, actor: User, role_id: int) -> StaffRole:
    """A role of an employer the actor manages, or that an officer of its territory decides on."""
    role = (
        StaffRole.objects.visible_to(actor)
        .select_related("organisation__seat_commune", "user")
        .filter(pk=role_id)
        .first()
    )
    if role is None:
        raise StaffRoleNotFound()
    return role


def invitation_get_for_manager(*, actor: User, invitation_id: int) -> StaffInvitation:
    """An invitation of an employer the actor is correspondent of (to cancel it)."""
    invitation = (
        StaffInvitation.objects.filter(organisation__in=Organisation.objects.managed_by(actor).values("pk"))
        .select_related("organisation__seat_commune")
        .filter(pk=invitation_id)
        .first()
    )
    if invitation is None:
        raise InvitationNotFound()
    return invitation


def invitation_get_for_invitee(*, actor: User, invitation_id: int) -> StaffInvitation:
    """An invitation sent to one of the actor's verified addresses (to accept or decline it)."""
    invitation = (
        StaffInvitation.objects.addressed_to(actor)
        .select_related("organisation__seat_commune")
        .filter(pk=invitation_id)
        .first()
    )
    if invitation is None:
        raise InvitationNotFound()
    return invitation


def invitations_received(user: User) -> QuerySet[StaffInvitation]:
    """Invitations waiting for the user's answer."""
    return (
        StaffInvitation.objects.addressed_to(user)
        .filter(status=InvitationStatus.SENT)
        .select_related("organisation__seat_commune")
        .order_by("-created_at")
    )


def invitations_sent(organisation: Organisation) -> QuerySet[StaffInvitation]:
    """Invitations of the employer still waiting for an answer."""
    return organisation.invitations.filter(status=InvitationStatus.SENT).order_by("-created_at")


def employments_of_agent(agent: User) -> QuerySet[Employment]:
    return (
        Employment.objects.filter(agent=agent)
        .select_related("organisation", "agent")
        .order_by("-requested_at", "-pk")
    )


def employments_to_decide(organisation: Organisation) -> QuerySet[Employment]:
    return (
        organisation.employments.filter(status=EmploymentStatus.PENDING)
        .select_related("agent")
        .order_by("requested_at")
    )


def staff_of(organisation: Organisation) -> QuerySet[StaffRole]:
    return organisation.staff_roles.open().select_related("user").order_by("role", "user__email")


def organisations_managed_by(user: User) -> QuerySet[Organisation]:
    return _base().managed_by(user)


@dataclass(frozen=True)
class OfficerQueue:
    organisations: list[Organisation]
    staff_roles: list[StaffRole]
    employments: list[Employment]


def officer_queue(officer: User) -> OfficerQueue:
    """What waits for this officer's decision, in their départements only (everything for an admin): new
    employers, correspondents, and the employments of correspondents whom no other correspondent can confirm."""
    organisations = _base().in_territory_of(officer).filter(status=OrganisationStatus.PENDING)
    roles = (
        StaffRole.objects.filter(
            status=StaffRoleStatus.PENDING,
            role=StaffRoleKind.CORRESPONDENT,
            organisation__status=OrganisationStatus.VALIDATED,
            organisation__in=Organisation.objects.in_territory_of(officer).values("pk"),
        )
        .exclude(user=officer)
        .select_related("user", "organisation__seat_commune")
    )
    own_cases = (
        Employment.objects.filter(
            status=EmploymentStatus.PENDING,
            organisation__in=Organisation.objects.in_territory_of(officer).values("pk"),
            agent__in=StaffRole.objects.active_correspondents()
            .filter(organisation=OuterRef("organisation"))
            .values("user"),
        )
        .exclude(agent=officer)
        .select_related("agent", "organisation")
    )
    return OfficerQueue(
        list(organisations.order_by("created_at")),
        list(roles.order_by("created_at")),
        list(own_cases.order_by("requested_at")),
    )


@dataclass(frozen=True)
class Eligibility:
    eligible: bool
    reason_code: str
    message: str
    employment: Employment | None = None
    organisation: Organisation | None = None


def agent_eligibility(user: User, on: dt.date) -> Eligibility:
    """May this agent publish a home, propose a swap, get a voucher on that date? If not, exactly why.

    Eligible: a confirmed employment at a validated employer with a membership period covering the date.
    One query, whatever the number of employments.
    """
    employments = list(
        Employment.objects.filter(agent=user)
        .with_active_membership(on)
        .select_related("organisation")
        .order_by("-requested_at")
    )
    confirmed = [e for e in employments if e.status == EmploymentStatus.CONFIRMED]
    for employment in confirmed:
        if employment.member_on:  # type: ignore[attr-defined]
            return Eligibility(
                True,
                "eligible",
                _("Vous êtes agent d'un employeur adhérent."),
                employment,
                employment.organisation,
            )
    if confirmed:
        employment = confirmed[0]
        if employment.organisation.status != OrganisationStatus.VALIDATED:
            return Eligibility(
                False,
                "organisation_not_validated",
                _("Votre employeur n'est pas validé par Réciproque."),
                employment,
                employment.organisation,
            )
        return Eligibility(
            False,
            "membership_lapsed",
            _("L'adhésion de votre employeur ne couvre pas cette date."),
            employment,
            employment.organisation,
        )
    pending = next((e for e in employments if e.status == EmploymentStatus.PENDING), None)
    if pending is not None:
        return Eligibility(
            False,
            "employment_pending",
            _("Votre employeur n'a pas encore confirmé votre emploi."),
            pending,
            pending.organisation,
        )
    if employments:
        last = employments[0]
        code = "employment_rejected" if last.status == EmploymentStatus.REJECTED else "employment_ended"
        message = (
            _("Votre employeur n'a pas confirmé votre emploi.")
            if code == "employment_rejected"
            else _("Votre emploi chez cet employeur est terminé.")
        )
        return Eligibility(False, code, message, last, last.organisation)
    return Eligibility(False, "no_employer", _("Rattachez-vous d'abord à votre employeur."))


@dataclass(frozen=True)
class Decision:
    event: AuditEvent
    organisation: Organisation


def decision_history(officer: User, *, limit: int = 50) -> list[Decision]:
    """Decisions on the employers (and their correspondents) of the officer's départements, newest first."""
    organisations = {o.pk: o for o in _base().in_territory_of(officer)}
    roles = dict(
        StaffRole.objects.filter(organisation_id__in=organisations).values_list("pk", "organisation_id")
    )
    events = (
        AuditEvent.objects.select_related("actor")
        .filter(
            Q(object_type="organisations.organisation", object_id__in=[str(pk) for pk in organisations])
            | Q(object_type="organisations.staffrole", object_id__in=[str(pk) for pk in roles])
        )
        .order_by("-created_at", "-pk")[:limit]
    )
    return [
        Decision(
            e,
            organisations[
                int(e.object_id) if e.object_type.endswith("organisation") else roles[int(e.object_id)]
            ],
        )
        for e in events
    ]
