"""Facilities: search, the correspondents' editor, photos, workflow, exports and vector tiles. Session auth with
CSRF."""

import hashlib
import json
from typing import Annotated, Literal

from django.http import HttpRequest, HttpResponse, QueryDict
from django.utils.translation import gettext as _
from ninja import File, Form, Path, Query, Router, UploadedFile
from ninja.responses import NinjaJSONEncoder, Status
from ninja.security import django_auth

from local_offers import exports, selectors, services, tiles
from local_offers.filters import FacilitySearchFilter, MyFacilitiesFilter
from local_offers.models import Facility, FacilityPhoto, SubsidisedStructure
from local_offers.schemas import (
    FacilityCard,
    FacilityIn,
    FacilityOut,
    FacilityPatch,
    PhotoOut,
    StructureIn,
    StructureOut,
    facility_card,
)
from marketplace import lists
from marketplace.accounts.models import User
from marketplace.errors import InvalidField
from marketplace.lists import ListQuery, Page, PageOut

facilities = Router(tags=["facilities"], auth=django_auth)
organisation_facilities = Router(tags=["facilities"], auth=django_auth)
facility_tiles = Router(tags=["facilities"], auth=django_auth)


def _actor(request: HttpRequest) -> User:
    assert isinstance(request.user, User)
    return request.user


def _managed(request: HttpRequest, facility_id: int) -> Facility:
    return selectors.facility_get_for_manager(actor=_actor(request), facility_id=facility_id)


def _search_params(request: HttpRequest) -> QueryDict:
    params = request.GET.copy()
    params.pop("format", None)
    return params


@facilities.get(
    "",
    url_name="facility_search",
    response={200: PageOut[FacilityCard]},
    summary=(
        "Chercher des équipements publiés ; ?format=geojson pour une FeatureCollection ; tri : distance (à near "
        "ou au centre de bbox ; par défaut avec l'un d'eux), name (par défaut sinon), -created_at"
    ),
)
def search(
    request: HttpRequest, paging: Query[ListQuery], format: Literal["json", "geojson"] = "json"
) -> Page[Facility] | HttpResponse:
    searchable = selectors.facilities_searchable()
    if format != "geojson":
        searchable = searchable.with_coordinates()  # the cards' coordinates as numbers (no GEOS per row)
    page = lists.paginate(_search_params(request), FacilitySearchFilter, searchable, max_limit=500)
    if format == "geojson":
        return _geojson(page)
    # The cards as plain data (`facility_card`, equal to FacilityCard's), rendered as ninja renders the schema.
    body = {"items": [facility_card(f) for f in page.items], "next": page.next}
    return HttpResponse(
        json.dumps(body, cls=NinjaJSONEncoder), content_type="application/json; charset=utf-8"
    )


def _geojson(page: Page[Facility]) -> HttpResponse:
    features = [
        {
            "type": "Feature",
            "id": f.pk,
            "geometry": {"type": "Point", "coordinates": [round(f.location.x, 6), round(f.location.y, 6)]},
            "properties": {"id": f.pk, "name": f.name, "category": f.category},
        }
        for f in page.items
    ]
    body = {"type": "FeatureCollection", "features": features, "next": page.next}
    return HttpResponse(json.dumps(body, ensure_ascii=False), content_type="application/geo+json")


@facilities.post(
    "",
    url_name="facility_create",
    response={201: FacilityOut},
    summary="Ajouter un équipement (brouillon ; correspondant)",
)
def create(request: HttpRequest, payload: FacilityIn) -> Status[Facility]:
    data = payload.dict()
    organisation_id = data.pop("organisation_id")
    facility = services.facility_create(actor=_actor(request), organisation=organisation_id, **data)
    return Status(201, _managed(request, facility.pk))


@facilities.get("/{facility_id}", url_name="facility_detail", response=FacilityOut, summary="Un équipement")
def detail(request: HttpRequest, facility_id: int) -> Facility:
    return selectors.facility_get_for_actor(actor=_actor(request), facility_id=facility_id)


@facilities.patch(
    "/{facility_id}",
    url_name="facility_update",
    response=FacilityOut,
    summary="Modifier un équipement (correspondant)",
)
def update(request: HttpRequest, facility_id: int, payload: FacilityPatch) -> Facility:
    services.facility_update(
        actor=_actor(request), facility=_managed(request, facility_id), **payload.dict(exclude_unset=True)
    )
    return _managed(request, facility_id)


@facilities.delete(
    "/{facility_id}",
    url_name="facility_archive",
    response=FacilityOut,
    summary="Retirer un équipement (archivé)",
)
def archive(request: HttpRequest, facility_id: int) -> Facility:
    services.facility_archive(actor=_actor(request), facility=_managed(request, facility_id))
    return _managed(request, facility_id)


@facilities.post(
    "/{facility_id}/publish",
    url_name="facility_publish",
    response=FacilityOut,
    summary="Publier (employeur adhérent)",
)
def publish(request: HttpRequest, facility_id: int) -> Facility:
    services.facility_publish(actor=_actor(request), facility=_managed(request, facility_id))
    return _managed(request, facility_id)


@facilities.post(
    "/{facility_id}/unpublish",
    url_name="facility_unpublish",
    response=FacilityOut,
    summary="Dépublier (retour en brouillon)",
)
def unpublish(request: HttpRequest, facility_id: int) -> Facility:
    services.facility_unpublish(actor=_actor(request), facility=_managed(request, facility_id))
    return _managed(request, facility_id)


@facilities.post(
    "/{facility_id}/archive", url_name="facility_archive_transition", response=FacilityOut, summary="Archiver"
)
def archive_transition(request: HttpRequest, facility_id: int) -> Facility:
    services.facility_archive(actor=_actor(request), facility=_managed(request, facility_id))
    return _managed(request, facility_id)


@facilities.post(
    "/{facility_id}/restore",
    url_name="facility_restore",
    response=FacilityOut,
    summary="Restaurer (brouillon)",
)
def restore(request: HttpRequest, facility_id: int) -> Facility:
    services.facility_restore(actor=_actor(request), facility=_managed(request, facility_id))
    return _managed(request, facility_id)


@facilities.post(
    "/{facility_id}/photos",
    url_name="facility_add_photo",
    response={201: PhotoOut},
    summary="Ajouter une photo (JPEG, PNG ou WebP, 5 Mo)",
)
def add_photo(
    request: HttpRequest,
    facility_id: int,
    photo: File[UploadedFile],
    alt_text: Annotated[str, Form(max_length=800)] = "",
) -> Status[FacilityPhoto]:
    facility = _managed(request, facility_id)
    return Status(
        201, services.photo_add(actor=_actor(request), facility=facility, upload=photo, alt_text=alt_text)
    )


@facilities.delete(
    "/{facility_id}/photos/{photo_id}",
    url_name="facility_delete_photo",
    response={204: None},
    summary="Retirer une photo",
)
def delete_photo(request: HttpRequest, facility_id: int, photo_id: int) -> Status[None]:
    facility = _managed(request, facility_id)
    photo = selectors.photo_get_for_manager(actor=_actor(request), facility=facility, photo_id=photo_id)
    services.photo_delete(actor=_actor(request), photo=photo)
    return Status(204, None)


# ---- An employer's facilities (its correspondents) ----------------------------------------------------------


@organisation_facilities.get(
    "/{organisation_id}/facilities",
    url_name="facility_of_organisation",
    response=PageOut[FacilityOut],
    summary="Les équipements de mon employeur, tous statuts ; tri : name, -updated_at",
)
def of_organisation(request: HttpRequest, organisation_id: int, paging: Query[ListQuery]) -> Page[Facility]:
    organisation = selectors.organisation_managed(actor=_actor(request), organisation_id=organisation_id)
    return lists.paginate(
        request.GET,
        MyFacilitiesFilter,
        selectors.facilities_of_organisation(organisation)
        .select_related("organisation")
        .prefetch_related("photos"),
    )


@organisation_facilities.get(
    "/{organisation_id}/facilities/export",
    url_name="facility_export",
    response={200: None},
    summary="Exporter les équipements de mon employeur : GeoJSON, GeoPackage ou CSV (WGS 84)",
)
def export(
    request: HttpRequest, organisation_id: int, format: Literal["geojson", "gpkg", "csv"] = "geojson"
) -> HttpResponse:
    organisation = selectors.organisation_managed(actor=_actor(request), organisation_id=organisation_id)
    rows = selectors.facilities_of_organisation(organisation).order_by("name", "id")
    content_type, extension = exports.FORMATS[format]
    response = HttpResponse(exports.export(rows, format), content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="equipements-{organisation.pk}.{extension}"'
    return response


@organisation_facilities.get(
    "/{organisation_id}/structures",
    url_name="facility_structures",
    response=list[StructureOut],
    summary="Structures subventionnées",
)
def structures(request: HttpRequest, organisation_id: int) -> list[SubsidisedStructure]:
    organisation = selectors.organisation_managed(actor=_actor(request), organisation_id=organisation_id)
    return list(selectors.structures_of(organisation))


@organisation_facilities.post(
    "/{organisation_id}/structures",
    url_name="facility_structure_create",
    response={201: StructureOut},
    summary="Déclarer une structure subventionnée (SIRET)",
)
def structure_create(
    request: HttpRequest, organisation_id: int, payload: StructureIn
) -> Status[SubsidisedStructure]:
    return Status(
        201, services.structure_create(actor=_actor(request), organisation=organisation_id, **payload.dict())
    )


# ---- Tiles -------------------------------------------------------------------------------------------------


@facility_tiles.get(
    "/facilities/{z}/{x}/{y}.mvt",
    url_name="facility_tile",
    summary="Tuile vectorielle des équipements (mêmes filtres que la recherche ; regroupés aux petits zooms)",
    response={200: None, 304: None},
)
def facility_tile(request: HttpRequest, z: Annotated[int, Path(ge=0, le=22)], x: int, y: int) -> HttpResponse:
    if not (0 <= x < 2**z and 0 <= y < 2**z):
        raise InvalidField("x", _("Tuile hors de la grille : 0 ≤ x, y < 2^z."))
    params = _search_params(request)
    params.pop("bbox", None)  # the tile is the viewport
    key = f"{selectors.facilities_version()}|{z}/{x}/{y}|{params.urlencode()}"
    etag = '"' + hashlib.sha256(key.encode()).hexdigest()[:32] + '"'
    if request.headers.get("If-None-Match") == etag:
        response = HttpResponse(status=304)
    else:
        lists.check_params(params, FacilitySearchFilter, allowed=())
        queryset = lists.filtered(params, FacilitySearchFilter, selectors.facilities_searchable())
        response = HttpResponse(
            tiles.tile(queryset, z, x, y), content_type="application/vnd.mapbox-vector-tile"
        )
    response["ETag"] = etag
    response["Cache-Control"] = "private, max-age=60"
    return response
