from ninja import Schema


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


class CommuneOut(Schema):
    code: str
    name: str
    population: int
    postal_codes: list[str]
    departement: TerritoryRef
    region: TerritoryRef


class LocateOut(Schema):
    commune: TerritoryRef
    departement: TerritoryRef
    region: TerritoryRef
