"""Vouchers and the venues' API keys.

A `Voucher` is an eligible agent's right to an agreement's benefit at one facility the agreement covers, for a
date window (half-open) and a party size. It carries a short human code (unambiguous alphabet, unique) and is
shown as a QR code of a signed token (`local_offers.vouchers.signing`); the venue validates it once. Every
validation attempt is a `VoucherValidation` row, so a voucher validated twice (two desks offline) is flagged on
the voucher and the second attempt is kept, not lost. A `VenueApiKey` lets a venue's own system validate and
upload offline validations; only the SHA-256 of the key is stored.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.conf import settings
from django.contrib.postgres.fields import DateRangeField
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django_fsm import FSMField, FSMModelMixin, transition

# Crockford-like: no 0/O, 1/I/L, no U (read aloud as V); 8 characters ≈ 8.5 × 10^11 codes.
CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTVWXYZ"
CODE_LENGTH = 8


class VoucherStatus(models.TextChoices):
    ISSUED = "issued", _("Émis")
    USED = "used", _("Utilisé")
    CANCELLED = "cancelled", _("Annulé")
    EXPIRED = "expired", _("Expiré")


class ValidationChannel(models.TextChoices):
    DESK = "desk", _("Page d'accueil du site")
    API_KEY = "api_key", _("Clé d'API du site")
    OFFLINE_SYNC = "offline_sync", _("Synchronisation hors ligne")


class VoucherQuerySet(models.QuerySet["Voucher"]):
    def visible_to(self, actor: Any) -> VoucherQuerySet:
        """The holder's own vouchers; those of the facilities whose employer the actor is desk agent or
        correspondent of; every voucher for an administrator."""
        from marketplace.organisations.models import StaffRole, StaffRoleKind

        if getattr(actor, "is_superuser", False):
            return self.all()
        if not getattr(actor, "is_authenticated", False):
            return self.none()
        staff = StaffRole.objects.active().filter(
            user=actor, role__in=[StaffRoleKind.DESK, StaffRoleKind.CORRESPONDENT]
        )
        return self.filter(Q(agent=actor) | Q(facility__organisation__in=staff.values("organisation")))

    def validatable_by(self, actor: Any) -> VoucherQuerySet:
        """The vouchers of the facilities whose employer the actor is an active desk agent or correspondent
        of (the `organisations.validate_vouchers` rule, as a filter)."""
        from marketplace.organisations.models import StaffRole, StaffRoleKind

        if getattr(actor, "is_superuser", False):
            return self.all()
        if not getattr(actor, "is_authenticated", False):
            return self.none()
        staff = StaffRole.objects.active().filter(
            user=actor, role__in=[StaffRoleKind.DESK, StaffRoleKind.CORRESPONDENT]
        )
        return self.filter(facility__organisation__in=staff.values("organisation"))

    def counted_in_quota(self) -> VoucherQuerySet:
        """A cancelled voucher gives its unit back; issued, used and expired ones keep it."""
        return self.exclude(status=VoucherStatus.CANCELLED)


class VenueApiKey(models.Model):
    """A venue's (facility's) key for its own system: `rcq_<prefix>_<secret>`; the prefix finds the row, the
    SHA-256 of the whole key proves it (high-entropy secret: no slow hash needed)."""

    facility = models.ForeignKey(
        "local_offers.Facility", on_delete=models.CASCADE, related_name="api_keys", verbose_name="site"
    )
    name = models.CharField("nom", max_length=100)
    prefix = models.CharField(max_length=12, unique=True)
    key_hash = models.CharField(max_length=64)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "clé d'API de site"
        verbose_name_plural = "clés d'API de site"
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix})"


class Voucher(FSMModelMixin, models.Model):
    # SET_NULL: an erasure keeps the voucher (the venue's and the statistics' record) without the person.
    agent = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="vouchers",
        verbose_name="agent",
        db_index=False,
    )
    # The agent's employer when the voucher was issued (what made them eligible): the statistics' key for
    # "uses by our agents of others' facilities", kept after an erasure.
    employer = models.ForeignKey(
        "organisations.Organisation",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="employeur de l'agent",
    )
    agreement = models.ForeignKey(
        "local_offers.Agreement",
        on_delete=models.PROTECT,
        related_name="vouchers",
        verbose_name="convention",
        db_index=False,
    )
    facility = models.ForeignKey(
        "local_offers.Facility",
        on_delete=models.PROTECT,
        related_name="vouchers",
        verbose_name="équipement",
        db_index=False,
    )
    # Half-open like every date range of the project: [first day, day after the last).
    window = DateRangeField("dates de validité")
    # The quota year (the year of the window's first day): what the per-year quotas count.
    year = models.PositiveSmallIntegerField("année du quota")
    party_size = models.PositiveSmallIntegerField("nombre de personnes")
    code = models.CharField("code", max_length=CODE_LENGTH, unique=True)
    status = FSMField(
        "statut", max_length=20, choices=VoucherStatus.choices, default=VoucherStatus.ISSUED, protected=True
    )
    issued_at = models.DateTimeField("émis le")
    validated_at = models.DateTimeField("validé le", null=True, blank=True)
    validated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name="validé par",
    )
    validated_via = models.CharField(
        "validé par le canal", max_length=20, choices=ValidationChannel.choices, blank=True
    )
    validated_api_key = models.ForeignKey(
        VenueApiKey, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Validated more than once offline (two scanners that could not see each other): the extra validations
    # are VoucherValidation rows with accepted=False; the venue's staff review the flag.
    double_validation = models.BooleanField("validé deux fois hors ligne", default=False)
    cancelled_at = models.DateTimeField("annulé le", null=True, blank=True)
    expired_at = models.DateTimeField("expiré le", null=True, blank=True)

    objects = VoucherQuerySet.as_manager()

    class Meta:
        verbose_name = "bon"
        ordering = ["-issued_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(status__in=VoucherStatus.values), name="voucher_status_valid"),
            models.CheckConstraint(condition=Q(party_size__gte=1), name="voucher_party_size_positive"),
            models.CheckConstraint(condition=~Q(window__isempty=True), name="voucher_window_not_empty"),
            models.CheckConstraint(
                condition=Q(code__regex=rf"^[{CODE_ALPHABET}]{{{CODE_LENGTH}}}$"),
                name="voucher_code_alphabet",
            ),
            # A used voucher says when and how; an unused one does not.
            models.CheckConstraint(
                condition=Q(status=VoucherStatus.USED, validated_at__isnull=False) & ~Q(validated_via="")
                | ~Q(status=VoucherStatus.USED) & Q(validated_at__isnull=True, validated_via=""),
                name="voucher_validation_consistent",
            ),
        ]
        indexes = [
            models.Index(fields=["agreement", "year", "status"], name="voucher_quota_total"),
            models.Index(fields=["agent", "agreement", "year"], name="voucher_quota_agent"),
            models.Index(fields=["facility", "status"], name="voucher_facility_status"),
            models.Index(
                fields=["status", "window"], name="voucher_issued_window", condition=Q(status="issued")
            ),
        ]

    def __str__(self) -> str:
        return f"Bon {self.display_code}"

    @property
    def display_code(self) -> str:
        """The code as people read it: two groups of four (ABCD-EFGH)."""
        return f"{self.code[:4]}-{self.code[4:]}"

    @property
    def first_day(self) -> datetime.date:
        return self.window.lower

    @property
    def last_day(self) -> datetime.date:
        return self.window.upper - datetime.timedelta(days=1)

    # The one declaration of the workflow: a desk agent (or correspondent) of the facility's employer
    # validates (a venue's API key: actor None, the service checked the key); the holder cancels; the
    # platform expires the vouchers whose window ended.
    # From expired too: an offline validation made within the window, uploaded after the expiry ran.
    @transition(
        field=status,
        source=[VoucherStatus.ISSUED, VoucherStatus.EXPIRED],
        target=VoucherStatus.USED,
        permission="local_offers.validate_voucher",
    )
    def validate(
        self, *, at: datetime.datetime, by: Any, via: str, api_key: VenueApiKey | None = None
    ) -> None:
        self.validated_at = at
        self.validated_by = by
        self.validated_via = via
        self.validated_api_key = api_key

    @transition(
        field=status,
        source=VoucherStatus.ISSUED,
        target=VoucherStatus.CANCELLED,
        permission="local_offers.cancel_voucher",
    )
    def cancel(self, *, at: datetime.datetime) -> None:
        self.cancelled_at = at

    @transition(
        field=status,
        source=VoucherStatus.ISSUED,
        target=VoucherStatus.EXPIRED,
        permission="local_offers.platform",
    )
    def expire(self, *, at: datetime.datetime) -> None:
        self.expired_at = at


class VoucherValidation(models.Model):
    """One validation attempt that reached the server: accepted (it used the voucher) or not (the voucher
    was already used: a second offline validation is kept here and flags the voucher)."""

    voucher = models.ForeignKey(Voucher, on_delete=models.CASCADE, related_name="validations")
    # When the venue validated (the scanner's clock for an offline upload) and when the server heard of it.
    validated_at = models.DateTimeField("validé le")
    received_at = models.DateTimeField("reçu le")
    channel = models.CharField("canal", max_length=20, choices=ValidationChannel.choices)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    api_key = models.ForeignKey(
        VenueApiKey, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    device = models.CharField("appareil", max_length=100, blank=True)
    accepted = models.BooleanField("acceptée")

    class Meta:
        verbose_name = "validation de bon"
        ordering = ["validated_at", "id"]
        constraints = [
            # At most one accepted validation per voucher: the database refuses a second use.
            models.UniqueConstraint(
                fields=["voucher"], condition=Q(accepted=True), name="voucher_validation_accepted_once"
            ),
            models.CheckConstraint(
                condition=Q(channel__in=ValidationChannel.values), name="voucher_validation_channel_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.voucher_id} @ {self.validated_at:%Y-%m-%d %H:%M}"
