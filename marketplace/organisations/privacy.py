from typing import Any

from marketplace.accounts.models import User
from marketplace.organisations.models import Employment, OfficerTerritory, StaffRole


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
