"""Facilities (public equipment) that member employers reference, and the structures they subsidise.

A facility belongs to one member employer (`organisation`): that employer's correspondents manage it. When
the venue is run by a structure the employer subsidises (an association, a SEM…), `structure` names it, with
its SIRET. The location is a WGS 84 point; `location_m`, its Web Mercator copy computed by the database, is
what the search's index, its nearest-first order and the vector tiles read.

Opening hours are rows: weekly ranges (`FacilityOpeningHours`, minutes of the day, never overlapping within a
day: an exclusion constraint) and exceptional closures (`FacilityClosure`, date ranges). "Open on a date" is
then one EXISTS on each.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.conf import settings
from django.contrib.gis.db import models
from django.contrib.gis.db.models.functions import Transform
from django.contrib.postgres.constraints import ExclusionConstraint
from django.contrib.postgres.fields import DateRangeField, IntegerRangeField, RangeOperators
from django.contrib.postgres.indexes import GistIndex
from django.db.models import Exists, F, FloatField, Func, OuterRef, Q, Value
from django.db.models.functions import NullIf
from django.utils.translation import gettext_lazy as _
from django_fsm import FSMField, FSMModelMixin, transition

from local_offers.validators import validate_siret
from marketplace.organisations.models import OfficerTerritory, StaffRole


class FacilityCategory(models.TextChoices):
    MUSEUM = "museum", _("Musée")
    HERITAGE = "heritage", _("Site patrimonial")
    LIBRARY = "library", _("Bibliothèque, médiathèque")
    CINEMA = "cinema", _("Cinéma")
    PERFORMANCE = "performance", _("Théâtre, salle de concert")
    POOL = "pool", _("Piscine")
    SPORTS = "sports", _("Équipement sportif")
    LEISURE_PARK = "leisure_park", _("Parc de loisirs")
    ZOO = "zoo", _("Zoo, aquarium")
    HOLIDAY_CENTRE = "holiday_centre", _("Centre de vacances")
    CAMPSITE = "campsite", _("Camping")
    OTHER = "other", _("Autre")


class FacilityStatus(models.TextChoices):
    DRAFT = "draft", _("Brouillon")
    PUBLISHED = "published", _("Publié")
    ARCHIVED = "archived", _("Archivé")


# The four accessibility flags, in the order pages and files list them (column name → label).
ACCESSIBILITY_FLAGS: dict[str, Any] = {
    "access_motor": _("Handicap moteur"),
    "access_visual": _("Handicap visuel"),
    "access_hearing": _("Handicap auditif"),
    "access_mental": _("Handicap mental"),
}


def _managed_organisations(user: Any) -> Any:
    """The employers `user` is an active correspondent of, as a subquery."""
    return StaffRole.objects.active_correspondents().filter(user=user).values("organisation")


class SubsidisedStructureQuerySet(models.QuerySet["SubsidisedStructure"]):
    def managed_by(self, user: Any) -> SubsidisedStructureQuerySet:
        if getattr(user, "is_superuser", False):
            return self.all()
        if not getattr(user, "is_authenticated", False):
            return self.none()
        return self.filter(organisation__in=_managed_organisations(user))


class SubsidisedStructure(models.Model):
    """A structure a member employer subsidises (association, SEM, EPIC…) that runs some of its facilities."""

    organisation = models.ForeignKey(
        "organisations.Organisation",
        on_delete=models.CASCADE,
        related_name="subsidised_structures",
        db_index=False,
    )
    name = models.CharField("nom", max_length=200)
    siret = models.CharField("SIRET", max_length=14, validators=[validate_siret])
    created_at = models.DateTimeField(auto_now_add=True)

    objects = SubsidisedStructureQuerySet.as_manager()

    class Meta:
        verbose_name = "structure subventionnée"
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["organisation", "siret"], name="structure_siret_once_per_org"),
            models.CheckConstraint(condition=Q(siret__regex=r"^\d{14}$"), name="structure_siret_14_digits"),
        ]

    def __str__(self) -> str:
        return self.name


class FacilityQuerySet(models.QuerySet["Facility"]):
    def visible_to(self, actor: Any) -> FacilityQuerySet:
        """Published facilities for any signed-in person; every status for the correspondents of its
        employer; everything for an administrator. Anonymous visitors see none."""
        if getattr(actor, "is_superuser", False):
            return self.all()
        if not getattr(actor, "is_authenticated", False):
            return self.none()
        return self.filter(
            Q(status=FacilityStatus.PUBLISHED) | Q(organisation__in=_managed_organisations(actor))
        )

    def with_external_id(self, organisation_id: int, external_id: str) -> FacilityQuerySet:
        """The employer's facility with this external id (at most one), found through the unique key's own
        expression (`facility_external_id_once_per_org`); none for an empty id."""
        if not external_id:
            return self.none()
        return self.alias(external_key=NullIf("external_id", Value(""))).filter(
            organisation_id=organisation_id, external_key=external_id
        )

    def with_coordinates(self) -> FacilityQuerySet:
        """`lon` and `lat` as numbers read by the database, the point itself not loaded: a search card needs
        no geometry object per row (GEOS: about twenty calls each to read and take apart)."""
        return self.defer("location").annotate(
            lon=Func("location", function="ST_X", output_field=FloatField()),
            lat=Func("location", function="ST_Y", output_field=FloatField()),
        )

    def managed_by(self, user: Any) -> FacilityQuerySet:
        """The facilities of the employers `user` is an active correspondent of (all for an administrator)."""
        if getattr(user, "is_superuser", False):
            return self.all()
        if not getattr(user, "is_authenticated", False):
            return self.none()
        return self.filter(organisation__in=_managed_organisations(user))

    def published(self) -> FacilityQuerySet:
        return self.filter(status=FacilityStatus.PUBLISHED)

    def open_on(self, day: datetime.date) -> FacilityQuerySet:
        """Facilities with weekly hours on that weekday and no exceptional closure covering the day."""
        hours = FacilityOpeningHours.objects.filter(facility=OuterRef("pk"), weekday=day.isoweekday())
        closed = FacilityClosure.objects.filter(facility=OuterRef("pk"), dates__contains=day)
        return self.filter(Exists(hours)).exclude(Exists(closed))

    def covered_on(self, day: datetime.date) -> FacilityQuerySet:
        """Facilities named by an agreement active that day (its benefit is offered to agents)."""
        covered = AgreementFacility.objects.filter(
            facility=OuterRef("pk"),
            agreement__status=AgreementStatus.ACTIVE,
            validity__contains=day,
        )
        return self.filter(Exists(covered))


class Facility(FSMModelMixin, models.Model):
    # Indexes: each one is paid on every row a bulk import writes (together, most of its INSERT), so none is
    # redundant. The employer's lookups use the unique key of its external ids
    # (`facility_external_id_once_per_org`, led by organisation); a territory's, `facility_territory_status`
    # (Meta); no `varchar_pattern_ops` copy of a code for a LIKE nobody does.
    organisation = models.ForeignKey(
        "organisations.Organisation",
        on_delete=models.PROTECT,
        related_name="facilities",
        verbose_name="employeur gestionnaire",
        db_index=False,
    )
    # Set when a structure the employer subsidises runs the venue (same employer: the service checks it).
    structure = models.ForeignKey(
        SubsidisedStructure,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="facilities",
        verbose_name="structure subventionnée",
        db_index=False,  # partial index in Meta
    )
    # A code compared byte-wise (collation "C"): the search index (`facility_search`) compares categories on
    # every entry it places, and the database's locale would do it through the C library's rules for text.
    category = models.CharField(
        "catégorie", max_length=20, choices=FacilityCategory.choices, db_collation="C"
    )
    name = models.CharField("nom", max_length=200)
    description = models.TextField("description", max_length=5000, blank=True)
    address = models.CharField("adresse", max_length=300, blank=True)
    location = models.PointField("emplacement", srid=4326, spatial_index=False)
    # Web Mercator copy computed by the database: the search index (`facility_search`), nearest-first (KNN,
    # conformal so locally isotropic) and the tiles use it with no transformation per row.
    location_m = models.GeneratedField(
        expression=Transform("location", 3857),
        output_field=models.PointField(srid=3857, spatial_index=False),
        db_persist=True,
    )
    # The territory: one composite foreign key in the database, (commune, département, région) → the commune's
    # own triple (`facility_territory_fk`, migration 0007; unique key `geo_commune_territory`), instead of
    # one per column: an import pays one check per row instead of three, and a facility's département and
    # région are always its commune's (they follow it if the territory data moves a commune: ON UPDATE
    # CASCADE). The three stay foreign keys for Django (joins, PROTECT).
    commune = models.ForeignKey(
        "geo.Commune", on_delete=models.PROTECT, related_name="+", db_index=False, db_constraint=False
    )
    departement = models.ForeignKey(
        "geo.Departement", on_delete=models.PROTECT, related_name="+", db_index=False, db_constraint=False
    )
    region = models.ForeignKey(
        "geo.Region", on_delete=models.PROTECT, related_name="+", db_index=False, db_constraint=False
    )
    access_motor = models.BooleanField("accessible handicap moteur", default=False)
    access_visual = models.BooleanField("accessible handicap visuel", default=False)
    access_hearing = models.BooleanField("accessible handicap auditif", default=False)
    access_mental = models.BooleanField("accessible handicap mental", default=False)
    accessibility_note = models.TextField("accessibilité (précisions)", max_length=2000, blank=True)
    website = models.URLField("site web", max_length=300, blank=True)
    phone = models.CharField("téléphone", max_length=20, blank=True)
    email = models.EmailField("e-mail", max_length=254, blank=True)
    # The facility's id in the employer's own file (bulk import): unique per employer when given.
    external_id = models.CharField("identifiant externe", max_length=100, blank=True)
    status = FSMField(
        "statut", max_length=20, choices=FacilityStatus.choices, default=FacilityStatus.DRAFT, protected=True
    )
    published_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = FacilityQuerySet.as_manager()

    class Meta:
        verbose_name = "équipement"
        constraints = [
            # An external id once per employer; none ("") any number of times (NULL in the index, never equal).
            # Not partial: the same index serves every lookup by employer (`Facility.objects.with_external_id`
            # for one id).
            models.UniqueConstraint(
                F("organisation"), NullIf("external_id", Value("")), name="facility_external_id_once_per_org"
            ),
            models.CheckConstraint(
                condition=Q(status__in=FacilityStatus.values), name="facility_status_valid"
            ),
            models.CheckConstraint(
                condition=Q(category__in=FacilityCategory.values), name="facility_category_valid"
            ),
        ]
        indexes = [
            # Place (bbox, radius, tiles) and nearest first (KNN) over published facilities; category rides
            # along (btree_gist) so a category filter stays in the same scan.
            GistIndex(
                fields=["location_m", "category"],
                name="facility_search",
                condition=Q(status=FacilityStatus.PUBLISHED),
            ),
            # Every territory, with or without a status, in one index: a département leads it; a commune is
            # looked up with its département and a région through its départements (`FacilitySearchFilter`),
            # and the composite foreign key (`facility_territory_fk`) by all three. One index instead of one
            # per level: an import pays one entry per row instead of three.
            models.Index(fields=["departement", "commune", "status"], name="facility_territory_status"),
            # Few facilities have a structure: an import (none) adds no entry.
            models.Index(
                fields=["structure"], condition=Q(structure__isnull=False), name="facility_structure"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def accessibility_labels(self) -> list[str]:
        return [str(label) for flag, label in ACCESSIBILITY_FLAGS.items() if getattr(self, flag)]

    # The employer's correspondents publish, unpublish (back to draft), archive and restore.
    @transition(
        field=status,
        source=FacilityStatus.DRAFT,
        target=FacilityStatus.PUBLISHED,
        permission="local_offers.manage_facility",
    )
    def publish(self, *, at: datetime.datetime) -> None:
        self.published_at = at

    @transition(
        field=status,
        source=FacilityStatus.PUBLISHED,
        target=FacilityStatus.DRAFT,
        permission="local_offers.manage_facility",
    )
    def unpublish(self) -> None:
        """Only the status changes (transition_run writes the event)."""

    @transition(
        field=status,
        source=[FacilityStatus.DRAFT, FacilityStatus.PUBLISHED],
        target=FacilityStatus.ARCHIVED,
        permission="local_offers.manage_facility",
    )
    def archive(self) -> None:
        """Only the status changes (transition_run writes the event)."""

    @transition(
        field=status,
        source=FacilityStatus.ARCHIVED,
        target=FacilityStatus.DRAFT,
        permission="local_offers.manage_facility",
    )
    def restore(self) -> None:
        """Only the status changes (transition_run writes the event)."""


class Weekday(models.IntegerChoices):
    MONDAY = 1, _("lundi")
    TUESDAY = 2, _("mardi")
    WEDNESDAY = 3, _("mercredi")
    THURSDAY = 4, _("jeudi")
    FRIDAY = 5, _("vendredi")
    SATURDAY = 6, _("samedi")
    SUNDAY = 7, _("dimanche")


class FacilityOpeningHours(models.Model):
    """A weekly opening range: on `weekday` (ISO, Monday 1), from minute `minutes.lower` of the day to
    `minutes.upper` (exclusive). Ranges of one facility and day never overlap; closing comes after opening."""

    facility = models.ForeignKey(Facility, on_delete=models.CASCADE, related_name="opening_hours")
    weekday = models.PositiveSmallIntegerField("jour", choices=Weekday.choices)
    minutes = IntegerRangeField("horaires (minutes du jour)")

    class Meta:
        verbose_name = "horaire d'ouverture"
        ordering = ["weekday", "minutes"]
        constraints = [
            ExclusionConstraint(
                name="opening_hours_no_overlap",
                expressions=[
                    ("facility", RangeOperators.EQUAL),
                    ("weekday", RangeOperators.EQUAL),
                    ("minutes", RangeOperators.OVERLAPS),
                ],
            ),
            models.CheckConstraint(condition=Q(weekday__gte=1, weekday__lte=7), name="opening_hours_weekday"),
            models.CheckConstraint(
                condition=~Q(minutes__isempty=True)
                & Q(minutes__startswith__gte=0)
                & Q(minutes__endswith__lte=24 * 60),
                name="opening_hours_within_day",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.facility_id}: {self.weekday} {self.minutes}"


class FacilityClosure(models.Model):
    """An exceptional closure: the facility is closed every day of `dates` (half-open, like every date range)."""

    facility = models.ForeignKey(Facility, on_delete=models.CASCADE, related_name="closures")
    dates = DateRangeField("dates de fermeture")
    reason = models.CharField("motif", max_length=200, blank=True)

    class Meta:
        verbose_name = "fermeture exceptionnelle"
        ordering = ["dates"]
        constraints = [
            ExclusionConstraint(
                name="closure_no_overlap",
                expressions=[("facility", RangeOperators.EQUAL), ("dates", RangeOperators.OVERLAPS)],
            ),
            models.CheckConstraint(condition=~Q(dates__isempty=True), name="closure_not_empty"),
        ]

    def __str__(self) -> str:
        return f"{self.facility_id}: {self.dates}"


class FacilityPhoto(models.Model):
    """A photo of a facility, re-encoded by the service (metadata stripped, random name)."""

    MAX_PHOTOS = 12

    facility = models.ForeignKey(Facility, on_delete=models.CASCADE, related_name="photos")
    image = models.FileField(upload_to="facilities/")
    # What the photo shows, for screen readers (the facility's name when empty).
    alt_text = models.CharField("description de la photo", max_length=200, blank=True)
    width = models.PositiveSmallIntegerField()
    height = models.PositiveSmallIntegerField()
    position = models.PositiveSmallIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "photo d'équipement"
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return f"{self.facility_id}#{self.position}"


# The bulk import's record lives with the import code (local_offers/imports/); imported here so the app's
# models module declares it.
from local_offers.imports.models import FacilityImport as FacilityImport  # noqa: E402
from local_offers.imports.models import ImportStatus as ImportStatus  # noqa: E402

# ---- Agreements ---------------------------------------------------------------------------------------------


class BenefitKind(models.TextChoices):
    FREE = "free", _("Entrée gratuite")
    PERCENT = "percent", _("Réduction en pourcentage")
    FIXED_PRICE = "fixed_price", _("Prix fixe")


class AgreementStatus(models.TextChoices):
    DRAFT = "draft", _("Brouillon")
    SUBMITTED = "submitted", _("Soumise")
    UNDER_REVIEW = "under_review", _("En instruction")
    CHANGES_REQUESTED = "changes_requested", _("Modifications demandées")
    RESUBMITTED = "resubmitted", _("Soumise à nouveau")
    APPROVED = "approved", _("Approuvée")
    ACTIVE = "active", _("En vigueur")
    SUSPENDED = "suspended", _("Suspendue")
    EXPIRED = "expired", _("Expirée")
    REJECTED = "rejected", _("Refusée")
    WITHDRAWN = "withdrawn", _("Retirée")
    TERMINATED = "terminated", _("Résiliée")


# The correspondent may still change the agreement; an officer has it to decide; it binds (one per facility
# and benefit at a time, the exclusion constraint on AgreementFacility).
EDITABLE = (AgreementStatus.DRAFT, AgreementStatus.CHANGES_REQUESTED)
PENDING_REVIEW = (AgreementStatus.SUBMITTED, AgreementStatus.UNDER_REVIEW, AgreementStatus.RESUBMITTED)
IN_FORCE = (AgreementStatus.APPROVED, AgreementStatus.ACTIVE, AgreementStatus.SUSPENDED)


def _agreement_storage() -> Any:
    """Signed agreements live in the private storage: only the agreement's document view serves them."""
    from django.core.files.storage import storages

    return storages["private"]


class AgreementQuerySet(models.QuerySet["Agreement"]):
    def visible_to(self, actor: Any) -> AgreementQuerySet:
        """The provider's active correspondents, and the officers covering a département of its facilities;
        every agreement for an administrator; none for anyone else."""
        if getattr(actor, "is_superuser", False):
            return self.all()
        if not getattr(actor, "is_authenticated", False):
            return self.none()
        corresponds = Exists(
            StaffRole.objects.active_correspondents().filter(
                user=actor, organisation=OuterRef("organisation")
            )
        )
        covers = Exists(
            AgreementFacility.objects.filter(
                agreement=OuterRef("pk"),
                facility__departement__in=OfficerTerritory.objects.filter(officer=actor).values(
                    "departement"
                ),
            )
        )
        return self.filter(corresponds | covers)


class Agreement(FSMModelMixin, models.Model):
    """A provider's commitment to a benefit at some of its facilities for every member agent (or those of
    given territories), approved by a development officer of the facilities' territory."""

    organisation = models.ForeignKey(
        "organisations.Organisation", on_delete=models.PROTECT, related_name="agreements"
    )
    facilities: models.ManyToManyField[Facility, AgreementFacility] = models.ManyToManyField(
        Facility, through="AgreementFacility", related_name="agreements"
    )
    benefit_kind = models.CharField("avantage", max_length=20, choices=BenefitKind.choices)
    # Percentage (1 to 100) for a discount, euros for a fixed price, none for free entry.
    benefit_value = models.DecimalField("valeur", max_digits=7, decimal_places=2, null=True, blank=True)
    conditions = models.TextField("conditions", max_length=3000, blank=True)
    party_min = models.PositiveSmallIntegerField("personnes au minimum", default=1)
    party_max = models.PositiveSmallIntegerField("personnes au maximum", default=1)
    audience_all = models.BooleanField("tous les agents des adhérents", default=True)
    audience_regions = models.ManyToManyField("geo.Region", blank=True, related_name="+")
    audience_departements = models.ManyToManyField("geo.Departement", blank=True, related_name="+")
    quota_per_agent = models.PositiveIntegerField("quota par agent et par an", null=True, blank=True)
    quota_total = models.PositiveIntegerField("quota total par an", null=True, blank=True)
    validity = DateRangeField("validité")
    document = models.FileField(
        "convention signée", storage=_agreement_storage, upload_to="agreements/", max_length=200, blank=True
    )
    document_name = models.CharField(max_length=120, blank=True)
    previous = models.OneToOneField(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="next_version"
    )
    version = models.PositiveSmallIntegerField(default=1)
    status = FSMField(
        max_length=20, choices=AgreementStatus.choices, default=AgreementStatus.DRAFT, protected=True
    )
    officer = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    waiting_since = models.DateTimeField(null=True, blank=True)
    # The last expiry reminder sent: 60 then 15 (days ahead).
    expiry_reminded = models.PositiveSmallIntegerField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = AgreementQuerySet.as_manager()

    class Meta:
        verbose_name = "convention"
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=AgreementStatus.values), name="agreement_status_valid"
            ),
            models.CheckConstraint(
                condition=Q(party_min__gte=1, party_max__gte=F("party_min")), name="agreement_party"
            ),
            models.CheckConstraint(
                condition=Q(benefit_kind=BenefitKind.FREE, benefit_value__isnull=True)
                | Q(benefit_kind=BenefitKind.PERCENT, benefit_value__gt=0, benefit_value__lte=100)
                | Q(benefit_kind=BenefitKind.FIXED_PRICE, benefit_value__gte=0),
                name="agreement_benefit_value",
            ),
        ]
        indexes = [models.Index(fields=["status", "waiting_since"], name="agreement_status_waiting")]

    def __str__(self) -> str:
        return f"Convention n°{self.pk}"

    # The one declaration of the workflow. The provider's correspondents submit, withdraw, resubmit
    # (`local_offers.propose_agreement`); an officer of the territory who is not party to it decides
    # (`local_offers.decide_agreement`); the platform (actor None) activates and expires.
    @transition(
        field=status,
        source=AgreementStatus.DRAFT,
        target=AgreementStatus.SUBMITTED,
        permission="local_offers.propose_agreement",
    )
    def submit(self) -> None:
        """The service assigns the officer and sets waiting_since."""

    @transition(
        field=status,
        source=[*PENDING_REVIEW, AgreementStatus.CHANGES_REQUESTED],
        target=AgreementStatus.WITHDRAWN,
        permission="local_offers.propose_agreement",
    )
    def withdraw(self) -> None:
        """Only the status changes."""

    @transition(
        field=status,
        source=AgreementStatus.CHANGES_REQUESTED,
        target=AgreementStatus.RESUBMITTED,
        permission="local_offers.propose_agreement",
    )
    def resubmit(self) -> None:
        """Back to its officer."""

    @transition(
        field=status,
        source=[AgreementStatus.SUBMITTED, AgreementStatus.RESUBMITTED],
        target=AgreementStatus.UNDER_REVIEW,
        permission="local_offers.decide_agreement",
    )
    def start_review(self) -> None:
        """The officer takes it up."""

    @transition(
        field=status,
        source=[AgreementStatus.UNDER_REVIEW, AgreementStatus.RESUBMITTED],
        target=AgreementStatus.CHANGES_REQUESTED,
        permission="local_offers.decide_agreement",
    )
    def request_changes(self) -> None:
        """The comment says what to change."""

    @transition(
        field=status,
        source=[AgreementStatus.UNDER_REVIEW, AgreementStatus.RESUBMITTED],
        target=AgreementStatus.APPROVED,
        permission="local_offers.decide_agreement",
    )
    def approve(self) -> None:
        """In force from now (the service marks its facilities; the exclusion constraint may refuse)."""

    @transition(
        field=status,
        source=[AgreementStatus.UNDER_REVIEW, AgreementStatus.RESUBMITTED],
        target=AgreementStatus.REJECTED,
        permission="local_offers.decide_agreement",
    )
    def reject(self) -> None:
        """Final."""

    @transition(
        field=status,
        source=AgreementStatus.ACTIVE,
        target=AgreementStatus.SUSPENDED,
        permission="local_offers.decide_agreement",
    )
    def suspend(self) -> None:
        """No voucher while suspended; it still holds its facilities."""

    @transition(
        field=status,
        source=AgreementStatus.SUSPENDED,
        target=AgreementStatus.ACTIVE,
        permission="local_offers.decide_agreement",
    )
    def reinstate(self) -> None:
        """Back in force."""

    @transition(
        field=status,
        source=list(IN_FORCE),
        target=AgreementStatus.TERMINATED,
        permission="local_offers.decide_agreement",
    )
    def terminate(self) -> None:
        """Ended before its term: its facilities are free for another version."""

    @transition(
        field=status,
        source=AgreementStatus.APPROVED,
        target=AgreementStatus.ACTIVE,
        permission="local_offers.platform",
    )
    def activate(self) -> None:
        """Its validity began."""

    @transition(
        field=status,
        source=list(IN_FORCE),
        target=AgreementStatus.EXPIRED,
        permission="local_offers.platform",
    )
    def expire(self) -> None:
        """Its validity ended."""


class AgreementFacility(models.Model):
    """A facility an agreement covers, carrying the agreement's benefit, validity and whether it is in force,
    so that the database itself keeps one version in force per facility and benefit at a time."""

    agreement = models.ForeignKey(Agreement, on_delete=models.CASCADE, related_name="covered", db_index=False)
    facility = models.ForeignKey(Facility, on_delete=models.PROTECT, related_name="+")
    benefit_kind = models.CharField(max_length=20, choices=BenefitKind.choices)
    validity = DateRangeField()
    in_force = models.BooleanField(default=False)

    class Meta:
        verbose_name = "équipement couvert"
        constraints = [
            models.UniqueConstraint(fields=["agreement", "facility"], name="agreement_facility_once"),
            ExclusionConstraint(
                name="agreement_in_force_no_overlap",
                expressions=[
                    ("facility", RangeOperators.EQUAL),
                    ("benefit_kind", RangeOperators.EQUAL),
                    ("validity", RangeOperators.OVERLAPS),
                ],
                condition=Q(in_force=True),
            ),
        ]


# Vouchers live with their code (local_offers/vouchers/); imported here so the app's models module declares them.
from local_offers.vouchers.models import ValidationChannel as ValidationChannel  # noqa: E402
from local_offers.vouchers.models import VenueApiKey as VenueApiKey  # noqa: E402
from local_offers.vouchers.models import Voucher as Voucher  # noqa: E402
from local_offers.vouchers.models import VoucherStatus as VoucherStatus  # noqa: E402
from local_offers.vouchers.models import VoucherValidation as VoucherValidation  # noqa: E402
