from typing import Any

from marketplace.accounts.models import User
from marketplace.organisations.models import Employment, OfficerTerritory, StaffInvitation, StaffRole


def export_roles(user: User) -> dict[str, Any]:
    """RGPD export: the user's employments, staff roles and territories. Deletion cascades all three."""
    return {
        "employments": [
            {
                "organisation": e.organisation.name,
                "status": e.status,
                "requested_at": e.requested_at.isoformat(),
            }
            for e in Employment.objects.filter(agent=user).select_related("organisation")
        ],
        "staff_roles": [
            {"organisation": r.organisation.name, "role": r.role, "status": r.status}
            for r in StaffRole.objects.filter(user=user).select_related("organisation")
        ],
        "officer_territories": list(
            OfficerTerritory.objects.filter(officer=user).values_list("departement_id", flat=True)
        ),
    }


def export_invitations(user: User) -> list[dict[str, Any]]:
    """RGPD export: the invitations sent to the user's verified addresses."""
    return [
        {
            "organisation": i.organisation.name,
            "role": i.role,
            "status": i.status,
            "at": i.created_at.isoformat(),
        }
        for i in StaffInvitation.objects.addressed_to(user).select_related("organisation")
    ]


def erase_invitations(user: User) -> None:
    """RGPD erasure: invitations carry the person's address; they go with the account."""
    StaffInvitation.objects.filter(email__in=[user.email.lower()]).delete()
    StaffInvitation.objects.addressed_to(user).delete()
