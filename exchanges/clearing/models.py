"""The monthly clearing: who opted in, each run and its figures, the cycles it chose (each a swap proposal),
who was in each run's pool, and the edges remembered as failing (a declined or expired clearing proposal)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.utils.translation import gettext_lazy as _


class ClearingOptIn(models.Model):
    """'Propose me a swap each month' for this home (absent: not opted in)."""

    home = models.OneToOneField("exchanges.Home", on_delete=models.CASCADE, related_name="clearing_opt_in")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "participation à la proposition du mois"

    def __str__(self) -> str:
        return f"{self.home_id}"


class Trigger(models.TextChoices):
    MONTHLY = "monthly", _("Tâche mensuelle")
    ADMIN = "admin", _("Administrateur")


class RunQuerySet(models.QuerySet["ClearingRun"]):
    def visible_to(self, actor: Any) -> RunQuerySet:
        """Every run for officers and administrators (the figures hide small cells); none for others."""
        if getattr(actor, "is_authenticated", False) and actor.has_perm("clearing.view_runs"):
            return self.all()
        return self.none()


class ClearingRun(models.Model):
    started_at = models.DateTimeField("lancé le", auto_now_add=True)
    trigger = models.CharField(max_length=10, choices=Trigger.choices)
    launched_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    max_length = models.PositiveSmallIntegerField("logements par boucle au plus")
    min_nights = models.PositiveSmallIntegerField("nuits au moins")
    cross_region = models.BooleanField("d'une région à une autre")
    pool_size = models.PositiveIntegerField("logements inscrits retenus", default=0)
    edges = models.PositiveIntegerField("arêtes", default=0)
    candidates = models.PositiveIntegerField("paires et boucles possibles", default=0)
    components = models.PositiveIntegerField("composantes", default=0)
    largest_component = models.PositiveIntegerField("plus grande composante", default=0)
    capped = models.BooleanField("énumération plafonnée", default=False)
    households = models.PositiveIntegerField("foyers proposés", default=0)
    objective_points = models.PositiveIntegerField("points d'équité et de qualité", default=0)
    greedy_households = models.PositiveIntegerField("foyers, méthode gloutonne", default=0)
    greedy_points = models.PositiveIntegerField("points, méthode gloutonne", default=0)
    lp_bound = models.FloatField("borne de la relaxation (foyers)", default=0)
    gap = models.FloatField("écart à la borne", default=0)
    proposals_created = models.PositiveIntegerField(default=0)
    proposals_failed = models.PositiveIntegerField(default=0)
    solve_seconds = models.FloatField(default=0)
    runtime_seconds = models.FloatField(default=0)
    finished_at = models.DateTimeField(null=True, blank=True)

    objects = RunQuerySet.as_manager()

    class Meta:
        verbose_name = "tour de propositions du mois"
        verbose_name_plural = "tours de propositions du mois"
        ordering = ["-started_at", "-pk"]

    def __str__(self) -> str:
        return f"Tour n°{self.pk}"


class ClearingEntry(models.Model):
    """A home of a run's pool: offered a swap (a chosen cycle) or left out (weighs more in the next run)."""

    run = models.ForeignKey(ClearingRun, on_delete=models.CASCADE, related_name="entries", db_index=False)
    home = models.ForeignKey("exchanges.Home", on_delete=models.CASCADE, related_name="+", db_index=False)
    region = models.ForeignKey("geo.Region", on_delete=models.PROTECT, related_name="+")
    departement = models.ForeignKey("geo.Departement", on_delete=models.PROTECT, related_name="+")
    offered = models.BooleanField(default=False)

    class Meta:
        verbose_name = "logement d'un tour"
        constraints = [models.UniqueConstraint(fields=["run", "home"], name="clearing_entry_once")]
        indexes = [models.Index(fields=["home", "run"], name="clearing_entry_home")]

    def __str__(self) -> str:
        return f"{self.run_id}: {self.home_id}"


class ClearingCycle(models.Model):
    """A chosen pair or cycle: the household of homes[i] at homes[i + 1], the last at the first."""

    run = models.ForeignKey(ClearingRun, on_delete=models.CASCADE, related_name="cycles", db_index=False)
    homes = ArrayField(models.BigIntegerField())
    start = models.DateField()
    end = models.DateField()
    points = models.PositiveIntegerField(default=0)
    reason = models.CharField(max_length=10)
    params = models.JSONField(default=dict)
    proposal = models.OneToOneField(
        "swaps.SwapProposal", null=True, blank=True, on_delete=models.SET_NULL, related_name="clearing_cycle"
    )
    # Why no proposal could be made from it (a check of the swaps workflow refused it), else empty.
    failure = models.CharField(max_length=60, blank=True, default="")
    remembered = models.BooleanField(default=False)  # its edges were written to the failing-edge memory

    class Meta:
        verbose_name = "boucle choisie"
        indexes = [models.Index(fields=["run"], name="clearing_cycle_run")]

    def __str__(self) -> str:
        return "→".join(str(h) for h in self.homes)


class FailedEdge(models.Model):
    """The household of `guest_home` at `host_home`, proposed by a clearing and declined or expired: later
    runs do not propose this stay again."""

    guest_home = models.ForeignKey(
        "exchanges.Home", on_delete=models.CASCADE, related_name="+", db_index=False
    )
    host_home = models.ForeignKey("exchanges.Home", on_delete=models.CASCADE, related_name="+")
    cycle = models.ForeignKey(ClearingCycle, null=True, on_delete=models.SET_NULL, related_name="+")
    outcome = models.CharField(max_length=20)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "séjour écarté"
        constraints = [
            models.UniqueConstraint(fields=["guest_home", "host_home"], name="clearing_failed_edge_once")
        ]

    def __str__(self) -> str:
        return f"{self.guest_home_id} → {self.host_home_id}"
