"""Reads on the ledger: my balance and movements, a proposal's cost in nights, the officers' statistics."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.db.models import Case, F, IntegerField, Q, QuerySet, Sum, When
from django.db.models.functions import TruncMonth

from exchanges.nights.models import AccountKind, MovementKind, NightAccount, NightMovement
from exchanges.nights.services import balance_of, stay_cost, stays_moving_nights
from marketplace.accounts.models import User

if TYPE_CHECKING:
    from exchanges.swaps.models import Stay

MIN_CELL = 5  # no statistic about fewer agents than this


def movements_of(user: User) -> QuerySet[NightMovement]:
    """The movements of the user's account, each with `delta` (+ credited, − debited); none without one."""
    account = NightAccount.objects.filter(user=user).first()
    if account is None:
        return NightMovement.objects.none()
    return (
        NightMovement.objects.filter(Q(debit=account) | Q(credit=account))
        .annotate(
            delta=Case(
                When(credit=account, then=F("nights")),
                default=-F("nights"),
                output_field=IntegerField(),
            )
        )
        .select_related("stay__host_home", "stay__guest_home")
    )


def movement_out(movement: Any) -> dict[str, object]:
    stay = movement.stay
    return {
        "id": movement.pk,
        "kind": movement.kind,
        "label": str(MovementKind(movement.kind).label),
        "nights": movement.delta,
        "proposal": movement.proposal_id,
        "stay": movement.stay_id,
        "home_title": stay.host_home.title if stay is not None else "",
        "start": movement.period_start,
        "end": movement.period_end,
        "reason": movement.reason,
        "created_at": movement.created_at,
    }


def reserved_of(user: User) -> int:
    """The nights of the user's confirmed one-way stays not yet completed (reserved, not spendable)."""
    account = NightAccount.objects.filter(user=user).first()
    if account is None:
        return 0
    reserves = NightMovement.objects.filter(debit=account, kind=MovementKind.RESERVE)
    settled = NightMovement.objects.filter(
        kind__in=(MovementKind.EARN, MovementKind.RELEASE), stay_id__in=reserves.values("stay_id")
    ).values("stay_id")
    return reserves.exclude(stay_id__in=settled).aggregate(n=Sum("nights"))["n"] or 0


@dataclass(frozen=True)
class Quote:
    cost: int  # nights the viewer spends as a guest
    earn: int  # nights the viewer earns as a host
    balance: int
    balance_after: int  # once the stays are completed (the cost already reserved is not counted twice)


def quote(stays: Iterable[Stay], viewer: User) -> Quote | None:
    """What a proposal moves for the viewer; None for a swap or a cycle (no nights)."""
    moving = stays_moving_nights(stays)
    if not moving:
        return None
    cost = sum(
        stay_cost((s.period.upper - s.period.lower).days, s.guests) for s in moving if s.guest_id == viewer.pk
    )
    earn = sum(
        stay_cost((s.period.upper - s.period.lower).days, s.guests) for s in moving if s.host_id == viewer.pk
    )
    balance = balance_of(viewer)
    reserved = NightMovement.objects.filter(
        stay_id__in=[s.pk for s in moving if s.guest_id == viewer.pk], kind=MovementKind.RESERVE
    ).exists()
    return Quote(cost, earn, balance, balance + earn - (0 if reserved else cost))


def flows() -> list[dict[str, object]]:
    """Where solidarity flows, from the completed one-way stays: per month and per région and département,
    the nights earned by hosts whose home is there and the nights spent by guests whose home is there. A
    figure about fewer than MIN_CELL distinct agents is left out (None); a row with none is not shown."""
    cells: dict[tuple[dt.date, str, str], dict[str, Any]] = {}

    def cell(month: dt.date, region: str, departement: str) -> dict[str, Any]:
        return cells.setdefault(
            (month, region, departement),
            {"earned": 0, "hosts": set(), "spent": 0, "guests": set()},
        )

    rows = (
        NightMovement.objects.filter(kind=MovementKind.EARN)
        .annotate(month=TruncMonth("created_at"))
        .values_list(
            "month",
            "region_code",
            "departement_code",
            "guest_region_code",
            "guest_departement_code",
            "nights",
            "credit_id",
            "guest_account_id",
        )
    )
    for month, region, dep, guest_region, guest_dep, nights, host, guest in rows:
        day = month.date() if isinstance(month, dt.datetime) else month
        earned_cell = cell(day, region, dep)
        earned_cell["earned"] += nights
        earned_cell["hosts"].add(host)
        spent_cell = cell(day, guest_region, guest_dep)
        spent_cell["spent"] += nights
        spent_cell["guests"].add(guest)
    out = []
    for (month, region, dep), c in sorted(cells.items(), key=lambda kv: (-kv[0][0].toordinal(), kv[0][1:])):
        earned = c["earned"] if len(c["hosts"]) >= MIN_CELL else None
        spent = c["spent"] if len(c["guests"]) >= MIN_CELL else None
        if earned is None and spent is None:
            continue
        out.append({"month": month, "region": region, "departement": dep, "earned": earned, "spent": spent})
    return out


def agent_accounts() -> QuerySet[NightAccount]:
    return NightAccount.objects.filter(kind=AccountKind.AGENT, user__isnull=False)
