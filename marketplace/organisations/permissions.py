"""Who may act on an employer: `rules` predicates, used by services, selectors, templates and the workflow
transitions declared in models.py (their `permission=` names the rules below).

One principle holds for every decision: nobody decides on their own case (an employer they registered,
their own employment, their own role).
"""

from typing import Any

import rules

from marketplace.organisations.models import (
    Employment,
    OfficerTerritory,
    Organisation,
    StaffInvitation,
    StaffRole,
    StaffRoleKind,
)


def _authenticated(user: Any) -> bool:
    return bool(getattr(user, "is_authenticated", False))


@rules.predicate
def is_admin(user: Any) -> bool:
    return bool(getattr(user, "is_superuser", False))


def _has_role(user: Any, organisation: Organisation | None, role: str) -> bool:
    if not _authenticated(user) or organisation is None:
        return False
    return StaffRole.objects.active().filter(user=user, organisation=organisation, role=role).exists()


@rules.predicate
def is_correspondent_of(user: Any, organisation: Organisation | None) -> bool:
    return _has_role(user, organisation, StaffRoleKind.CORRESPONDENT)


@rules.predicate
def is_desk_of(user: Any, organisation: Organisation | None) -> bool:
    return _has_role(user, organisation, StaffRoleKind.DESK)


@rules.predicate
def is_officer_for(user: Any, organisation: Organisation | None) -> bool:
    if not _authenticated(user) or organisation is None:
        return False
    return OfficerTerritory.objects.filter(
        officer=user, departement_id=organisation.seat_commune.departement_id
    ).exists()


@rules.predicate
def is_officer(user: Any) -> bool:
    return _authenticated(user) and OfficerTerritory.objects.filter(officer=user).exists()


def active_role_kinds(user: Any) -> frozenset[str]:
    """The kinds of the user's active staff roles (any employer), read once per user object: the navigation
    asks for several of them on every page. Like Django's own permission cache, it lives as long as the
    object (a request's user), so a role granted during the request shows from the next one."""
    if not _authenticated(user):
        return frozenset()
    kinds: frozenset[str] | None = getattr(user, "_active_role_kinds", None)
    if kinds is None:
        kinds = frozenset(StaffRole.objects.active().filter(user=user).values_list("role", flat=True))
        user._active_role_kinds = kinds
    return kinds


@rules.predicate
def is_correspondent(user: Any) -> bool:
    return StaffRoleKind.CORRESPONDENT in active_role_kinds(user)


# ---- Predicates on the object of a workflow (its `organisation`, its person) ------------------------------


def _organisation_of(obj: Any) -> Organisation | None:
    return obj if isinstance(obj, Organisation) else getattr(obj, "organisation", None)


@rules.predicate
def is_correspondent_of_its_employer(user: Any, obj: Any) -> bool:
    return is_correspondent_of(user, _organisation_of(obj))


@rules.predicate
def is_officer_of_its_territory(user: Any, obj: Any) -> bool:
    return is_officer_for(user, _organisation_of(obj))


@rules.predicate
def is_own_case(user: Any, obj: Any) -> bool:
    """The object is about the user: the employer they registered, their employment, their role."""
    if not _authenticated(user) or obj is None:
        return False
    if isinstance(obj, Organisation):
        return obj.created_by_id == user.pk
    if isinstance(obj, Employment):
        return obj.agent_id == user.pk
    if isinstance(obj, StaffRole):
        return obj.user_id == user.pk
    return False


@rules.predicate
def is_addressee(user: Any, invitation: StaffInvitation | None) -> bool:
    if not _authenticated(user) or invitation is None:
        return False
    return StaffInvitation.objects.addressed_to(user).filter(pk=invitation.pk).exists()


rules.add_perm("organisations.manage_organisation", is_correspondent_of | is_admin)
rules.add_perm("organisations.validate_organisation", is_officer_for | is_admin)
rules.add_perm("organisations.validate_vouchers", is_desk_of | is_correspondent_of)
rules.add_perm("organisations.access_officer_space", is_officer | is_admin)
rules.add_perm("organisations.access_correspondent_space", is_correspondent)
# Workflow transitions (models.py). Administrators pass every permission (Django's superuser rule).
rules.add_perm("organisations.decide_organisation", is_officer_of_its_territory & ~is_own_case)
rules.add_perm(
    "organisations.decide_employment",
    (is_correspondent_of_its_employer | is_officer_of_its_territory) & ~is_own_case,
)
rules.add_perm("organisations.end_employment", is_own_case | is_correspondent_of_its_employer)
rules.add_perm("organisations.decide_staff_role", is_officer_of_its_territory & ~is_own_case)
rules.add_perm(
    "organisations.revoke_staff_role",
    (is_correspondent_of_its_employer | is_officer_of_its_territory) & ~is_own_case,
)
rules.add_perm("organisations.answer_invitation", is_addressee)
rules.add_perm("organisations.cancel_invitation", is_correspondent_of_its_employer)
