"""Reads of the bulk import: only the active correspondents of an employer see its imports (404 otherwise)."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from local_offers.imports.exceptions import ImportNotFound
from local_offers.imports.models import FacilityImport, ImportStatus
from marketplace.accounts.models import User
from marketplace.organisations.exceptions import OrganisationNotFound
from marketplace.organisations.models import Organisation


def organisation_for_import(*, actor: User, organisation_id: int) -> Organisation:
    """The employer, when `actor` is one of its active correspondents; OrganisationNotFound (404) otherwise."""
    organisation = Organisation.objects.managed_by(actor).filter(pk=organisation_id).first()
    if organisation is None:
        raise OrganisationNotFound()
    return organisation


def facility_imports_of(*, actor: User, organisation_id: int) -> QuerySet[FacilityImport]:
    organisation = organisation_for_import(actor=actor, organisation_id=organisation_id)
    return FacilityImport.objects.filter(organisation=organisation).select_related("created_by")


def facility_import_get_for_actor(*, actor: User, organisation_id: int, import_id: int) -> FacilityImport:
    """Raises ImportNotFound (404) when missing, of another employer, or not the actor's to see."""
    found = (
        FacilityImport.objects.managed_by(actor)
        .filter(organisation_id=organisation_id, pk=import_id)
        .select_related("organisation", "created_by")
        .first()
    )
    if found is None:
        raise ImportNotFound()
    return found


def mapping_remembered(organisation: Organisation) -> dict[str, Any]:
    """The mapping of the employer's last import that got past its preview: the next file starts from it."""
    last = (
        FacilityImport.objects.filter(organisation=organisation)
        .exclude(status=ImportStatus.UPLOADED)
        .exclude(mapping={})
        .order_by("-created_at", "-id")
        .values_list("mapping", flat=True)
        .first()
    )
    return dict(last or {})
