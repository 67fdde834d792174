"""API shapes of homes. The exact address and point appear only in `private`, filled for the owner alone."""

import datetime as dt
from typing import Annotated, Any

from ninja import Schema
from pydantic import ConfigDict, Field

from exchanges.models import Accessibility, Amenity, AvailabilityMode, HomeKind
from marketplace.inputs import Address, Description, Title

Lon = Annotated[float, Field(ge=-180, le=180, description="Longitude WGS 84")]
Lat = Annotated[float, Field(ge=-90, le=90, description="Latitude WGS 84")]


class Place(Schema):
    code: str
    name: str


class Location(Schema):
    lon: float
    lat: float


class PeriodOut(Schema):
    id: int
    start: dt.date
    end: dt.date
    mode: str

    @staticmethod
    def resolve_start(obj: Any) -> dt.date:
        return obj.period.lower

    @staticmethod
    def resolve_end(obj: Any) -> dt.date:
        return obj.period.upper


class WishOut(Schema):
    id: int
    regions: list[str]
    departements: list[str]
    communes: list[str]
    radius_m: int | None
    start: dt.date
    end: dt.date
    flexibility_days: int
    adults: int
    children: int

    @staticmethod
    def resolve_start(obj: Any) -> dt.date:
        return obj.dates.lower

    @staticmethod
    def resolve_end(obj: Any) -> dt.date:
        return obj.dates.upper


class PhotoOut(Schema):
    id: int
    url: str
    width: int
    height: int
    position: int

    @staticmethod
    def resolve_url(obj: Any) -> str:
        return str(obj.image.url)


class HomePrivate(Schema):
    address: str
    location: Location


class HomePublic(Schema):
    """What anybody who may see a home sees of it: the public point, never the exact one."""

    id: int
    title: str
    kind: str
    sleeps: int
    bedrooms: int
    amenities: list[str]
    accessibility: list[str]
    approximate_location: Location = Field(description="Décalée de 300 à 800 m : jamais l'emplacement exact")
    commune: Place
    departement: Place
    region: Place

    @staticmethod
    def resolve_approximate_location(obj: Any) -> dict[str, float]:
        return {"lon": round(obj.public_point.x, 6), "lat": round(obj.public_point.y, 6)}

    @staticmethod
    def resolve_commune(obj: Any) -> dict[str, str]:
        return {"code": obj.commune.code, "name": obj.commune.name}

    @staticmethod
    def resolve_departement(obj: Any) -> dict[str, str]:
        return {"code": obj.departement.code, "name": obj.departement.name}

    @staticmethod
    def resolve_region(obj: Any) -> dict[str, str]:
        return {"code": obj.region.code, "name": obj.region.name}


class HomeOut(HomePublic):
    description: str
    surface_m2: int | None
    pets_allowed: bool
    smoking_allowed: bool
    status: str
    owner_name: str
    photos: list[PhotoOut]
    periods: list[PeriodOut]
    wishes: list[WishOut]
    private: HomePrivate | None = Field(
        description="Adresse et emplacement exacts : pour le propriétaire seul"
    )

    @staticmethod
    def resolve_owner_name(obj: Any) -> str:
        return str(obj.owner)

    @staticmethod
    def resolve_photos(obj: Any) -> list[Any]:
        return list(obj.photos.all())

    @staticmethod
    def resolve_periods(obj: Any) -> list[Any]:
        return list(obj.periods.all())

    @staticmethod
    def resolve_wishes(obj: Any) -> list[Any]:
        return list(obj.wishes.all())

    @staticmethod
    def resolve_private(obj: Any, context: dict[str, Any]) -> dict[str, Any] | None:
        request = context.get("request")
        user = getattr(request, "user", None)
        if user is None or getattr(user, "pk", None) != obj.owner_id:
            return None
        return {"address": obj.address, "location": {"lon": obj.point.x, "lat": obj.point.y}}


class HomeIn(Schema):
    model_config = ConfigDict(extra="forbid")

    title: Title
    description: Description = ""
    kind: HomeKind
    sleeps: Annotated[int, Field(ge=1, le=30)]
    bedrooms: Annotated[int, Field(ge=0, le=30)] = 1
    surface_m2: Annotated[int, Field(ge=5, le=5000)] | None = None
    amenities: Annotated[list[Amenity], Field(max_length=len(Amenity.values))] = []
    accessibility: Annotated[list[Accessibility], Field(max_length=len(Accessibility.values))] = []
    pets_allowed: bool = False
    smoking_allowed: bool = False
    address: Address
    lon: Lon
    lat: Lat


class HomePatch(Schema):
    model_config = ConfigDict(extra="forbid")

    title: Title | None = None
    description: Description | None = None
    kind: HomeKind | None = None
    sleeps: Annotated[int, Field(ge=1, le=30)] | None = None
    bedrooms: Annotated[int, Field(ge=0, le=30)] | None = None
    surface_m2: Annotated[int, Field(ge=5, le=5000)] | None = None
    amenities: Annotated[list[Amenity], Field(max_length=len(Amenity.values))] | None = None
    accessibility: Annotated[list[Accessibility], Field(max_length=len(Accessibility.values))] | None = None
    pets_allowed: bool | None = None
    smoking_allowed: bool | None = None
    address: Address | None = None
    lon: Lon | None = None
    lat: Lat | None = None


class PeriodIn(Schema):
    model_config = ConfigDict(extra="forbid")

    start: dt.date
    end: dt.date = Field(description="Exclue : la période est [start, end)")
    mode: AvailabilityMode = AvailabilityMode.RECIPROCAL


class WishIn(Schema):
    model_config = ConfigDict(extra="forbid")

    start: dt.date
    end: dt.date
    regions: Annotated[list[Annotated[str, Field(max_length=3)]], Field(max_length=50)] = []
    departements: Annotated[list[Annotated[str, Field(max_length=3)]], Field(max_length=50)] = []
    communes: Annotated[list[Annotated[str, Field(max_length=5)]], Field(max_length=50)] = []
    area: dict[str, Any] | None = Field(default=None, description="Polygon ou MultiPolygon GeoJSON (WGS 84)")
    center_lon: Lon | None = None
    center_lat: Lat | None = None
    radius_m: Annotated[int, Field(ge=100, le=200_000)] | None = None
    flexibility_days: Annotated[int, Field(ge=0, le=30)] = 0
    adults: Annotated[int, Field(ge=1, le=20)] = 1
    children: Annotated[int, Field(ge=0, le=20)] = 0


class HomeCard(HomePublic):
    """A search result: what a map card shows."""

    distance_m: int | None = Field(None, description="Avec near : distance au point public, en mètres")

    @staticmethod
    def resolve_distance_m(obj: Any) -> int | None:
        distance = getattr(obj, "distance", None)
        return None if distance is None else round(distance.m)


class FavouriteListOut(Schema):
    id: int
    name: str
    homes: list[HomeCard]

    @staticmethod
    def resolve_homes(obj: Any) -> list[Any]:
        return [entry.home for entry in obj.entries.all()]


class FavouriteListIn(Schema):
    model_config = ConfigDict(extra="forbid")

    name: Annotated[str, Field(min_length=1, max_length=320)]


class FavouriteIn(Schema):
    model_config = ConfigDict(extra="forbid")

    home_id: int


class SavedSearchIn(Schema):
    model_config = ConfigDict(extra="forbid")

    name: Annotated[str, Field(min_length=1, max_length=320)]
    query: Annotated[str, Field(max_length=2000, description="Les paramètres de /api/v1/homes/search")]
    alerts: bool = True


class SavedSearchOut(Schema):
    id: int
    name: str
    query: str
    alerts: bool
    created_at: dt.datetime


class MatchHomeOut(Schema):
    """A home of a suggestion, public data only (the approximate point, never the exact one)."""

    id: int
    title: str
    kind: str
    sleeps: int
    commune: str
    departement: str
    region: str
    lon: float
    lat: float


class MatchOut(Schema):
    rank: int
    kind: str = Field(description="pair ou cycle")
    homes: list[MatchHomeOut] = Field(
        description="votre logement d'abord ; le foyer de homes[i] séjourne chez homes[i + 1], le dernier chez le premier"
    )
    start: dt.date
    end: dt.date = Field(description="jour du retour (exclu)")
    score: float
    reason: str
    params: dict[str, int]
    text: str = Field(description="la raison en une ligne, dans la langue de la personne")
