"""The ledger of solidarity nights.

An account per agent plus system accounts (welcome credit, reserved nights, corrections). A movement is one
immutable row that debits one account and credits another by the same number of nights: the pair of entries
of double-entry bookkeeping, so the sum of every balance is zero by construction. The balance of an account
is kept by a database trigger on the movement's insertion (whoever writes), and an agent's balance can never
go below zero: a CHECK constraint on the account row, updated in the same transaction as the stay's
transition, so two confirmations spending the last nights of one agent cannot both commit.

Nights are reserved when a non-reciprocal stay is confirmed (guest → reserved), earned by the host when it
completes (reserved → host) and given back when it is cancelled (reserved → guest).
"""

from __future__ import annotations

import pgtrigger
from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

# Shown wherever a balance is.
NOTICE = _("Les nuits ne s'achètent pas, ne se vendent pas, ne se donnent pas.")


class AccountKind(models.TextChoices):
    AGENT = "agent", _("Agent")
    WELCOME = "welcome", _("Crédit de bienvenue")
    RESERVED = "reserved", _("Nuits réservées")
    CORRECTION = "correction", _("Correction")


SYSTEM_KINDS = (AccountKind.WELCOME, AccountKind.RESERVED, AccountKind.CORRECTION)


class NightAccount(models.Model):
    kind = models.CharField(max_length=12, choices=AccountKind.choices, default=AccountKind.AGENT)
    # Null for the system accounts and for an erased agent's account (kept, anonymised, balance unchanged).
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="night_account",
    )
    # Written by the trigger on NightMovement only.
    balance = models.IntegerField("solde", default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "compte de nuits"
        verbose_name_plural = "comptes de nuits"
        constraints = [
            models.CheckConstraint(condition=Q(kind__in=AccountKind.values), name="night_account_kind_valid"),
            models.CheckConstraint(
                condition=~Q(kind=AccountKind.AGENT) | Q(balance__gte=0),
                name="night_balance_not_negative",
            ),
            models.UniqueConstraint(
                fields=["kind"], condition=~Q(kind=AccountKind.AGENT), name="night_system_account_once"
            ),
            models.CheckConstraint(
                condition=Q(kind=AccountKind.AGENT) | Q(user__isnull=True), name="night_system_has_no_user"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} #{self.pk} ({self.user_id or '-'}): {self.balance}"


class MovementKind(models.TextChoices):
    WELCOME = "welcome", _("Crédit de bienvenue")
    RESERVE = "reserve", _("Nuits réservées pour un séjour")
    EARN = "earn", _("Séjour terminé")
    RELEASE = "release", _("Séjour annulé : nuits rendues")
    CORRECTION = "correction", _("Correction par un administrateur")


class NightMovement(models.Model):
    """`nights` leave `debit` and arrive on `credit`, for `stay` (a stay's movement) or with a `reason`
    (a correction). Never updated nor deleted (database trigger); an erasure only blanks the reason of the
    corrections of the erased account, under pgtrigger.ignore."""

    kind = models.CharField(max_length=12, choices=MovementKind.choices)
    debit = models.ForeignKey(NightAccount, on_delete=models.PROTECT, related_name="debits")
    credit = models.ForeignKey(NightAccount, on_delete=models.PROTECT, related_name="credits")
    nights = models.PositiveIntegerField("nuits")
    # The stay outlives nothing here: an erased proposal leaves its movements (no constraint, no cascade).
    stay = models.ForeignKey(
        "swaps.Stay",
        null=True,
        blank=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="+",
        db_index=False,
    )
    proposal_id = models.BigIntegerField(null=True, blank=True)
    period_start = models.DateField(null=True, blank=True)
    period_end = models.DateField(null=True, blank=True)
    # The host home's and the guest home's territories and the guest's account, copied for the officers'
    # statistics (no join through erasable rows).
    region_code = models.CharField(max_length=3, blank=True, default="")
    departement_code = models.CharField(max_length=3, blank=True, default="")
    guest_region_code = models.CharField(max_length=3, blank=True, default="")
    guest_departement_code = models.CharField(max_length=3, blank=True, default="")
    guest_account = models.ForeignKey(
        NightAccount, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    reason = models.TextField("motif", blank=True, default="")
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = "mouvement de nuits"
        verbose_name_plural = "mouvements de nuits"
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=MovementKind.values), name="night_movement_kind_valid"
            ),
            models.CheckConstraint(condition=Q(nights__gte=1), name="night_movement_positive"),
            models.CheckConstraint(
                condition=~Q(debit=models.F("credit")), name="night_movement_two_accounts"
            ),
            models.CheckConstraint(
                condition=~Q(kind=MovementKind.CORRECTION) | ~Q(reason=""), name="night_correction_has_reason"
            ),
        ]
        indexes = [
            models.Index(fields=["stay", "kind"], name="night_movement_stay"),
        ]
        triggers = [
            pgtrigger.Protect(name="protect_ledger", operation=pgtrigger.Update | pgtrigger.Delete),
            pgtrigger.Trigger(
                name="post_to_balances",
                when=pgtrigger.After,
                operation=pgtrigger.Insert,
                func=(
                    # Both rows locked in the order of their ids (no deadlock between opposite movements),
                    # then moved; the CHECK on an agent's row refuses a balance below zero.
                    "PERFORM 1 FROM nights_nightaccount WHERE id IN (NEW.debit_id, NEW.credit_id) "
                    "ORDER BY id FOR UPDATE; "
                    "UPDATE nights_nightaccount SET balance = balance - NEW.nights WHERE id = NEW.debit_id; "
                    "UPDATE nights_nightaccount SET balance = balance + NEW.nights WHERE id = NEW.credit_id; "
                    "RETURN NULL;"
                ),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind}: {self.nights} {self.debit_id} → {self.credit_id}"
