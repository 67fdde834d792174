"""French territories: régions, départements and communes, with real (simplified) geometries in SRID 4326.

INSEE codes are the primary keys: they are stable, public, and what every French data source speaks.
`geom` is the full-resolution (already simplified upstream) boundary used for point-in-polygon lookups;
`geom_simple` is a lighter version for drawing (basemap, GeoJSON).
"""

from django.contrib.gis.db import models
from django.contrib.postgres.fields import ArrayField
from django.contrib.postgres.indexes import GinIndex, OpClass


class Region(models.Model):
    code = models.CharField("code INSEE", max_length=3, primary_key=True)
    name = models.CharField("nom", max_length=80)
    chef_lieu = models.CharField("chef-lieu (code commune)", max_length=5, blank=True)
    population = models.PositiveIntegerField("population municipale", default=0)
    geom = models.MultiPolygonField(srid=4326)
    geom_simple = models.MultiPolygonField(srid=4326)

    class Meta:
        verbose_name = "région"
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Departement(models.Model):
    code = models.CharField("code INSEE", max_length=3, primary_key=True)
    name = models.CharField("nom", max_length=80)
    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="departements")
    chef_lieu = models.CharField("chef-lieu (code commune)", max_length=5, blank=True)
    population = models.PositiveIntegerField("population municipale", default=0)
    geom = models.MultiPolygonField(srid=4326)
    geom_simple = models.MultiPolygonField(srid=4326)

    class Meta:
        verbose_name = "département"
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"


class Commune(models.Model):
    code = models.CharField("code INSEE", max_length=5, primary_key=True)
    name = models.CharField("nom", max_length=80)
    departement = models.ForeignKey(Departement, on_delete=models.PROTECT, related_name="communes")
    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="communes")
    population = models.PositiveIntegerField("population municipale", default=0)
    postal_codes = ArrayField(models.CharField(max_length=5), verbose_name="codes postaux", default=list)
    # The town hall when known, otherwise a point inside the commune: where a commune "is" on a map.
    point = models.PointField("point représentatif", srid=4326)
    geom = models.MultiPolygonField(srid=4326)
    # unaccent(lower(name)) with hyphens and apostrophes as spaces, filled by the loader: what search matches.
    search_name = models.CharField(max_length=80, editable=False)

    class Meta:
        verbose_name = "commune"
        ordering = ["name"]
        indexes = [
            GinIndex(OpClass("search_name", name="gin_trgm_ops"), name="geo_commune_search_trgm"),
            GinIndex(fields=["postal_codes"], name="geo_commune_postal_codes"),
        ]
        constraints = [
            # The target of the composite foreign keys that carry a commune with its département and région
            # (local_offers' facilities: one check instead of three per row written).
            models.UniqueConstraint(fields=["code", "departement", "region"], name="geo_commune_territory"),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.departement_id})"


class TerritoryDataset(models.Model):
    """What `load_territories` loaded last: the checksum of geo/data/ makes a second load a no-op."""

    checksum = models.CharField(max_length=64)
    loaded_at = models.DateTimeField(auto_now=True)
    regions = models.PositiveIntegerField(default=0)
    departements = models.PositiveIntegerField(default=0)
    communes = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = "jeu de territoires chargé"

    def __str__(self) -> str:
        return f"{self.communes} communes ({self.checksum[:12]})"
