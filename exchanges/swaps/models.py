"""Swap proposals: 2 to 4 homes, each stay a guest household (known by its home) going to a host home.

The workflow is declared once, on SwapProposal (django-fsm-2 transitions on a protected field); services
lock the row and run them through `marketplace.workflows.transition_run`, which writes the audit event.
Confirmed stays of one home never overlap: an exclusion constraint on the stays marked confirmed, so two
proposals confirmed at the same instant cannot both win.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.postgres.constraints import ExclusionConstraint
from django.contrib.postgres.fields import DateRangeField, RangeOperators
from django.db import models
from django.db.models import Exists, F, OuterRef, Q
from django.utils.translation import gettext_lazy as _
from django_fsm import RETURN_VALUE, FSMField, FSMModelMixin, transition

MIN_HOMES = 2
MAX_HOMES = 4
REVIEW_MAX_CHARS = 2000


class ProposalStatus(models.TextChoices):
    PROPOSED = "proposed", _("Proposée")
    ACCEPTED = "accepted", _("Acceptée par tous")
    CONFIRMED = "confirmed", _("Confirmée")
    IN_PROGRESS = "in_progress", _("En cours")
    COMPLETED = "completed", _("Terminée")
    DECLINED = "declined", _("Refusée")
    CANCELLED = "cancelled", _("Annulée")
    EXPIRED = "expired", _("Expirée")


# Waiting for an answer (they expire); and every state in which the proposal still binds its parties.
PENDING = (ProposalStatus.PROPOSED, ProposalStatus.ACCEPTED)
OPEN = (ProposalStatus.PROPOSED, ProposalStatus.ACCEPTED, ProposalStatus.CONFIRMED)
# States in which a guest sees the exact address and phone of the home they go to.
REVEALED = (ProposalStatus.CONFIRMED, ProposalStatus.IN_PROGRESS, ProposalStatus.COMPLETED)


class ProposalQuerySet(models.QuerySet["SwapProposal"]):
    def visible_to(self, actor: Any) -> ProposalQuerySet:
        """The proposals the actor is a party to; every one for an administrator; none for anonymous."""
        if getattr(actor, "is_superuser", False):
            return self.all()
        if not getattr(actor, "is_authenticated", False):
            return self.none()
        return self.filter(Exists(ProposalParty.objects.filter(proposal=OuterRef("pk"), user=actor)))


class SwapProposal(FSMModelMixin, models.Model):
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    status = FSMField(
        max_length=20, choices=ProposalStatus.choices, default=ProposalStatus.PROPOSED, protected=True
    )
    # Every counter-proposal makes a new revision; an acceptance is for one revision.
    revision = models.PositiveIntegerField(default=1)
    expires_at = models.DateTimeField("expire le")
    reminded_at = models.DateTimeField(null=True, blank=True)
    # The client's Idempotency-Key of the creation: a retried POST returns the proposal created the first time.
    idempotency_key = models.CharField(max_length=64, blank=True, default="")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ProposalQuerySet.as_manager()

    class Meta:
        verbose_name = "proposition d'échange"
        verbose_name_plural = "propositions d'échange"
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=ProposalStatus.values), name="proposal_status_valid"
            ),
            models.UniqueConstraint(
                fields=["created_by", "idempotency_key"],
                condition=~Q(idempotency_key=""),
                name="proposal_idempotency_key_unique",
            ),
        ]
        indexes = [models.Index(fields=["status", "expires_at"], name="proposal_status_expiry")]

    def __str__(self) -> str:
        return f"Proposition n°{self.pk}"

    # The one declaration of the workflow. Parties act (rules permission `swaps.take_part`); the platform
    # (actor None: the periodic task) expires, starts, completes, and cancels when a party lost eligibility.
    @transition(
        field=status,
        source=ProposalStatus.PROPOSED,
        target=RETURN_VALUE(ProposalStatus.PROPOSED, ProposalStatus.ACCEPTED),
        permission="swaps.take_part",
    )
    def accept(self, *, everyone: bool) -> str:
        """Stays proposed until the last party accepts (all-or-nothing)."""
        return ProposalStatus.ACCEPTED if everyone else ProposalStatus.PROPOSED

    @transition(
        field=status, source=list(PENDING), target=ProposalStatus.PROPOSED, permission="swaps.take_part"
    )
    def counter(self) -> None:
        """Other dates: a new revision that every other party answers again (the service moves the stays)."""
        self.revision += 1

    @transition(
        field=status, source=list(PENDING), target=ProposalStatus.DECLINED, permission="swaps.take_part"
    )
    def decline(self) -> None:
        """Only the status changes (transition_run writes the event)."""

    @transition(
        field=status,
        source=ProposalStatus.ACCEPTED,
        target=ProposalStatus.CONFIRMED,
        permission="swaps.take_part",
    )
    def confirm(self) -> None:
        """The service marks the stays confirmed (the exclusion constraint decides between rivals)."""

    @transition(
        field=status, source=list(OPEN), target=ProposalStatus.CANCELLED, permission="swaps.take_part"
    )
    def cancel(self) -> None:
        """Before the first stay begins; the service frees the stays."""

    @transition(
        field=status, source=list(PENDING), target=ProposalStatus.EXPIRED, permission="swaps.platform"
    )
    def expire(self) -> None:
        """No answer within the deadline."""

    @transition(
        field=status,
        source=ProposalStatus.CONFIRMED,
        target=ProposalStatus.IN_PROGRESS,
        permission="swaps.platform",
    )
    def begin(self) -> None:
        """The first stay has begun."""

    @transition(
        field=status,
        source=[ProposalStatus.CONFIRMED, ProposalStatus.IN_PROGRESS],
        target=ProposalStatus.COMPLETED,
        permission="swaps.platform",
    )
    def complete(self) -> None:
        """Every stay has ended."""


class ProposalParty(models.Model):
    """A home of the proposal and its owner; `accepted_revision` is the revision they said yes to."""

    proposal = models.ForeignKey(
        SwapProposal, on_delete=models.CASCADE, related_name="parties", db_index=False
    )
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="swap_parties")
    home = models.ForeignKey("exchanges.Home", on_delete=models.CASCADE, related_name="+")
    accepted_revision = models.PositiveIntegerField(null=True, blank=True)
    answered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "partie d'une proposition"
        constraints = [
            models.UniqueConstraint(fields=["proposal", "user"], name="proposal_party_user_once"),
            models.UniqueConstraint(fields=["proposal", "home"], name="proposal_party_home_once"),
        ]

    def __str__(self) -> str:
        return f"{self.proposal_id}: {self.user_id}"


class Stay(models.Model):
    """The household of `guest_home` stays in `host_home` over `period` ([start, end), nights)."""

    proposal = models.ForeignKey(SwapProposal, on_delete=models.CASCADE, related_name="stays", db_index=False)
    guest_home = models.ForeignKey("exchanges.Home", on_delete=models.CASCADE, related_name="+")
    host_home = models.ForeignKey("exchanges.Home", on_delete=models.CASCADE, related_name="+")
    guest = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    host = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    period = DateRangeField("dates")
    guests = models.PositiveSmallIntegerField("voyageurs")
    # Set at confirmation, cleared by a cancellation: what the exclusion constraint holds.
    confirmed = models.BooleanField(default=False)

    class Meta:
        verbose_name = "séjour"
        constraints = [
            ExclusionConstraint(
                name="stay_confirmed_no_overlap",
                expressions=[("host_home", RangeOperators.EQUAL), ("period", RangeOperators.OVERLAPS)],
                condition=Q(confirmed=True),
            ),
            models.CheckConstraint(condition=~Q(period__isempty=True), name="stay_not_empty"),
            models.CheckConstraint(condition=~Q(guest_home=F("host_home")), name="stay_not_at_home"),
            models.CheckConstraint(condition=Q(guests__gte=1, guests__lte=30), name="stay_guests_range"),
            models.UniqueConstraint(fields=["proposal", "host_home"], name="stay_host_once"),
            models.UniqueConstraint(fields=["proposal", "guest_home"], name="stay_guest_once"),
        ]

    def __str__(self) -> str:
        return f"{self.guest_home_id} → {self.host_home_id} {self.period}"


class AddressReveal(models.Model):
    """The log of the exact address and phone of a host home shown to its guest (at confirmation)."""

    stay = models.ForeignKey(Stay, on_delete=models.CASCADE, related_name="reveals")
    viewer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    revealed_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "adresse révélée"

    def __str__(self) -> str:
        return f"{self.stay_id} → {self.viewer_id}"


class ReviewSide(models.TextChoices):
    GUEST = "guest", _("Avis du voyageur sur le logement")
    HOST = "host", _("Avis de l'hôte sur le voyageur")


class Review(models.Model):
    """One per side of a stay, after it ended; double-blind (see selectors.review_is_public)."""

    stay = models.ForeignKey(Stay, on_delete=models.CASCADE, related_name="reviews", db_index=False)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    side = models.CharField(max_length=5, choices=ReviewSide.choices)
    rating = models.PositiveSmallIntegerField("note")
    text = models.TextField("avis", max_length=REVIEW_MAX_CHARS)
    private_note = models.TextField("note aux modérateurs", max_length=REVIEW_MAX_CHARS, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "avis"
        verbose_name_plural = "avis"
        constraints = [
            models.UniqueConstraint(fields=["stay", "side"], name="review_once_per_side"),
            models.CheckConstraint(condition=Q(rating__gte=1, rating__lte=5), name="review_rating_range"),
        ]

    def __str__(self) -> str:
        return f"{self.stay_id} {self.side}: {self.rating}"
