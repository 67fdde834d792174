"""Reads of the agreements: every read goes through `Agreement.objects.visible_to(actor)`, so what an actor
may not see is a 404 like what does not exist."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Exists, OuterRef, Prefetch, QuerySet
from django.utils import timezone

from local_offers.exceptions import AgreementNotFound
from local_offers.models import (
    IN_FORCE,
    PENDING_REVIEW,
    Agreement,
    AgreementFacility,
    AgreementStatus,
    Facility,
)
from marketplace.accounts.models import User
from marketplace.organisations.models import OfficerTerritory, StaffRole

REVIEW_LATE_DAYS = 10


def _detailed() -> QuerySet[Agreement]:
    return Agreement.objects.select_related("organisation", "officer", "previous").prefetch_related(
        Prefetch("covered", AgreementFacility.objects.select_related("facility__departement").order_by("pk")),
        "audience_regions",
        "audience_departements",
    )


def agreements_visible(actor: User) -> QuerySet[Agreement]:
    return _detailed().filter(pk__in=Agreement.objects.visible_to(actor).values("pk")).order_by("-pk")


def agreement_get(*, actor: User, agreement_id: int) -> Agreement:
    """Raises AgreementNotFound, for an agreement the actor may not see too."""
    agreement = agreements_visible(actor).filter(pk=agreement_id).first()
    if agreement is None:
        raise AgreementNotFound()
    return agreement


def review_queue(actor: User) -> QuerySet[Agreement]:
    """The agreements waiting for a decision in the officer's départements, the longest waiting first."""
    covered = AgreementFacility.objects.filter(
        agreement=OuterRef("pk"),
        facility__departement__in=OfficerTerritory.objects.filter(officer=actor).values("departement"),
    )
    return (
        _detailed()
        .filter(Exists(covered), status__in=[*PENDING_REVIEW, AgreementStatus.CHANGES_REQUESTED])
        .order_by("waiting_since", "pk")
    )


def waiting_days(agreement: Agreement, now: dt.datetime | None = None) -> int | None:
    if agreement.waiting_since is None:
        return None
    return ((now or timezone.now()) - agreement.waiting_since).days


def is_late(agreement: Agreement, now: dt.datetime | None = None) -> bool:
    """A review waiting more than 10 days (flagged on the officer's dashboard)."""
    days = waiting_days(agreement, now)
    return agreement.status in PENDING_REVIEW and days is not None and days > REVIEW_LATE_DAYS


def late_reviews(actor: User, now: dt.datetime | None = None) -> list[Agreement]:
    cutoff = (now or timezone.now()) - dt.timedelta(days=REVIEW_LATE_DAYS)
    return list(review_queue(actor).filter(status__in=PENDING_REVIEW, waiting_since__lt=cutoff))


def officer_for_facilities(facilities: list[Facility], *, exclude: Any = None) -> User | None:
    """An officer covering the départements of these facilities (the one covering most of them; ties: the one
    with the fewest reviews waiting, then the oldest account); never a correspondent of the provider."""
    departements = {f.departement_id for f in facilities}
    rows = OfficerTerritory.objects.filter(departement_id__in=departements).select_related("officer")
    counts: dict[int, int] = {}
    officers: dict[int, User] = {}
    for row in rows:
        if not row.officer.is_active:
            continue
        counts[row.officer_id] = counts.get(row.officer_id, 0) + 1
        officers[row.officer_id] = row.officer
    if exclude is not None:
        staff = set(
            StaffRole.objects.active_correspondents()
            .filter(organisation=exclude)
            .values_list("user_id", flat=True)
        )
        for pk in staff:
            counts.pop(pk, None)
    if not counts:
        return None
    load = {pk: Agreement.objects.filter(officer_id=pk, status__in=PENDING_REVIEW).count() for pk in counts}
    best = min(counts, key=lambda pk: (-counts[pk], load[pk], pk))
    return officers[best]


def participant_ids(agreement_id: int) -> list[int]:
    """Who takes part in an agreement's conversation: the provider's correspondents and its officer."""
    agreement = Agreement.objects.filter(pk=agreement_id).first()
    if agreement is None:
        return []
    ids = list(
        StaffRole.objects.active_correspondents()
        .filter(organisation_id=agreement.organisation_id)
        .values_list("user_id", flat=True)
    )
    if agreement.officer_id is not None:
        ids.append(agreement.officer_id)
    return list(dict.fromkeys(ids))


def active_agreements_for_facility(facility: Facility, today: dt.date | None = None) -> list[Agreement]:
    """The agreements in force today at this facility (the offer page shows their benefit)."""
    today = today or timezone.localdate()
    return list(
        Agreement.objects.filter(
            covered__facility=facility, status=AgreementStatus.ACTIVE, validity__contains=today
        ).order_by("benefit_kind")
    )


def in_force_statuses() -> tuple[str, ...]:
    return tuple(str(s) for s in IN_FORCE)
