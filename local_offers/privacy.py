"""RGPD: the facilities a person created and the files they imported as a correspondent. Both belong to the
employer, not to the person: an erasure keeps them and forgets who created them (`created_by` is SET_NULL);
the workflow's audit events forget the actor the same way (marketplace.audit)."""

from typing import Any

from local_offers.imports.models import FacilityImport
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


def export_facility_imports(user: User) -> list[dict[str, Any]]:
    return [
        {
            "id": i.pk,
            "file_name": i.file_name,
            "organisation": i.organisation.name,
            "created_at": i.created_at.isoformat(),
            "status": i.status,
            "created": i.created_count,
            "updated": i.updated_count,
            "rejected": i.rejected_count,
        }
        for i in FacilityImport.objects.filter(created_by=user).select_related("organisation").order_by("pk")
    ]


def export_vouchers(user: User) -> list[dict[str, Any]]:
    """The person's vouchers: where, when, for how many, and whether and when the venue validated them."""
    from local_offers.vouchers.models import Voucher

    return [
        {
            "id": v.pk,
            "code": v.display_code,
            "facility": v.facility.name,
            "agreement": v.agreement_id,
            "first_day": v.first_day.isoformat(),
            "last_day": v.last_day.isoformat(),
            "party_size": v.party_size,
            "status": str(v.status),
            "issued_at": v.issued_at.isoformat(),
            "validated_at": v.validated_at.isoformat() if v.validated_at else None,
        }
        for v in Voucher.objects.filter(agent=user).select_related("facility").order_by("pk")
    ]


def erase_vouchers(user: User) -> None:
    """The person's unused vouchers are cancelled (nobody may use them any more); the others stay, detached
    from the person (`agent`, `validated_by` are SET_NULL), for the venues' and the statistics' record."""
    from local_offers.vouchers.services import vouchers_cancel_for_erasure

    vouchers_cancel_for_erasure(user=user)
