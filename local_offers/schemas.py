"""API shapes of facilities. Inputs are checked by the same rules as the pages (`marketplace.inputs`), then
again by the services."""

import datetime as dt
from typing import Annotated, Any

from ninja import Schema
from pydantic import ConfigDict, Field

from local_offers.models import ACCESSIBILITY_FLAGS, FacilityCategory
from marketplace.inputs import (
    Description,
    Email,
    OrganisationName,
    Phone,
    _pydantic,
    clean_multiline,
    clean_text,
)

Lon = Annotated[float, Field(ge=-180, le=180, description="Longitude WGS 84")]
Lat = Annotated[float, Field(ge=-90, le=90, description="Latitude WGS 84")]
Clock = Annotated[
    str, Field(pattern=r"^([01]\d|2[0-3]):[0-5]\d$|^24:00$", description="HH:MM, de 00:00 à 24:00")
]
Line = Annotated[str, Field(max_length=1200), _pydantic(lambda v: clean_text(v, max_length=300))]
ShortLine = Annotated[str, Field(max_length=400), _pydantic(lambda v: clean_text(v, max_length=100))]
Note = Annotated[str, Field(max_length=8000), _pydantic(lambda v: clean_multiline(v, max_length=2000))]
Website = Annotated[str, Field(max_length=1200, description="http(s)://…")]


class Place(Schema):
    code: str
    name: str


class Location(Schema):
    lon: float
    lat: float


class HoursIn(Schema):
    model_config = ConfigDict(extra="forbid")

    weekday: Annotated[int, Field(ge=1, le=7, description="1 lundi … 7 dimanche")]
    opens: Clock
    closes: Clock


class HoursOut(Schema):
    weekday: int
    opens: str
    closes: str

    @staticmethod
    def resolve_opens(obj: Any) -> str:
        return clock(obj.minutes.lower)

    @staticmethod
    def resolve_closes(obj: Any) -> str:
        return clock(obj.minutes.upper)


def clock(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


class ClosureIn(Schema):
    model_config = ConfigDict(extra="forbid")

    start: dt.date
    end: dt.date = Field(description="Exclu : fermé du jour start au jour end - 1")
    reason: ShortLine = ""


class ClosureOut(Schema):
    start: dt.date
    end: dt.date
    reason: str

    @staticmethod
    def resolve_start(obj: Any) -> dt.date:
        return obj.dates.lower

    @staticmethod
    def resolve_end(obj: Any) -> dt.date:
        return obj.dates.upper


class PhotoOut(Schema):
    id: int
    url: str
    alt_text: str
    width: int
    height: int
    position: int

    @staticmethod
    def resolve_url(obj: Any) -> str:
        return str(obj.image.url)


class Accessibility(Schema):
    motor: bool
    visual: bool
    hearing: bool
    mental: bool


class FacilityCard(Schema):
    """A search result: what the map's card and list show."""

    id: int
    name: str
    category: str
    category_label: str
    address: str
    location: Location
    commune: Place
    departement: Place
    accessibility: Accessibility
    distance_m: int | None = Field(
        None, description="Avec near ou bbox : distance au point (ou au centre), en mètres"
    )

    @staticmethod
    def resolve_category_label(obj: Any) -> str:
        return str(FacilityCategory(obj.category).label)

    @staticmethod
    def resolve_location(obj: Any) -> dict[str, float]:
        return {"lon": round(obj.location.x, 6), "lat": round(obj.location.y, 6)}

    @staticmethod
    def resolve_commune(obj: Any) -> dict[str, str]:
        return {"code": obj.commune.code, "name": obj.commune.name}

    @staticmethod
    def resolve_departement(obj: Any) -> dict[str, str]:
        return {"code": obj.departement.code, "name": obj.departement.name}

    @staticmethod
    def resolve_accessibility(obj: Any) -> dict[str, bool]:
        return {flag.removeprefix("access_"): bool(getattr(obj, flag)) for flag in ACCESSIBILITY_FLAGS}

    @staticmethod
    def resolve_distance_m(obj: Any) -> int | None:
        distance = getattr(obj, "distance", None)
        return None if distance is None else round(distance.m)


def facility_card(facility: Any) -> dict[str, Any]:
    """What FacilityCard gives for a facility, as plain data: the search answers with it without a schema
    validating each field of each card through the resolvers above (a test holds the two equal)."""
    distance = getattr(facility, "distance", None)
    # Numbers from the database when the queryset read them (`with_coordinates`), else the point's.
    lon = getattr(facility, "lon", None)
    lon, lat = (lon, facility.lat) if lon is not None else (facility.location.x, facility.location.y)
    return {
        "id": facility.pk,
        "name": facility.name,
        "category": facility.category,
        "category_label": str(FacilityCategory(facility.category).label),
        "address": facility.address,
        "location": {"lon": round(lon, 6), "lat": round(lat, 6)},
        "commune": {"code": facility.commune.code, "name": facility.commune.name},
        "departement": {"code": facility.departement.code, "name": facility.departement.name},
        "accessibility": {
            flag.removeprefix("access_"): bool(getattr(facility, flag)) for flag in ACCESSIBILITY_FLAGS
        },
        "distance_m": None if distance is None else round(distance.m),
    }


class StructureOut(Schema):
    id: int
    name: str
    siret: str


class FacilityOut(FacilityCard):
    organisation: Place
    structure: StructureOut | None
    description: str
    region: Place
    accessibility_note: str
    website: str
    phone: str
    email: str
    external_id: str
    status: str
    opening_hours: list[HoursOut]
    closures: list[ClosureOut]
    photos: list[PhotoOut]

    @staticmethod
    def resolve_organisation(obj: Any) -> dict[str, str]:
        return {"code": str(obj.organisation_id), "name": obj.organisation.name}

    @staticmethod
    def resolve_region(obj: Any) -> dict[str, str]:
        return {"code": obj.region.code, "name": obj.region.name}

    @staticmethod
    def resolve_opening_hours(obj: Any) -> list[Any]:
        return list(obj.opening_hours.all())

    @staticmethod
    def resolve_closures(obj: Any) -> list[Any]:
        return list(obj.closures.all())

    @staticmethod
    def resolve_photos(obj: Any) -> list[Any]:
        return list(obj.photos.all())


class FacilityIn(Schema):
    model_config = ConfigDict(extra="forbid")

    organisation_id: int
    structure_id: int | None = None
    name: OrganisationName
    category: FacilityCategory
    description: Description = ""
    address: Line = ""
    lon: Lon
    lat: Lat
    access_motor: bool = False
    access_visual: bool = False
    access_hearing: bool = False
    access_mental: bool = False
    accessibility_note: Note = ""
    website: Website = ""
    phone: Phone = ""
    email: Email = ""
    external_id: ShortLine = ""
    opening_hours: Annotated[list[HoursIn], Field(max_length=42)] = []
    closures: Annotated[list[ClosureIn], Field(max_length=60)] = []


class FacilityPatch(Schema):
    model_config = ConfigDict(extra="forbid")

    structure_id: int | None = None
    name: OrganisationName | None = None
    category: FacilityCategory | None = None
    description: Description | None = None
    address: Line | None = None
    lon: Lon | None = None
    lat: Lat | None = None
    access_motor: bool | None = None
    access_visual: bool | None = None
    access_hearing: bool | None = None
    access_mental: bool | None = None
    accessibility_note: Note | None = None
    website: Website | None = None
    phone: Phone | None = None
    email: Email | None = None
    external_id: ShortLine | None = None
    opening_hours: Annotated[list[HoursIn], Field(max_length=42)] | None = None
    closures: Annotated[list[ClosureIn], Field(max_length=60)] | None = None


class StructureIn(Schema):
    model_config = ConfigDict(extra="forbid")

    name: OrganisationName
    siret: Annotated[str, Field(min_length=14, max_length=20)]
