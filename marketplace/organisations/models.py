"""Member employers, their membership periods, their agents' employments, their staff, officers' territories."""

import datetime

from django.conf import settings
from django.contrib.postgres.constraints import ExclusionConstraint
from django.contrib.postgres.fields import DateRangeField, RangeOperators
from django.db import models
from django.db.models import Q

from marketplace.organisations.validators import validate_siren


class OrganisationKind(models.TextChoices):
    COMMUNE = "commune", "Commune"
    DEPARTEMENT = "departement", "Département"
    REGION = "region", "Région"
    EPCI = "epci", "EPCI (intercommunalité)"
    CCAS = "ccas", "CCAS / CIAS"
    SDIS = "sdis", "SDIS"
    CDG = "cdg", "Centre de gestion"
    COS = "cos", "Association / COS"
    OTHER = "other", "Autre"


class OrganisationStatus(models.TextChoices):
    PENDING = "pending", "En attente de validation"
    VALIDATED = "validated", "Validé"
    REJECTED = "rejected", "Refusé"


class Organisation(models.Model):
    name = models.CharField("nom", max_length=200)
    kind = models.CharField("type", max_length=20, choices=OrganisationKind.choices)
    siren = models.CharField("SIREN", max_length=9, unique=True, validators=[validate_siren])
    seat_commune = models.ForeignKey(
        "geo.Commune", on_delete=models.PROTECT, related_name="+", verbose_name="commune du siège"
    )
    agents_count = models.PositiveIntegerField("nombre d'agents", default=0)
    contact_email = models.EmailField("e-mail de contact", blank=True)
    contact_phone = models.CharField("téléphone de contact", max_length=20, blank=True)
    status = models.CharField(
        "statut", max_length=20, choices=OrganisationStatus.choices, default=OrganisationStatus.PENDING
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "employeur adhérent"
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(condition=Q(siren__regex=r"^\d{9}$"), name="organisation_siren_9_digits"),
            models.CheckConstraint(
                condition=Q(status__in=OrganisationStatus.values), name="organisation_status_valid"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def is_active_member(self, on: datetime.date) -> bool:
        return (
            self.status == OrganisationStatus.VALIDATED and self.periods.filter(period__contains=on).exists()
        )


class MembershipPeriod(models.Model):
    """A paid-up membership, as a half-open date range [start, end). Periods of one employer never overlap."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="periods")
    period = DateRangeField("période")

    class Meta:
        verbose_name = "période d'adhésion"
        constraints = [
            ExclusionConstraint(
                name="membership_period_no_overlap",
                expressions=[("organisation", RangeOperators.EQUAL), ("period", RangeOperators.OVERLAPS)],
            ),
            models.CheckConstraint(condition=~Q(period__isempty=True), name="membership_period_not_empty"),
        ]

    def __str__(self) -> str:
        return f"{self.organisation_id}: {self.period}"


class EmploymentStatus(models.TextChoices):
    PENDING = "pending", "En attente"
    CONFIRMED = "confirmed", "Confirmé"
    REJECTED = "rejected", "Refusé"
    ENDED = "ended", "Terminé"


OPEN_EMPLOYMENT = [EmploymentStatus.PENDING, EmploymentStatus.CONFIRMED]


class Employment(models.Model):
    agent = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="employments")
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="employments")
    status = models.CharField(
        max_length=20, choices=EmploymentStatus.choices, default=EmploymentStatus.PENDING
    )
    requested_at = models.DateTimeField(auto_now_add=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    ended_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "emploi"
        constraints = [
            models.UniqueConstraint(
                fields=["agent", "organisation"],
                condition=Q(status__in=OPEN_EMPLOYMENT),
                name="employment_one_open_per_employer",
            ),
            models.CheckConstraint(
                condition=Q(status__in=EmploymentStatus.values), name="employment_status_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.agent_id} @ {self.organisation_id} ({self.status})"


class StaffRoleKind(models.TextChoices):
    CORRESPONDENT = "correspondent", "Correspondant"
    DESK = "desk", "Agent d'accueil"


class StaffRoleStatus(models.TextChoices):
    PENDING = "pending", "En attente de validation"
    ACTIVE = "active", "Actif"
    REJECTED = "rejected", "Refusé"
    REVOKED = "revoked", "Retiré"


class StaffRole(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="staff_roles")
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="staff_roles")
    role = models.CharField(max_length=20, choices=StaffRoleKind.choices)
    status = models.CharField(max_length=20, choices=StaffRoleStatus.choices, default=StaffRoleStatus.PENDING)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "rôle dans un employeur"
        constraints = [
            models.UniqueConstraint(
                fields=["user", "organisation", "role"],
                condition=Q(status__in=[StaffRoleStatus.PENDING, StaffRoleStatus.ACTIVE]),
                name="staff_role_one_open",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user_id} {self.role} @ {self.organisation_id} ({self.status})"


class OfficerTerritory(models.Model):
    officer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="territories"
    )
    departement = models.ForeignKey("geo.Departement", on_delete=models.CASCADE, related_name="+")

    class Meta:
        verbose_name = "territoire de chargé de développement"
        constraints = [
            models.UniqueConstraint(fields=["officer", "departement"], name="officer_territory_unique")
        ]

    def __str__(self) -> str:
        return f"{self.officer_id} → {self.departement_id}"
