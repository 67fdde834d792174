"""Public reference data: régions, départements, communes, point lookup and basemap GeoJSON."""

import hashlib
import json
from collections.abc import Callable
from typing import Annotated, Any

from django.contrib.gis.geos import Point
from django.http import HttpRequest, HttpResponse
from ninja import Query, Router, Schema
from ninja.responses import NinjaJSONEncoder
from pydantic import Field

from geo import selectors
from geo.filters import CommuneFilter, DepartementFilter, RegionFilter
from geo.models import Commune, Departement, Region
from geo.schemas import CommuneOut, DepartementOut, LocateOut, RegionOut
from marketplace import lists
from marketplace.inputs import SearchQuery
from marketplace.lists import ListQuery, Page, PageOut

router = Router(tags=["geo"], auth=None)

Code = Annotated[str, Field(min_length=2, max_length=5, pattern=r"^[0-9ABab]{2,5}$")]


# Reference lists are short and bounded (18 régions, 101 départements): one page by default.
REFERENCE_LIMIT = 200


# Rendered pages of the reference lists, by (table version, path with query): they change only when the
# territories are reloaded, and every page with a territory filter asks for them.
_rendered: dict[tuple[str, str], tuple[str, bytes]] = {}
_RENDERED_MAX = 512


def _reference_list(
    request: HttpRequest,
    tables: tuple[type[Region] | type[Departement], ...],
    schema: type[Schema],
    build: Callable[[], Any],
) -> HttpResponse:
    """The list as JSON, rendered once per version of its table (selectors.table_version), with an ETag.

    `build` (lists.paginate) runs on a miss only, so bad parameters are still a 422 and nothing is cached for
    them; a client holding the current ETag gets a 304 without a body."""
    key = (selectors.table_version(*tables), request.get_full_path())
    found = _rendered.get(key)
    if found is None:
        data = schema.model_validate(build()).model_dump(mode="json")
        body = json.dumps(data, cls=NinjaJSONEncoder).encode()
        found = ('"' + hashlib.blake2b(body, digest_size=12).hexdigest() + '"', body)
        if len(_rendered) >= _RENDERED_MAX:
            _rendered.clear()
        _rendered[key] = found
    etag, body = found
    if etag in request.headers.get("If-None-Match", ""):
        response = HttpResponse(status=304)
    else:
        response = HttpResponse(body, content_type="application/json; charset=utf-8")
    response["ETag"] = etag
    response["Cache-Control"] = "public, max-age=0, must-revalidate"
    return response


@router.get("/regions", response=PageOut[RegionOut], summary="Régions ; tri : name, code")
def regions(request: HttpRequest, paging: Query[ListQuery]) -> HttpResponse:
    return _reference_list(
        request,
        (Region,),
        PageOut[RegionOut],
        lambda: lists.paginate(
            request.GET,
            RegionFilter,
            selectors.region_list(),
            default_limit=REFERENCE_LIMIT,
            max_limit=REFERENCE_LIMIT,
        ),
    )


@router.get("/departements", response=PageOut[DepartementOut], summary="Départements ; tri : code, name")
def departements(
    request: HttpRequest,
    paging: Query[ListQuery],
    region: Annotated[str | None, Query(max_length=3, pattern=r"^\d{2}$")] = None,
) -> HttpResponse:
    return _reference_list(
        request,
        (Departement, Region),
        PageOut[DepartementOut],
        lambda: lists.paginate(
            request.GET,
            DepartementFilter,
            selectors.departement_list(),
            default_limit=REFERENCE_LIMIT,
            max_limit=REFERENCE_LIMIT,
        ),
    )


@router.get("/departements.geojson", summary="Départements simplifiés (GeoJSON, fond de carte)")
def departements_geojson(request: HttpRequest) -> HttpResponse:
    return _geojson(selectors.basemap_geojson("departements"))


@router.get("/regions.geojson", summary="Régions simplifiées (GeoJSON, fond de carte)")
def regions_geojson(request: HttpRequest) -> HttpResponse:
    return _geojson(selectors.basemap_geojson("regions"))


@router.get("/departements/{code}", response=DepartementOut, summary="Un département")
def departement(request: HttpRequest, code: Code) -> Departement:
    return selectors.departement_get(code.upper())


@router.get(
    "/communes",
    response=PageOut[CommuneOut],
    summary="Recherche de communes (nom ou code postal), la plus pertinente d'abord ; `next` toujours nul",
)
def communes(
    request: HttpRequest,
    q: Annotated[SearchQuery, Query(description="Nom (accents ignorés) ou code postal")],
    limit: Annotated[int, Query(ge=1, le=50)] = 10,
) -> Page[Commune]:
    lists.cleaned(request.GET, CommuneFilter, Commune.objects.none())  # the same checks as every list
    return Page(selectors.commune_search(q, limit=limit), next=None)


@router.get("/communes/{code}", response=CommuneOut, summary="Une commune")
def commune(request: HttpRequest, code: Code) -> Commune:
    return selectors.commune_get(code.upper())


@router.get("/locate", response=LocateOut, summary="Commune, département et région d'un point")
def locate(
    request: HttpRequest,
    lon: Annotated[float, Query(description="Longitude WGS 84, de -180 à 180")],
    lat: Annotated[float, Query(description="Latitude WGS 84, de -90 à 90")],
) -> selectors.Territory:
    return selectors.territory_for_point(Point(lon, lat, srid=4326))


def _geojson(text: str) -> HttpResponse:
    response = HttpResponse(text, content_type="application/geo+json")
    response["Cache-Control"] = "public, max-age=3600"
    return response
