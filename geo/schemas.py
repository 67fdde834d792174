from typing import Any

from ninja import Schema
from pydantic import Field


class RegionOut(Schema):
    code: str
    name: str
    population: int
    chef_lieu: str


class DepartementOut(Schema):
    code: str
    name: str
    population: int
    chef_lieu: str
    region_code: str
    region_name: str

    @staticmethod
    def resolve_region_code(obj: object) -> str:
        return str(obj.region.code)  # type: ignore[attr-defined]

    @staticmethod
    def resolve_region_name(obj: object) -> str:
        return str(obj.region.name)  # type: ignore[attr-defined]


class TerritoryRef(Schema):
    code: str
    name: str


class LonLat(Schema):
    lon: float
    lat: float


class CommuneOut(Schema):
    code: str
    name: str
    population: int
    postal_codes: list[str]
    departement: TerritoryRef
    region: TerritoryRef
    location: LonLat = Field(description="Mairie (ou point intérieur) : où centrer une carte")

    @staticmethod
    def resolve_location(obj: Any) -> dict[str, float]:
        return {"lon": round(obj.point.x, 5), "lat": round(obj.point.y, 5)}


class LocateOut(Schema):
    commune: TerritoryRef
    departement: TerritoryRef
    region: TerritoryRef
