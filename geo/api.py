"""Public reference data: régions, départements, communes, point lookup and basemap GeoJSON."""

from typing import Annotated

from django.contrib.gis.geos import Point
from django.http import HttpRequest, HttpResponse
from ninja import Query, Router
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


@router.get("/regions", response=PageOut[RegionOut], summary="Régions ; tri : name, code")
def regions(request: HttpRequest, paging: Query[ListQuery]) -> Page[Region]:
    return lists.paginate(
        request.GET,
        RegionFilter,
        selectors.region_list(),
        default_limit=REFERENCE_LIMIT,
        max_limit=REFERENCE_LIMIT,
    )


@router.get("/departements", response=PageOut[DepartementOut], summary="Départements ; tri : code, name")
def departements(
    request: HttpRequest,
    paging: Query[ListQuery],
    region: Annotated[str | None, Query(max_length=3, pattern=r"^\d{2}$")] = None,
) -> Page[Departement]:
    return lists.paginate(
        request.GET,
        DepartementFilter,
        selectors.departement_list(),
        default_limit=REFERENCE_LIMIT,
        max_limit=REFERENCE_LIMIT,
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
