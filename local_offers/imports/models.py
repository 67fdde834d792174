"""A bulk import of facilities: who sent which file for which employer, the mapping, the preview, progress
and counts. The file itself is kept in the private storage (no URL serves it)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


def _private_storage() -> Any:
    from django.core.files.storage import storages

    return storages["private"]


class ImportStatus(models.TextChoices):
    UPLOADED = "uploaded", _("Fichier reçu")
    PREVIEWED = "previewed", _("Aperçu prêt")
    RUNNING = "running", _("En cours")
    DONE = "done", _("Terminé")
    FAILED = "failed", _("Échoué")


class FacilityImportQuerySet(models.QuerySet["FacilityImport"]):
    def managed_by(self, user: Any) -> FacilityImportQuerySet:
        """Imports of the employers `user` is an active correspondent of: nobody else sees them."""
        from marketplace.organisations.models import StaffRole

        if not getattr(user, "is_authenticated", False):
            return self.none()
        return self.filter(
            organisation__in=StaffRole.objects.active_correspondents()
            .filter(user=user)
            .values("organisation")
        )


class FacilityImport(models.Model):
    organisation = models.ForeignKey(
        "organisations.Organisation",
        on_delete=models.CASCADE,
        related_name="facility_imports",
        db_index=False,
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField("envoyé le", default=timezone.now)
    file = models.FileField(
        "fichier", storage=_private_storage, upload_to="facility_imports/", max_length=200
    )
    file_name = models.CharField("nom du fichier", max_length=120)
    size = models.PositiveBigIntegerField("taille (octets)")
    format = models.CharField("format", max_length=20)
    encoding = models.CharField("encodage", max_length=30, blank=True)
    rows_read = models.PositiveIntegerField("lignes lues", default=0)
    columns = models.JSONField("colonnes du fichier", default=list)
    mapping = models.JSONField("association des colonnes", default=dict)
    crs = models.PositiveIntegerField("EPSG des colonnes x/y", null=True, blank=True)
    publish = models.BooleanField("publier les nouveaux équipements", default=False)
    status = models.CharField(
        "statut", max_length=20, choices=ImportStatus.choices, default=ImportStatus.UPLOADED
    )
    # 0–100, written by the worker outside the import's transaction so a page can follow it.
    progress = models.PositiveSmallIntegerField("avancement (%)", default=0)
    created_count = models.PositiveIntegerField("créés", default=0)
    updated_count = models.PositiveIntegerField("mis à jour", default=0)
    unchanged_count = models.PositiveIntegerField("inchangés", default=0)
    rejected_count = models.PositiveIntegerField("rejetés", default=0)
    merged_count = models.PositiveIntegerField("fusionnés dans le fichier", default=0)
    # The preview: the first rejections ({row, code, message}) and samples of what is created or updated.
    preview = models.JSONField("aperçu", default=dict, blank=True)
    error = models.JSONField("erreur", default=dict, blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    objects = FacilityImportQuerySet.as_manager()

    class Meta:
        verbose_name = "import d'équipements"
        verbose_name_plural = "imports d'équipements"
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=ImportStatus.values), name="facility_import_status_valid"
            ),
            models.CheckConstraint(condition=Q(progress__lte=100), name="facility_import_progress_percent"),
        ]
        indexes = [models.Index(fields=["organisation", "-created_at"], name="facility_import_org_recent")]

    def __str__(self) -> str:
        return f"{self.file_name} ({self.get_status_display()})"

    def get_format_label(self) -> str:
        return {"csv": "CSV", "geojson": "GeoJSON", "gpkg": "GeoPackage", "shapefile": "Shapefile"}.get(
            self.format, self.format
        )
