"""Reads on employers: search, visibility, officers' queues, and the one eligibility answer."""

import datetime as dt
from dataclasses import dataclass

from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from marketplace.accounts.models import User
from marketplace.audit.models import AuditEvent
from marketplace.organisations.exceptions import EmploymentNotFound, OrganisationNotFound, StaffRoleNotFound
from marketplace.organisations.models import (
    Employment,
    EmploymentStatus,
    OfficerTerritory,
    Organisation,
    OrganisationStatus,
    StaffRole,
    StaffRoleKind,
    StaffRoleStatus,
)
from marketplace.organisations.permissions import is_admin


def _base() -> QuerySet[Organisation]:
    return Organisation.objects.select_related("seat_commune__departement").defer(
        "seat_commune__geom",
        "seat_commune__point",
        "seat_commune__departement__geom",
        "seat_commune__departement__geom_simple",
    )


def organisations_visible_to(actor: User) -> QuerySet[Organisation]:
    """Validated employers for everyone; pending or rejected ones only to their staff, their officers, admins."""
    if is_admin(actor):
        return _base()
    visible = Q(status=OrganisationStatus.VALIDATED)
    if actor.is_authenticated:
        visible |= Q(staff_roles__user=actor) | Q(
            seat_commune__departement__in=OfficerTerritory.objects.filter(officer=actor).values("departement")
        )
    return _base().filter(visible).distinct()


def organisation_search(*, query: str, limit: int = 20) -> list[Organisation]:
    """Validated employers by name, seat commune or SIREN; accents and case ignored."""
    text = query.strip()
    qs = _base().filter(status=OrganisationStatus.VALIDATED)
    if text.isdigit():
        qs = qs.filter(Q(siren__startswith=text) | Q(seat_commune__postal_codes__contains=[text]))
    else:
        qs = qs.filter(Q(name__unaccent__icontains=text) | Q(seat_commune__name__unaccent__icontains=text))
    return list(qs.order_by("name")[:limit])


def organisation_get_for_actor(*, actor: User, organisation_id: int) -> Organisation:
    organisation = organisations_visible_to(actor).filter(pk=organisation_id).first()
    if organisation is None:
        raise OrganisationNotFound()
    return organisation


def employment_get_for_actor(*, actor: User, employment_id: int) -> Employment:
    """The agent's own employment, or one of an employer the actor is correspondent of."""
    managed = StaffRole.objects.filter(
        user=actor, role=StaffRoleKind.CORRESPONDENT, status=StaffRoleStatus.ACTIVE
    )
    qs = Employment.objects.select_related("organisation", "agent")
    if not is_admin(actor):
        qs = qs.filter(Q(agent=actor) | Q(organisation__in=managed.values("organisation")))
    employment = qs.filter(pk=employment_id).first()
    if employment is None:
        raise EmploymentNotFound()
    return employment


def staff_role_get_for_actor(*, actor: User, role_id: int) -> StaffRole:
    """A role of an employer the actor manages, or that an officer of its territory decides on."""
    managed = StaffRole.objects.filter(
        user=actor, role=StaffRoleKind.CORRESPONDENT, status=StaffRoleStatus.ACTIVE
    )
    territory = OfficerTerritory.objects.filter(officer=actor).values("departement")
    qs = StaffRole.objects.select_related("organisation__seat_commune", "user")
    if not is_admin(actor):
        qs = qs.filter(
            Q(organisation__in=managed.values("organisation"))
            | Q(organisation__seat_commune__departement__in=territory)
        )
    role = qs.filter(pk=role_id).first()
    if role is None:
        raise StaffRoleNotFound()
    return role


def employments_of_agent(agent: User) -> QuerySet[Employment]:
    return Employment.objects.filter(agent=agent).select_related("organisation").order_by("-requested_at")


def employments_to_decide(organisation: Organisation) -> QuerySet[Employment]:
    return (
        organisation.employments.filter(status=EmploymentStatus.PENDING)
        .select_related("agent")
        .order_by("requested_at")
    )


def staff_of(organisation: Organisation) -> QuerySet[StaffRole]:
    return (
        organisation.staff_roles.filter(status__in=[StaffRoleStatus.PENDING, StaffRoleStatus.ACTIVE])
        .select_related("user")
        .order_by("role", "user__email")
    )


def organisations_managed_by(user: User) -> QuerySet[Organisation]:
    return (
        _base()
        .filter(
            staff_roles__user=user,
            staff_roles__role=StaffRoleKind.CORRESPONDENT,
            staff_roles__status=StaffRoleStatus.ACTIVE,
        )
        .distinct()
    )


@dataclass(frozen=True)
class OfficerQueue:
    organisations: list[Organisation]
    staff_roles: list[StaffRole]


def officer_queue(officer: User) -> OfficerQueue:
    """What waits for this officer's decision, in their départements only (everything for an admin)."""
    territory = Q(
        seat_commune__departement__in=OfficerTerritory.objects.filter(officer=officer).values("departement")
    )
    organisations = _base().filter(status=OrganisationStatus.PENDING)
    roles = StaffRole.objects.filter(
        status=StaffRoleStatus.PENDING,
        role=StaffRoleKind.CORRESPONDENT,
        organisation__status=OrganisationStatus.VALIDATED,
    ).select_related("user", "organisation__seat_commune")
    if not is_admin(officer):
        organisations = organisations.filter(territory)
        roles = roles.filter(
            organisation__seat_commune__departement__in=OfficerTerritory.objects.filter(
                officer=officer
            ).values("departement")
        )
    return OfficerQueue(list(organisations.order_by("created_at")), list(roles.order_by("created_at")))


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
    """
    employments = list(
        Employment.objects.filter(agent=user).select_related("organisation").order_by("-requested_at")
    )
    confirmed = [e for e in employments if e.status == EmploymentStatus.CONFIRMED]
    for employment in confirmed:
        if employment.organisation.is_active_member(on):
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
    organisations = (
        {
            o.pk: o
            for o in organisations_visible_to(officer).filter(
                seat_commune__departement__in=OfficerTerritory.objects.filter(officer=officer).values(
                    "departement"
                )
            )
        }
        if not is_admin(officer)
        else {o.pk: o for o in _base()}
    )
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
