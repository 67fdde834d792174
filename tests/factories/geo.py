"""Small synthetic territories for tests that do not need the real map (square boundaries around a point)."""

import factory
from django.contrib.gis.geos import MultiPolygon, Point, Polygon

from geo.models import Commune, Departement, Region


def square(lon: float, lat: float, half: float = 0.05) -> MultiPolygon:
    ring = (
        (lon - half, lat - half),
        (lon + half, lat - half),
        (lon + half, lat + half),
        (lon - half, lat + half),
        (lon - half, lat - half),
    )
    return MultiPolygon(Polygon(ring, srid=4326), srid=4326)


class RegionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Region
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"R{n % 100:02d}")
    name = factory.Sequence(lambda n: f"Région {n}")
    geom = factory.LazyFunction(lambda: square(5.0, 45.0, 1.0))
    geom_simple = factory.LazyAttribute(lambda o: o.geom)


class DepartementFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Departement
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"D{n % 100:02d}")
    name = factory.Sequence(lambda n: f"Département {n}")
    region = factory.SubFactory(RegionFactory)
    geom = factory.LazyFunction(lambda: square(5.0, 45.0, 0.5))
    geom_simple = factory.LazyAttribute(lambda o: o.geom)


class CommuneFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Commune
        django_get_or_create = ("code",)

    class Params:
        lon = 5.0
        lat = 45.0

    code = factory.Sequence(lambda n: f"C{n % 10000:04d}")
    name = factory.Sequence(lambda n: f"Commune {n}")
    departement = factory.SubFactory(DepartementFactory)
    region = factory.LazyAttribute(lambda o: o.departement.region)
    population = 1000
    postal_codes = factory.LazyFunction(lambda: ["38000"])
    point = factory.LazyAttribute(lambda o: Point(o.lon, o.lat, srid=4326))
    geom = factory.LazyAttribute(lambda o: square(o.lon, o.lat, 0.02))
    search_name = factory.LazyAttribute(lambda o: o.name.lower())
