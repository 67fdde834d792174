"""Homes offered for swaps, when they are free, and where their owners wish to go.

A home has two locations: the exact one (address and point), which only its owner ever sees, and a public
point, offset 300–800 m from it by a deterministic function of a secret and the home's id (services.py),
so that repeated searches cannot average the offset away. Maps, tiles, lists and exports use the public
point only.
"""

from __future__ import annotations

from typing import Any

import pgtrigger
from django.conf import settings
from django.contrib.gis.db import models
from django.contrib.gis.db.models.functions import Transform
from django.contrib.postgres.constraints import ExclusionConstraint
from django.contrib.postgres.fields import ArrayField, DateRangeField, RangeOperators
from django.contrib.postgres.indexes import GinIndex, GistIndex
from django.db.models import Q
from django.db.models.expressions import RawSQL
from django.utils.translation import gettext_lazy as _
from django_fsm import FSMField, FSMModelMixin, transition

from marketplace.fields import DateMultiRangeField

# The cluster grid of the map's low zooms: at tile zoom z, GRID_SIDE × GRID_SIDE cells per tile, that is cells of
# the Web Mercator grid of level z + GRID_LEVELS. HomeCell keeps the published homes counted per cell for every
# zoom up to CELLS_MAX_ZOOM, so a national tile reads a few hundred cells instead of aggregating a million homes.
GRID_LEVELS = 6
GRID_SIDE = 2**GRID_LEVELS
CELLS_MAX_ZOOM = 13
# HomeFacetCell counts them per cell, party size (sleeps) and kind too, for the zooms up to FACETS_MAX_ZOOM: a low
# zoom tile filtered on those alone sums cells instead of grouping hundreds of thousands of homes.
FACETS_MAX_ZOOM = 8
MERCATOR_HALF = 20037508.342789244


def cell_sql(axis: str, point: str, zoom: str) -> str:
    """SQL: the column (axis "x") or row ("y") of the grid cell holding the Web Mercator `point` at tile zoom
    `zoom` (an SQL expression). The one formula of the grid: the trigger, the recount and the tiles use it."""
    return cell_of_coordinate_sql(axis, f"ST_X({point})" if axis == "x" else f"ST_Y({point})", zoom)


def cell_of_coordinate_sql(axis: str, coordinate: str, zoom: str) -> str:
    """The same from the point's Web Mercator x (axis "x") or y (axis "y") alone (an SQL expression)."""
    side = 2 * MERCATOR_HALF
    if axis == "x":
        return f"floor(({coordinate} + {MERCATOR_HALF}) * (2 ^ ({zoom} + {GRID_LEVELS})) / {side})::int"
    return f"floor(({MERCATOR_HALF} - {coordinate}) * (2 ^ ({zoom} + {GRID_LEVELS})) / {side})::int"


def cell_keys_sql(point: str, zooms: str = f"generate_series(0, {CELLS_MAX_ZOOM})") -> str:
    """SQL rows (zoom, cx, cy): the cell of a Web Mercator `point` expression at each of `zooms` (a set of
    integers: every zoom of the grid by default)."""
    # Only constants and the callers' own SQL fragments: nothing of a request.
    return (
        f"SELECT g AS zoom, {cell_sql('x', point, 'g')} AS cx, {cell_sql('y', point, 'g')} AS cy"  # noqa: S608
        f" FROM {zooms} AS z(g)"
    )


FACET_ZOOMS = f"generate_series(0, {FACETS_MAX_ZOOM})"

# Home writes take this lock before touching the cells, so that two transactions changing several homes
# cannot lock cells in opposite orders (a deadlock); home writes are rare, the wait is short.
CELLS_LOCK = 7_420_001


class HomeKind(models.TextChoices):
    FLAT = "flat", _("Appartement")
    HOUSE = "house", _("Maison")
    OTHER = "other", _("Autre")


class Amenity(models.TextChoices):
    GARDEN = "garden", _("Jardin")
    BALCONY = "balcony", _("Balcon ou terrasse")
    PARKING = "parking", _("Parking")
    WIFI = "wifi", _("Wi-Fi")
    WASHING_MACHINE = "washing_machine", _("Lave-linge")
    DISHWASHER = "dishwasher", _("Lave-vaisselle")
    LIFT = "lift", _("Ascenseur")
    AIR_CONDITIONING = "air_conditioning", _("Climatisation")
    CHILD_EQUIPMENT = "child_equipment", _("Équipement pour enfants")
    BIKES = "bikes", _("Vélos")
    SEA_VIEW = "sea_view", _("Vue sur la mer")
    MOUNTAIN = "mountain", _("À la montagne")


class Accessibility(models.TextChoices):
    STEP_FREE = "step_free", _("Accès de plain-pied")
    LIFT = "lift", _("Ascenseur")
    ADAPTED_BATHROOM = "adapted_bathroom", _("Salle de bains adaptée")
    WIDE_DOORS = "wide_doors", _("Portes larges")
    GROUND_FLOOR_BEDROOM = "ground_floor_bedroom", _("Chambre au rez-de-chaussée")


class HomeStatus(models.TextChoices):
    DRAFT = "draft", _("Brouillon")
    PUBLISHED = "published", _("Publié")
    PAUSED = "paused", _("En pause")
    ARCHIVED = "archived", _("Archivé")


class HomeQuerySet(models.QuerySet["Home"]):
    def visible_to(self, actor: Any) -> HomeQuerySet:
        """Published homes for any signed-in person; the owner's own in every status but archived;
        everything for an administrator. Anonymous visitors see none."""
        if getattr(actor, "is_superuser", False):
            return self.all()
        if not getattr(actor, "is_authenticated", False):
            return self.none()
        return self.filter(Q(status=HomeStatus.PUBLISHED) | (Q(owner=actor) & ~Q(status=HomeStatus.ARCHIVED)))

    def owned_by(self, user: Any) -> HomeQuerySet:
        return self.filter(owner=user).exclude(status=HomeStatus.ARCHIVED)

    def published(self) -> HomeQuerySet:
        return self.filter(status=HomeStatus.PUBLISHED)


class Home(FSMModelMixin, models.Model):
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="homes")
    title = models.CharField("titre", max_length=120)
    description = models.TextField("description", max_length=5000, blank=True)
    kind = models.CharField("type", max_length=10, choices=HomeKind.choices)
    sleeps = models.PositiveSmallIntegerField("couchages")
    bedrooms = models.PositiveSmallIntegerField("chambres", default=1)
    surface_m2 = models.PositiveSmallIntegerField("surface (m²)", null=True, blank=True)
    amenities = ArrayField(models.CharField(max_length=30, choices=Amenity.choices), default=list, blank=True)
    accessibility = ArrayField(
        models.CharField(max_length=30, choices=Accessibility.choices), default=list, blank=True
    )
    pets_allowed = models.BooleanField("animaux acceptés", default=False)
    smoking_allowed = models.BooleanField("fumeurs acceptés", default=False)
    # Private: the owner only (later also a confirmed swap partner).
    address = models.CharField("adresse", max_length=300)
    point = models.PointField("emplacement exact", srid=4326, spatial_index=False)  # never searched
    # Public: a stable offset of 300–800 m from `point`, computed once per home (services.home_public_point).
    public_point = models.PointField("emplacement approximatif", srid=4326, spatial_index=False)
    # The same in Web Mercator, computed by the database: what the search's index, its distance order (KNN,
    # isotropic locally: Mercator is conformal) and the tiles use, with no transformation per row.
    public_point_m = models.GeneratedField(
        expression=Transform("public_point", 3857),
        output_field=models.PointField(srid=3857, spatial_index=False),
        db_persist=True,
    )
    # The union of the availability periods, kept by the database (triggers `home_availability`): the search
    # filters dates in the same index scan as the place (the `home_search` index).
    availability = DateMultiRangeField(default="{}", editable=False)
    commune = models.ForeignKey("geo.Commune", on_delete=models.PROTECT, related_name="+")
    departement = models.ForeignKey("geo.Departement", on_delete=models.PROTECT, related_name="+")
    region = models.ForeignKey("geo.Region", on_delete=models.PROTECT, related_name="+")
    status = FSMField(max_length=20, choices=HomeStatus.choices, default=HomeStatus.DRAFT, protected=True)
    # Paused by the platform (the owner lost eligibility), not by the owner: it comes back by itself.
    paused_for_eligibility = models.BooleanField(default=False)
    # First publication or return to the map: what saved-search alerts call "new".
    published_at = models.DateTimeField(null=True, blank=True, db_index=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = HomeQuerySet.as_manager()

    class Meta:
        verbose_name = "logement"
        constraints = [
            models.CheckConstraint(condition=Q(sleeps__gte=1, sleeps__lte=30), name="home_sleeps_range"),
            models.CheckConstraint(condition=Q(bedrooms__lte=30), name="home_bedrooms_range"),
            models.CheckConstraint(
                condition=Q(surface_m2__isnull=True) | Q(surface_m2__gte=5, surface_m2__lte=5000),
                name="home_surface_range",
            ),
            models.CheckConstraint(condition=Q(status__in=HomeStatus.values), name="home_status_valid"),
        ]
        indexes = [
            # Place, dates and party size in one scan of published homes; ordered by distance (KNN) too.
            GistIndex(
                fields=["public_point_m", "availability", "sleeps"],
                name="home_search",
                condition=Q(status=HomeStatus.PUBLISHED),
            ),
            # Matching: the published homes inside a wish's place (exchanges.matching), a point-in-polygon on
            # the public point, the same predicate as the reverse search.
            GistIndex(
                fields=["public_point"], name="home_match_point", condition=Q(status=HomeStatus.PUBLISHED)
            ),
            # Dates first, for the filtered tiles of low zooms (a tile as wide as France: the place selects
            # nothing there, the dates do): it holds every column those tiles and their usual filters read, so
            # the homes free on the stay's middle nights are grouped from the index alone (index-only scan),
            # without reading their rows scattered over the whole table.
            GistIndex(
                fields=["availability"],
                name="home_dates",
                include=[
                    "id",
                    "owner",
                    "sleeps",
                    "kind",
                    "public_point_m",
                    "availability",
                    "amenities",
                    "accessibility",
                ],
                condition=Q(status=HomeStatus.PUBLISHED),
            ),
            models.Index(fields=["status", "region"], name="home_status_region"),
            models.Index(fields=["status", "-created_at", "-id"], name="home_status_newest"),
        ]
        triggers = [
            # availability is always the union of the home's periods, whatever a writer sends (Django's save()
            # writes every column, with the value it read earlier).
            pgtrigger.Trigger(
                name="home_availability",
                when=pgtrigger.Before,
                operation=pgtrigger.Insert | pgtrigger.Update,
                func="""
    NEW.availability := coalesce(
        (SELECT range_agg(p.period) FROM exchanges_availabilityperiod p WHERE p.home_id = NEW.id), '{}');
    RETURN NEW;
""",
            ),
            # Its wishes carry its public point (DestinationWish.origin): a move rewrites them.
            pgtrigger.Trigger(
                name="home_wishes_origin",
                when=pgtrigger.After,
                operation=pgtrigger.UpdateOf("public_point"),
                condition=pgtrigger.Condition("OLD.public_point IS DISTINCT FROM NEW.public_point"),
                func="UPDATE exchanges_destinationwish SET origin = NEW.public_point WHERE home_id = NEW.id; RETURN NULL;",
            ),
            # The cells of the cluster grid follow the published homes: -1 where a home leaves (unpublished,
            # moved, deleted), +1 where it arrives; sum_id is the home's id while a cell holds only one.
            pgtrigger.Trigger(
                name="home_cells",
                when=pgtrigger.After,
                operation=pgtrigger.Insert | pgtrigger.Update | pgtrigger.Delete,
                # Constants only (CELLS_LOCK, the grid's SQL), nothing of a request.
                func=f"""
    IF TG_OP = 'UPDATE' AND OLD.status = NEW.status AND ST_X(OLD.public_point_m) = ST_X(NEW.public_point_m)
       AND ST_Y(OLD.public_point_m) = ST_Y(NEW.public_point_m) THEN
        RETURN NULL;
    END IF;
    IF TG_OP IN ('UPDATE', 'DELETE') AND OLD.status = 'published' THEN
        PERFORM pg_advisory_xact_lock({CELLS_LOCK});
        WITH k AS ({cell_keys_sql("OLD.public_point_m")})
        UPDATE exchanges_homecell c SET count = c.count - 1, sum_x = c.sum_x - ST_X(OLD.public_point_m),
            sum_y = c.sum_y - ST_Y(OLD.public_point_m), sum_id = c.sum_id - OLD.id
        FROM k WHERE c.zoom = k.zoom AND c.cx = k.cx AND c.cy = k.cy;
        WITH k AS ({cell_keys_sql("OLD.public_point_m")})
        DELETE FROM exchanges_homecell c USING k
        WHERE c.zoom = k.zoom AND c.cx = k.cx AND c.cy = k.cy AND c.count <= 0;
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') AND NEW.status = 'published' THEN
        PERFORM pg_advisory_xact_lock({CELLS_LOCK});
        INSERT INTO exchanges_homecell (zoom, cx, cy, count, sum_x, sum_y, sum_id)
        SELECT k.zoom, k.cx, k.cy, 1, ST_X(NEW.public_point_m), ST_Y(NEW.public_point_m), NEW.id
        FROM ({cell_keys_sql("NEW.public_point_m")}) k ORDER BY k.zoom
        ON CONFLICT (zoom, cx, cy) DO UPDATE SET count = exchanges_homecell.count + 1,
            sum_x = exchanges_homecell.sum_x + excluded.sum_x, sum_y = exchanges_homecell.sum_y + excluded.sum_y,
            sum_id = exchanges_homecell.sum_id + excluded.sum_id;
    END IF;
    RETURN NULL;
""",  # noqa: S608
            ),
            # The same for the faceted cells (party size and kind) of the low zooms; a change of sleeps or kind
            # moves the home from one facet to another.
            pgtrigger.Trigger(
                name="home_facet_cells",
                when=pgtrigger.After,
                operation=pgtrigger.Insert | pgtrigger.Update | pgtrigger.Delete,
                # Constants only (CELLS_LOCK, the grid's SQL), nothing of a request.
                func=f"""
    IF TG_OP = 'UPDATE' AND OLD.status = NEW.status AND ST_X(OLD.public_point_m) = ST_X(NEW.public_point_m)
       AND ST_Y(OLD.public_point_m) = ST_Y(NEW.public_point_m) AND OLD.sleeps = NEW.sleeps
       AND OLD.kind = NEW.kind THEN
        RETURN NULL;
    END IF;
    IF TG_OP IN ('UPDATE', 'DELETE') AND OLD.status = 'published' THEN
        PERFORM pg_advisory_xact_lock({CELLS_LOCK});
        WITH k AS ({cell_keys_sql("OLD.public_point_m", FACET_ZOOMS)})
        UPDATE exchanges_homefacetcell c SET count = c.count - 1, sum_x = c.sum_x - ST_X(OLD.public_point_m),
            sum_y = c.sum_y - ST_Y(OLD.public_point_m), sum_id = c.sum_id - OLD.id
        FROM k WHERE c.zoom = k.zoom AND c.cx = k.cx AND c.cy = k.cy AND c.sleeps = OLD.sleeps
            AND c.kind = OLD.kind;
        WITH k AS ({cell_keys_sql("OLD.public_point_m", FACET_ZOOMS)})
        DELETE FROM exchanges_homefacetcell c USING k
        WHERE c.zoom = k.zoom AND c.cx = k.cx AND c.cy = k.cy AND c.sleeps = OLD.sleeps AND c.kind = OLD.kind
            AND c.count <= 0;
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') AND NEW.status = 'published' THEN
        PERFORM pg_advisory_xact_lock({CELLS_LOCK});
        INSERT INTO exchanges_homefacetcell (zoom, cx, cy, sleeps, kind, count, sum_x, sum_y, sum_id)
        SELECT k.zoom, k.cx, k.cy, NEW.sleeps, NEW.kind, 1, ST_X(NEW.public_point_m), ST_Y(NEW.public_point_m),
            NEW.id
        FROM ({cell_keys_sql("NEW.public_point_m", FACET_ZOOMS)}) k ORDER BY k.zoom
        ON CONFLICT (zoom, cx, cy, sleeps, kind) DO UPDATE SET count = exchanges_homefacetcell.count + 1,
            sum_x = exchanges_homefacetcell.sum_x + excluded.sum_x,
            sum_y = exchanges_homefacetcell.sum_y + excluded.sum_y,
            sum_id = exchanges_homefacetcell.sum_id + excluded.sum_id;
    END IF;
    RETURN NULL;
""",  # noqa: S608
            ),
            # One row per free run of a published home (exchanges_homefreerun): rewritten whenever what a dated
            # tile reads of the home changes (its periods rewrite the home row, whose availability the BEFORE
            # trigger above recomputes first).
            pgtrigger.Trigger(
                name="home_free_runs",
                when=pgtrigger.After,
                operation=pgtrigger.Insert | pgtrigger.Update | pgtrigger.Delete,
                func="""
    IF TG_OP = 'UPDATE' AND OLD.status = NEW.status AND OLD.availability = NEW.availability
       AND OLD.sleeps = NEW.sleeps AND OLD.kind = NEW.kind AND OLD.owner_id = NEW.owner_id
       AND OLD.amenities = NEW.amenities AND OLD.accessibility = NEW.accessibility
       AND ST_X(OLD.public_point_m) = ST_X(NEW.public_point_m) AND ST_Y(OLD.public_point_m) = ST_Y(NEW.public_point_m)
    THEN
        RETURN NULL;
    END IF;
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        DELETE FROM exchanges_homefreerun WHERE home_id = OLD.id;
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') AND NEW.status = 'published' THEN
        INSERT INTO exchanges_homefreerun (home_id, owner_id, sleeps, kind, amenities, accessibility, x, y, free)
        SELECT NEW.id, NEW.owner_id, NEW.sleeps, NEW.kind, NEW.amenities, NEW.accessibility,
            ST_X(NEW.public_point_m), ST_Y(NEW.public_point_m), r
        FROM unnest(NEW.availability) r;
    END IF;
    RETURN NULL;
""",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def amenity_labels(self) -> list[str]:
        return [str(Amenity(value).label) for value in self.amenities if value in Amenity.values]

    # The owner publishes, pauses, archives; only an eligible owner publishes (checked by the service).
    @transition(
        field=status,
        source=[HomeStatus.DRAFT, HomeStatus.PAUSED],
        target=HomeStatus.PUBLISHED,
        permission="exchanges.manage_home",
    )
    def publish(self, *, at: Any) -> None:
        self.paused_for_eligibility = False
        self.published_at = at

    @transition(
        field=status,
        source=HomeStatus.PUBLISHED,
        target=HomeStatus.PAUSED,
        permission="exchanges.manage_home",
    )
    def pause(self, *, for_eligibility: bool = False) -> None:
        self.paused_for_eligibility = for_eligibility

    @transition(
        field=status,
        source=[HomeStatus.DRAFT, HomeStatus.PUBLISHED, HomeStatus.PAUSED],
        target=HomeStatus.ARCHIVED,
        permission="exchanges.manage_home",
    )
    def archive(self) -> None:
        """Only the status changes (transition_run writes the event)."""


class AvailabilityMode(models.TextChoices):
    RECIPROCAL = "reciprocal", _("Échange réciproque uniquement")
    OPEN = "open", _("Ouvert à toute demande")


class AvailabilityPeriod(models.Model):
    """When the home is free: a half-open date range [start, end). Periods of one home never overlap."""

    home = models.ForeignKey(Home, on_delete=models.CASCADE, related_name="periods")
    period = DateRangeField("période")
    mode = models.CharField(
        max_length=12, choices=AvailabilityMode.choices, default=AvailabilityMode.RECIPROCAL
    )

    class Meta:
        verbose_name = "période de disponibilité"
        constraints = [
            ExclusionConstraint(
                name="availability_no_overlap",
                expressions=[("home", RangeOperators.EQUAL), ("period", RangeOperators.OVERLAPS)],
            ),
            models.CheckConstraint(condition=~Q(period__isempty=True), name="availability_not_empty"),
        ]
        triggers = [
            # A period written or removed rewrites its home's row, whose own trigger recomputes availability.
            pgtrigger.Trigger(
                name="home_availability_follows",
                when=pgtrigger.After,
                operation=pgtrigger.Insert | pgtrigger.Update | pgtrigger.Delete,
                func="""
    UPDATE exchanges_home SET availability = '{}' WHERE id = OLD.home_id OR id = NEW.home_id;
    RETURN NULL;
""",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.home_id}: {self.period}"


class DestinationWish(models.Model):
    """Where the owner of a home wishes to go, when, and with how many people.

    The place is any mix of régions, départements, communes, a drawn area and a circle; `target` is their
    union, computed by the service, so that "does this home match the wish" is one spatial predicate.
    """

    home = models.ForeignKey(Home, on_delete=models.CASCADE, related_name="wishes")
    regions = ArrayField(models.CharField(max_length=3), default=list, blank=True)
    departements = ArrayField(models.CharField(max_length=3), default=list, blank=True)
    communes = ArrayField(models.CharField(max_length=5), default=list, blank=True)
    area = models.MultiPolygonField("zone dessinée", srid=4326, null=True, blank=True)
    center = models.PointField("centre", srid=4326, null=True, blank=True)
    radius_m = models.PositiveIntegerField("rayon (m)", null=True, blank=True)
    target = models.MultiPolygonField("zone souhaitée", srid=4326)
    # The area of `target`, kept by the database (trigger `wish_target_km2`): how precise the wish is, for
    # the ranking of matches, without measuring a région's outline again for every candidate.
    target_km2 = models.FloatField(default=0, editable=False)
    dates = DateRangeField("dates souhaitées")
    flexibility_days = models.PositiveSmallIntegerField("souplesse (jours)", default=0)
    adults = models.PositiveSmallIntegerField("adultes", default=1)
    children = models.PositiveSmallIntegerField("enfants", default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    # Kept by the database from the columns above, for the matching (exchanges.matching.graph): the dates
    # widened by the flexibility (the nights a host's periods are cut to), searched with the place in one
    # index (`wish_place_reach`), and a digest of the place's exact bytes, so that the homes a place
    # contains are tested once per distinct place (thousands of wishes share a région's outline).
    reach = models.GeneratedField(
        expression=RawSQL(
            "daterange(lower(dates) - flexibility_days, upper(dates) + flexibility_days)",
            [],
            output_field=DateRangeField(),
        ),
        output_field=DateRangeField(),
        db_persist=True,
    )
    target_digest = models.GeneratedField(
        # The first 128 bits of the SHA-256 of the place's EWKB: fixed width, compared at once.
        expression=RawSQL(
            "encode(substring(sha256(ST_AsEWKB(target)) from 1 for 16), 'hex')::uuid",
            [],
            output_field=models.UUIDField(),
        ),
        output_field=models.UUIDField(),
        db_persist=True,
    )

    # The public point of the wish's home, copied by the database (triggers `wish_origin` here and
    # `home_wishes_origin` on the home): the pairs of a home (exchanges.matching.graph.PAIRS_SQL) keep, in the
    # index (`wish_place_reach_origin`), only the wishes whose household lives where the home's own wishes go,
    # without looking up the thousands of households whose wishes merely cover the home.
    origin = models.PointField(srid=4326, null=True, blank=True, editable=False, spatial_index=False)

    class Meta:
        verbose_name = "souhait de destination"
        constraints = [
            models.CheckConstraint(condition=~Q(dates__isempty=True), name="wish_dates_not_empty"),
            models.CheckConstraint(condition=Q(flexibility_days__lte=30), name="wish_flexibility_range"),
            models.CheckConstraint(
                condition=Q(adults__gte=1, adults__lte=20, children__lte=20), name="wish_party"
            ),
            models.CheckConstraint(
                condition=Q(center__isnull=True, radius_m__isnull=True)
                | Q(center__isnull=False, radius_m__gte=100, radius_m__lte=200_000),
                name="wish_circle_complete",
            ),
        ]
        indexes = [
            GistIndex(fields=["target"], name="wish_target_gist"),
            # The wishes whose place's box holds a point and whose dates meet some availability: the guests
            # a home may receive (exchanges.matching.graph), the dates pruned in the index.
            # With the household's point (`origin`): the wishes that may take in a home and whose household
            # lives in a given box, the box pruned in the index too (the pairs of a home).
            GistIndex(fields=["target", "reach", "origin"], name="wish_place_reach_origin"),
            models.Index(fields=["target_digest"], name="wish_target_digest"),
        ]
        triggers = [
            pgtrigger.Trigger(
                name="wish_target_km2",
                when=pgtrigger.Before,
                operation=pgtrigger.Insert | pgtrigger.UpdateOf("target"),
                func="NEW.target_km2 := ST_Area(NEW.target::geography) / 1e6; RETURN NEW;",
            ),
            # Whatever a writer sends, `origin` is the home's public point (the home's trigger
            # `home_wishes_origin` follows a move).
            pgtrigger.Trigger(
                name="wish_origin",
                when=pgtrigger.Before,
                operation=pgtrigger.Insert | pgtrigger.Update,
                func="NEW.origin := (SELECT h.public_point FROM exchanges_home h WHERE h.id = NEW.home_id); RETURN NEW;",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.home_id} → {self.dates}"

    @property
    def party_size(self) -> int:
        return self.adults + self.children


class HomePhoto(models.Model):
    """A photo of a home, re-encoded by the service (metadata stripped, random name). At most
    MAX_PHOTOS per home."""

    MAX_PHOTOS = 20

    home = models.ForeignKey(Home, on_delete=models.CASCADE, related_name="photos")
    image = models.FileField(upload_to="homes/")
    width = models.PositiveSmallIntegerField()
    height = models.PositiveSmallIntegerField()
    position = models.PositiveSmallIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "photo de logement"
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return f"{self.home_id}#{self.position}"


class FavouriteList(models.Model):
    """A named list of homes an agent keeps (« Été 2027 », « Bretagne »…)."""

    MAX_PER_OWNER = 20

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="favourite_lists",
        db_index=False,
    )
    name = models.CharField("nom", max_length=80)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "liste de favoris"
        constraints = [models.UniqueConstraint(fields=["owner", "name"], name="favourite_list_name_unique")]

    def __str__(self) -> str:
        return self.name


class Favourite(models.Model):
    favourite_list = models.ForeignKey(
        FavouriteList, on_delete=models.CASCADE, related_name="entries", db_index=False
    )
    home = models.ForeignKey(Home, on_delete=models.CASCADE, related_name="+")
    added_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "favori"
        constraints = [
            models.UniqueConstraint(fields=["favourite_list", "home"], name="favourite_once_per_list")
        ]


class SavedSearch(models.Model):
    """A search an agent keeps, with an e-mail when a new home matches it (daily, each home once)."""

    MAX_PER_OWNER = 20

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="saved_searches"
    )
    name = models.CharField("nom", max_length=80)
    query = models.CharField("paramètres", max_length=2000)  # the search's query string, checked when saved
    alerts = models.BooleanField("alertes par e-mail", default=True)
    checked_at = models.DateTimeField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "recherche enregistrée"

    def __str__(self) -> str:
        return self.name


class SavedSearchAlert(models.Model):
    """A home already announced for a saved search: it is never announced twice."""

    saved_search = models.ForeignKey(
        SavedSearch, on_delete=models.CASCADE, related_name="alerted", db_index=False
    )
    home = models.ForeignKey(Home, on_delete=models.CASCADE, related_name="+")
    sent_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["saved_search", "home"], name="saved_search_alert_once")
        ]


class HomeCell(models.Model):
    """Published homes counted in one cell of the cluster grid at one zoom (kept by Home's `home_cells`
    trigger; `services.home_cells_rebuild` recomputes them all). sum_x/sum_y give the cell's centroid; while
    count is 1, sum_id is the id of its only home."""

    zoom = models.PositiveSmallIntegerField()
    cx = models.IntegerField()
    cy = models.IntegerField()
    count = models.IntegerField()
    sum_x = models.FloatField()
    sum_y = models.FloatField()
    sum_id = models.BigIntegerField()

    class Meta:
        verbose_name = "case de la grille des logements"
        constraints = [models.UniqueConstraint(fields=["zoom", "cx", "cy"], name="home_cell_unique")]

    def __str__(self) -> str:
        return f"z{self.zoom} {self.cx},{self.cy}: {self.count}"


class HomeFacetCell(models.Model):
    """Published homes of one party size (sleeps) and kind counted in one cell of the cluster grid, at the zooms
    up to FACETS_MAX_ZOOM (kept by Home's `home_facet_cells` trigger, recomputed by
    `services.home_cells_rebuild`): a tile filtered on party size and kind only sums a cell's facets. The same
    sums as HomeCell."""

    zoom = models.PositiveSmallIntegerField()
    cx = models.IntegerField()
    cy = models.IntegerField()
    sleeps = models.PositiveSmallIntegerField()
    kind = models.CharField(max_length=10)
    count = models.IntegerField()
    sum_x = models.FloatField()
    sum_y = models.FloatField()
    sum_id = models.BigIntegerField()

    class Meta:
        verbose_name = "case de la grille des logements par capacité et type"
        constraints = [
            models.UniqueConstraint(
                fields=["zoom", "cx", "cy", "sleeps", "kind"], name="home_facet_cell_unique"
            )
        ]

    def __str__(self) -> str:
        return f"z{self.zoom} {self.cx},{self.cy} {self.kind} {self.sleeps}: {self.count}"


class HomeFreeRun(models.Model):
    """One free run (a range of its availability) of a published home, with what a dated tile reads of the
    home: its owner, party size, kind, amenities, accessibility and public point in Web Mercator (kept by Home's `home_free_runs` trigger,
    recomputed by `services.home_cells_rebuild`). A stay with its slack is exactly found from runs: when the stay
    is longer than twice its slack, every slid stay holds its middle nights, so a home has at most one run that
    can hold it, and that run holds it when it is at least as long as the stay. The `home_free_run` index finds
    the runs holding those nights and returns every column (index-only scan): a national dated tile groups a few
    dozen thousand narrow index entries instead of the homes' rows."""

    home_id = models.BigIntegerField(db_index=True)
    owner_id = models.BigIntegerField()
    sleeps = models.PositiveSmallIntegerField()
    kind = models.CharField(max_length=10)
    amenities = ArrayField(models.CharField(max_length=30), default=list)
    accessibility = ArrayField(models.CharField(max_length=30), default=list)
    x = models.FloatField()
    y = models.FloatField()
    free = DateRangeField()

    class Meta:
        verbose_name = "période libre d'un logement publié"
        indexes = [
            GistIndex(
                fields=["free"],
                name="home_free_run",
                include=["x", "y", "sleeps", "kind", "owner_id", "home_id", "amenities", "accessibility"],
            )
        ]

    def __str__(self) -> str:
        return f"{self.home_id}: {self.free}"


class SuggestionKind(models.TextChoices):
    PAIR = "pair", _("Échange réciproque")
    CYCLE = "cycle", _("Boucle d'échanges")


class Suggestion(models.Model):
    """One of the best swaps found for a home (exchanges.matching), kept fresh by the refresh jobs.

    `homes` starts with `home`; the household of homes[i] stays at homes[i + 1] (the last at the first), all
    during `window`. The one-line reason is rendered in the viewer's language from `reason` (a key) and
    `params`, never stored as text."""

    home = models.ForeignKey(Home, on_delete=models.CASCADE, related_name="suggestions", db_index=False)
    rank = models.PositiveSmallIntegerField()
    kind = models.CharField(max_length=5, choices=SuggestionKind.choices)
    homes = ArrayField(models.BigIntegerField())
    window = DateRangeField("dates en commun")
    score = models.FloatField()
    reason = models.CharField(max_length=40)
    params = models.JSONField(default=dict)
    computed_at = models.DateTimeField()

    class Meta:
        verbose_name = "suggestion d'échange"
        constraints = [
            models.UniqueConstraint(fields=["home", "rank"], name="suggestion_rank_unique"),
            models.CheckConstraint(
                condition=Q(kind="pair", homes__len=2) | Q(kind="cycle", homes__len__in=[3, 4]),
                name="suggestion_kind_length",
            ),
        ]
        # "which suggestions go through this home": what the incremental refresh asks when a home changes.
        indexes = [GinIndex(fields=["homes"], name="suggestion_homes")]

    def __str__(self) -> str:
        return f"{self.home_id} #{self.rank}: {self.homes}"


class BestHosts(models.Model):
    """The hosts of a home's BEAM best stays out (engine._top's order: best first), as the last refresh of
    the suggestions found them: the middle stays of the 4-cycles that the search through another home tries
    (exchanges.matching.graph.local_matches). A home wished by région has thousands of hosts: ranking them all
    again for each of a viewer's hosts on every request is what this row saves. Written by the refreshes with
    the suggestions (as fresh as they are: the job after a change, every home each night); the stays
    themselves are read when used."""

    home = models.OneToOneField(Home, on_delete=models.CASCADE, primary_key=True, related_name="best_hosts")
    hosts = ArrayField(models.BigIntegerField())
    computed_at = models.DateTimeField()

    class Meta:
        verbose_name = "meilleurs hôtes"

    def __str__(self) -> str:
        return f"{self.home_id}: {self.hosts}"
