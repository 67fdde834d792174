"""Public reference data: régions, départements, communes, point lookup and basemap GeoJSON."""

from typing import Annotated

from django.contrib.gis.geos import Point
from django.http import HttpRequest, HttpResponse
from ninja import Query, Router
from pydantic import Field

from geo import selectors
from geo.models import Commune, Departement, Region
from geo.schemas import CommuneOut, DepartementOut, LocateOut, RegionOut
from marketplace.inputs import SearchQuery

router = Router(tags=["geo"], auth=None)

Code = Annotated[str, Field(min_length=2, max_length=5, pattern=r"^[0-9ABab]{2,5}$")]


@router.get("/regions", response=list[RegionOut], summary="Régions")
def regions(request: HttpRequest) -> list[Region]:
    return list(selectors.region_list())


@router.get("/departements", response=list[DepartementOut], summary="Départements")
def departements(
    request: HttpRequest, region: Annotated[str | None, Query(max_length=3, pattern=r"^\d{2}$")] = None
) -> list[Departement]:
    return list(selectors.departement_list(region=region))


@router.get("/departements.geojson", summary="Départements simplifiés (GeoJSON, fond de carte)")
def departements_geojson(request: HttpRequest) -> HttpResponse:
    return _geojson(selectors.basemap_geojson("departements"))


@router.get("/regions.geojson", summary="Régions simplifiées (GeoJSON, fond de carte)")
def regions_geojson(request: HttpRequest) -> HttpResponse:
    return _geojson(selectors.basemap_geojson("regions"))


@router.get("/departements/{code}", response=DepartementOut, summary="Un département")
def departement(request: HttpRequest, code: Code) -> Departement:
    return selectors.departement_get(code.upper())


@router.get("/communes", response=list[CommuneOut], summary="Recherche de communes (nom ou code postal)")
def communes(
    request: HttpRequest,
    q: Annotated[SearchQuery, Query(description="Nom (accents ignorés) ou code postal")],
    limit: Annotated[int, Query(ge=1, le=50)] = 10,
) -> list[Commune]:
    return selectors.commune_search(q, limit=limit)


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
