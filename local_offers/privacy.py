"""RGPD: the facilities a person created as a correspondent. They belong to the employer, not to the person:
an erasure keeps them and forgets who created them (`created_by` is SET_NULL); the workflow's audit events
forget the actor the same way (marketplace.audit)."""

from typing import Any

from local_offers.models import Facility
from marketplace.accounts.models import User


def export_facilities(user: User) -> list[dict[str, Any]]:
    return [
        {
            "id": f.pk,
            "name": f.name,
            "organisation": f.organisation.name,
            "created_at": f.created_at.isoformat(),
        }
        for f in Facility.objects.filter(created_by=user).select_related("organisation").order_by("pk")
    ]
