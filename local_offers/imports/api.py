"""/api/v1/organisations/{id}/facility-imports: upload, list, status, preview, confirm. Only the employer's
active correspondents; anyone else gets a 404 on every path."""

from typing import Any

from django.http import HttpRequest
from ninja import File, Query, Router, UploadedFile
from ninja.responses import Status
from ninja.security import django_auth

from local_offers.imports import selectors, services
from local_offers.imports.exceptions import ImportWrongState
from local_offers.imports.filters import FacilityImportFilter
from local_offers.imports.models import ImportStatus
from local_offers.imports.schemas import ConfirmIn, ImportOut, PreviewIn, PreviewOut, import_out
from marketplace import lists
from marketplace.accounts.models import User
from marketplace.core.throttle import throttle
from marketplace.lists import ListQuery, PageOut

router = Router(tags=["local offers: import"], auth=django_auth)
BASE = "/{organisation_id}/facility-imports"


def _actor(request: HttpRequest) -> User:
    assert isinstance(request.user, User)
    return request.user


@router.post(BASE, response={201: ImportOut}, summary="Envoyer un fichier d'équipements")
@throttle("facility_import")
def import_upload(request: HttpRequest, organisation_id: int, file: File[UploadedFile]) -> Status[Any]:
    record = services.facility_import_upload(
        actor=_actor(request), organisation_id=organisation_id, upload=file
    )
    return Status(201, import_out(record))


@router.get(BASE, response=PageOut[ImportOut], summary="Imports de l'employeur, les plus récents d'abord")
def import_list(request: HttpRequest, organisation_id: int, paging: Query[ListQuery]) -> dict[str, object]:
    rows = selectors.facility_imports_of(actor=_actor(request), organisation_id=organisation_id)
    page = lists.paginate(request.GET, FacilityImportFilter, rows)
    return {"items": [import_out(r) for r in page.items], "next": page.next}


@router.get(BASE + "/{import_id}", response=ImportOut, summary="État d'un import (avancement, bilan)")
def import_detail(request: HttpRequest, organisation_id: int, import_id: int) -> dict[str, Any]:
    return import_out(
        selectors.facility_import_get_for_actor(
            actor=_actor(request), organisation_id=organisation_id, import_id=import_id
        )
    )


@router.get(BASE + "/{import_id}/preview", response=PreviewOut, summary="L'aperçu calculé")
def import_preview_get(request: HttpRequest, organisation_id: int, import_id: int) -> dict[str, Any]:
    record = selectors.facility_import_get_for_actor(
        actor=_actor(request), organisation_id=organisation_id, import_id=import_id
    )
    if record.status == ImportStatus.UPLOADED:
        raise ImportWrongState(detail={"status": record.status})
    return dict(record.preview)


@router.post(
    BASE + "/{import_id}/preview",
    response=PreviewOut,
    summary="Associer les colonnes et calculer l'aperçu (créés, mis à jour, rejetés avec leur ligne)",
)
def import_preview(
    request: HttpRequest, organisation_id: int, import_id: int, payload: PreviewIn
) -> dict[str, Any]:
    record = selectors.facility_import_get_for_actor(
        actor=_actor(request), organisation_id=organisation_id, import_id=import_id
    )
    record = services.facility_import_preview(
        actor=_actor(request), facility_import=record, mapping=payload.mapping, crs=payload.crs
    )
    return dict(record.preview)


@router.post(
    BASE + "/{import_id}/confirm", response={202: ImportOut}, summary="Lancer l'import (dans le worker)"
)
def import_confirm(
    request: HttpRequest, organisation_id: int, import_id: int, payload: ConfirmIn
) -> Status[Any]:
    record = selectors.facility_import_get_for_actor(
        actor=_actor(request), organisation_id=organisation_id, import_id=import_id
    )
    record = services.facility_import_confirm(
        actor=_actor(request), facility_import=record, publish=payload.publish
    )
    return Status(202, import_out(record))
