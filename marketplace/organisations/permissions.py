"""Who may act on an employer: `rules` predicates, used by services, selectors and templates alike."""

from typing import Any

import rules

from marketplace.organisations.models import (
    OfficerTerritory,
    Organisation,
    StaffRole,
    StaffRoleKind,
    StaffRoleStatus,
)


@rules.predicate
def is_admin(user: Any) -> bool:
    return bool(getattr(user, "is_superuser", False))


def _has_role(user: Any, organisation: Organisation, role: str) -> bool:
    if not getattr(user, "is_authenticated", False) or organisation is None:
        return False
    return StaffRole.objects.filter(
        user=user, organisation=organisation, role=role, status=StaffRoleStatus.ACTIVE
    ).exists()


@rules.predicate
def is_correspondent_of(user: Any, organisation: Organisation) -> bool:
    return _has_role(user, organisation, StaffRoleKind.CORRESPONDENT)


@rules.predicate
def is_desk_of(user: Any, organisation: Organisation) -> bool:
    return _has_role(user, organisation, StaffRoleKind.DESK)


@rules.predicate
def is_officer_for(user: Any, organisation: Organisation) -> bool:
    if not getattr(user, "is_authenticated", False) or organisation is None:
        return False
    return OfficerTerritory.objects.filter(
        officer=user, departement_id=organisation.seat_commune.departement_id
    ).exists()


@rules.predicate
def is_officer(user: Any) -> bool:
    return (
        bool(getattr(user, "is_authenticated", False))
        and OfficerTerritory.objects.filter(officer=user).exists()
    )


@rules.predicate
def is_correspondent(user: Any) -> bool:
    return (
        bool(getattr(user, "is_authenticated", False))
        and StaffRole.objects.filter(
            user=user, role=StaffRoleKind.CORRESPONDENT, status=StaffRoleStatus.ACTIVE
        ).exists()
    )


rules.add_perm("organisations.validate_organisation", is_officer_for | is_admin)
rules.add_perm("organisations.manage_organisation", is_correspondent_of | is_admin)
rules.add_perm("organisations.validate_vouchers", is_desk_of | is_correspondent_of)
rules.add_perm("organisations.access_officer_space", is_officer | is_admin)
rules.add_perm("organisations.access_correspondent_space", is_correspondent)
