"""Voucher usage, the one place the statistics read vouchers, and only these fields of `Voucher`: status,
validated_at, agent, employer (the agent's employer when the voucher was issued), agreement, facility and
party_size. A use is a voucher validated (status used) in the period. Every table is one query aggregating
in PostgreSQL (date_trunc by month in the site's time zone); the distinct agents of each cell come back as
an array so that `anonymity` can hide cells and their complements, and are never shown."""

from __future__ import annotations

import datetime as dt
from collections.abc import Hashable, Iterable
from typing import Any

from django.contrib.postgres.aggregates import ArrayAgg
from django.db.models import Case, Count, F, Q, QuerySet, Sum, Value, When
from django.db.models.functions import TruncMonth
from django.utils import timezone

from local_offers.statistics.anonymity import Cell, Figure, difference, suppress, total
from local_offers.statistics.scope import Period, Territory
from local_offers.vouchers.models import Voucher, VoucherStatus
from marketplace.organisations.models import Organisation

GIVEN = "given"  # the employer's facilities used by agents of other employers
RECEIVED = "received"  # the employer's agents using other employers' facilities


def _uses(period: Period) -> QuerySet[Voucher]:
    return Voucher.objects.filter(status=VoucherStatus.USED, validated_at__gte=period.since)


def _measures() -> dict[str, Any]:
    # An erased agent (agent NULL) counts in the uses but never as a distinct agent: a cell reaches the
    # threshold through agents the platform can tell apart, never through anonymous rows.
    return {
        "uses": Count("pk"),
        "persons": Sum("party_size"),
        "agents": ArrayAgg("agent_id", distinct=True, filter=Q(agent__isnull=False), default=Value([])),
    }


def _cell(row: dict[str, Any]) -> Cell:
    return Cell(uses=row["uses"], persons=row["persons"] or 0, agents=frozenset(row["agents"] or ()))


def _month(value: dt.datetime | dt.date) -> dt.date:
    if isinstance(value, dt.datetime):
        return timezone.localtime(value).date()
    return value


def _column(cells: Iterable[Cell]) -> Cell:
    """Hide what must be hidden in one column (in place) and return its total cell."""
    column = list(cells)
    suppress(column)
    return total(column)


def usage_by_departement(territory: Territory, period: Period) -> dict[str, Any]:
    """Uses per département where the facility is, in the territory, anonymised, with the total."""
    rows = (
        _uses(period)
        .filter(facility__departement_id__in=territory.codes)
        .values(departement=F("facility__departement_id"))
        .annotate(**_measures())
        .order_by("departement")
    )
    cells: dict[Hashable, Cell] = {row["departement"]: _cell(row) for row in rows}
    whole = _column(cells.values())
    return {
        "rows": [
            {"departement": code, "name": territory.names[code], **cell.figures()}
            for code, cell in cells.items()
            if isinstance(code, str)
        ],
        "total": whole.figures(),
    }


def usage_by_month(territory: Territory, period: Period) -> dict[str, Any]:
    """Uses per month of validation at the territory's facilities, anonymised, with the total."""
    rows = (
        _uses(period)
        .filter(facility__departement_id__in=territory.codes)
        .annotate(month=TruncMonth("validated_at"))
        .values("month")
        .annotate(**_measures())
        .order_by("month")
    )
    cells: dict[Hashable, Cell] = {_month(row["month"]): _cell(row) for row in rows}
    whole = _column(cells.values())
    return {
        "rows": [{"month": month, **cell.figures()} for month, cell in cells.items()],
        "total": whole.figures(),
    }


def _solidarity(organisation: Organisation, period: Period) -> QuerySet[Voucher]:
    """The uses that cross the employer's border, each with its side: given or received."""
    return (
        _uses(period)
        .filter(
            Q(agreement__organisation=organisation) & ~Q(employer=organisation)
            | ~Q(agreement__organisation=organisation) & Q(employer=organisation)
        )
        .annotate(
            side=Case(When(agreement__organisation=organisation, then=Value(GIVEN)), default=Value(RECEIVED))
        )
    )


def _sides(cells: dict[tuple[Any, str], Cell]) -> tuple[Cell, Cell]:
    given = {k: c for k, c in cells.items() if k[1] == GIVEN}
    received = {k: c for k, c in cells.items() if k[1] == RECEIVED}
    return _column(given.values()), _column(received.values())


def _pair(cells: dict[tuple[Any, str], Cell], key: Any) -> dict[str, Any]:
    given = cells.get((key, GIVEN), Cell())
    received = cells.get((key, RECEIVED), Cell())
    return {
        "given": given.figures() if given.agents or given.uses else None,
        "received": received.figures() if received.agents or received.uses else None,
        "balance": difference(given, received),
    }


def solidarity_by_month(organisation: Organisation, period: Period) -> dict[str, Any]:
    """Per month: the employer's facilities used by other employers' agents (given), its agents at other
    employers' facilities (received), and the balance (given − received uses), anonymised per side."""
    rows = (
        _solidarity(organisation, period)
        .annotate(month=TruncMonth("validated_at"))
        .values("month", "side")
        .annotate(**_measures())
        .order_by("month", "side")
    )
    cells = {(_month(row["month"]), row["side"]): _cell(row) for row in rows}
    given, received = _sides(cells)
    months = sorted({key for key, _side in cells})
    return {
        "rows": [{"month": month, **_pair(cells, month)} for month in months],
        "total": {
            "given": given.figures(),
            "received": received.figures(),
            "balance": difference(given, received),
        },
    }


def solidarity_by_agreement(organisation: Organisation, period: Period) -> dict[str, Any]:
    """Per agreement: the uses of the employer's agreements by other employers' agents (given), and of other
    providers' agreements by its agents (received), anonymised per side."""
    rows = (
        _solidarity(organisation, period)
        .annotate(provider=F("agreement__organisation__name"))
        .values("agreement_id", "side", "provider")
        .annotate(**_measures())
        .order_by("side", "agreement_id")
    )
    cells: dict[tuple[Any, str], Cell] = {}
    providers: dict[int, str] = {}
    for row in rows:
        cells[(row["agreement_id"], row["side"])] = _cell(row)
        providers[row["agreement_id"]] = row["provider"]
    given, received = _sides(cells)
    out: list[dict[str, Any]] = []
    for (agreement_id, side), cell in cells.items():
        figures: dict[str, Figure] = cell.figures()
        out.append({"agreement": agreement_id, "provider": providers[agreement_id], "side": side, **figures})
    return {"rows": out, "given": given.figures(), "received": received.figures()}
