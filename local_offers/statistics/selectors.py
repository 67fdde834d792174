"""Reads of the local-offer statistics. Who sees what is decided here once: an officer their départements
(an administrator every one), a correspondent the employers they are an active correspondent of (an
administrator any). Every table is one SQL query aggregating in the database, by month with date_trunc in
the site's time zone. Voucher usage lives in `usage.py`, which reads only the voucher fields it names."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Aggregate, CharField, Count, F, FloatField, Func, OuterRef, Subquery
from django.db.models.functions import Cast, TruncMonth
from django.utils import timezone
from django.utils.translation import gettext as _

from geo.models import Departement
from local_offers.exceptions import StatisticsForbidden, StatisticsNotFound
from local_offers.models import Agreement, AgreementFacility, AgreementStatus
from marketplace.accounts.models import User
from marketplace.audit.models import AuditEvent
from marketplace.errors import InvalidField
from marketplace.organisations.models import OfficerTerritory, Organisation
from marketplace.organisations.permissions import is_admin

MONTHS_DEFAULT = 12
MONTHS_MAX = 36
# A review round starts when the provider submits (or resubmits) and ends at the officer's decision.
REVIEW_STARTS = ("submit", "resubmit")
REVIEW_DECISIONS = ("request_changes", "approve", "reject")


@dataclass(frozen=True)
class Territory:
    """The départements an officer's statistics cover (every one for an administrator)."""

    codes: tuple[str, ...]
    names: dict[str, str]
    national: bool


@dataclass(frozen=True)
class Period:
    since: dt.datetime  # the first day of the first month, 00:00 in the site's time zone
    months: int


def period_of(months: object = None, *, today: dt.date | None = None) -> Period:
    """The last `months` calendar months, this one included. Raises InvalidField (422) naming `months`."""
    if months in (None, ""):
        count = MONTHS_DEFAULT
    else:
        try:
            count = int(str(months))
        except ValueError:
            raise InvalidField("months", _("Un nombre de mois entier est attendu.")) from None
        if not 1 <= count <= MONTHS_MAX:
            raise InvalidField("months", _("Entre 1 et %(max)d mois.") % {"max": MONTHS_MAX})
    today = today or timezone.localdate()
    index = today.year * 12 + today.month - 1 - (count - 1)
    first = dt.date(index // 12, index % 12 + 1, 1)
    return Period(since=timezone.make_aware(dt.datetime.combine(first, dt.time.min)), months=count)


def territory_for(*, actor: User, departement: str | None = None) -> Territory:
    """The officer's départements, or the one asked among them. Raises Forbidden (403) for anyone who is
    neither officer nor administrator, StatisticsNotFound (404) for a département outside the territory."""
    if is_admin(actor):
        rows = Departement.objects.all()
    else:
        rows = Departement.objects.filter(
            code__in=OfficerTerritory.objects.filter(officer=actor).values("departement")
        )
        if not rows.exists():
            raise StatisticsForbidden()
    if departement:
        rows = rows.filter(code=departement)
        if not rows.exists():
            raise StatisticsNotFound()
    names = dict(rows.order_by("code").values_list("code", "name"))
    return Territory(codes=tuple(names), names=names, national=is_admin(actor) and not departement)


def organisation_for(*, actor: User, organisation_id: int | None = None) -> Organisation:
    """The employer whose solidarity balance the actor reads: one they are an active correspondent of (the
    first when none is asked), any for an administrator. Raises Forbidden (403) for anyone else,
    StatisticsNotFound (404) for an employer they do not manage."""
    managed = Organisation.objects.all() if is_admin(actor) else Organisation.objects.managed_by(actor)
    if organisation_id is None:
        if is_admin(actor):
            raise InvalidField("organisation", _("Choisissez un employeur."))
        first = managed.order_by("name", "pk").first()
        if first is None:
            raise StatisticsForbidden()
        return first
    found = managed.filter(pk=organisation_id).first()
    if found is None:
        raise StatisticsNotFound()
    return found


def agreements_in(territory: Territory) -> Any:
    """Agreements covering at least one facility of the territory (as `Agreement.objects.visible_to` shows
    them to its officer)."""
    return Agreement.objects.filter(
        pk__in=AgreementFacility.objects.filter(facility__departement_id__in=territory.codes).values(
            "agreement_id"
        )
    )


def agreements_by_status(territory: Territory) -> list[dict[str, Any]]:
    """How many agreements are in each state, per département of the territory (an agreement covering
    facilities of two départements counts in each) and in all (counted once). About employers and
    officers, not agents: no threshold applies."""
    rows = (
        AgreementFacility.objects.filter(facility__departement_id__in=territory.codes)
        .values("facility__departement_id", "agreement__status")
        .annotate(n=Count("agreement_id", distinct=True))
        .order_by()
    )
    table: dict[str, dict[str, int]] = {}
    for row in rows:
        table.setdefault(row["facility__departement_id"], {})[row["agreement__status"]] = row["n"]
    totals = dict(
        agreements_in(territory).values("status").annotate(n=Count("pk")).order_by().values_list("status", "n")
    )
    out = [
        {
            "departement": code,
            "name": territory.names[code],
            "counts": {s: table[code].get(s, 0) for s in AgreementStatus.values},
            "total": sum(table[code].values()),
        }
        for code in territory.codes
        if code in table
    ]
    return [
        *out,
        {
            "departement": None,
            "name": _("Tout le territoire"),
            "counts": {s: totals.get(s, 0) for s in AgreementStatus.values},
            "total": sum(totals.values()),
        },
    ]


class Percentile(Aggregate):
    """percentile_cont(fraction) WITHIN GROUP (ORDER BY expression): PostgreSQL's continuous percentile."""

    function = "percentile_cont"
    template = "%(function)s(%(fraction)s) WITHIN GROUP (ORDER BY %(expressions)s)"
    output_field = FloatField()

    def __init__(self, expression: Any, fraction: float, **extra: Any) -> None:
        super().__init__(expression, fraction=float(fraction), **extra)


class EpochSeconds(Func):
    template = "EXTRACT(EPOCH FROM %(expressions)s)"
    output_field = FloatField()


def _review_rounds(territory: Territory, period: Period) -> Any:
    """One row per officer's decision in the period on an agreement of the territory, with `days`: the time
    since the submission (or resubmission) it answered, from the immutable audit events."""
    label = Agreement._meta.label_lower
    started = (
        AuditEvent.objects.filter(
            object_type=label,
            object_id=OuterRef("object_id"),
            transition__in=REVIEW_STARTS,
            created_at__lte=OuterRef("created_at"),
        )
        .order_by("-created_at", "-pk")
        .values("created_at")[:1]
    )
    keys = agreements_in(territory).annotate(key=Cast("pk", CharField())).values("key")
    return (
        AuditEvent.objects.filter(
            object_type=label,
            transition__in=REVIEW_DECISIONS,
            object_id__in=keys,
            created_at__gte=period.since,
        )
        .annotate(started=Subquery(started))
        .filter(started__isnull=False)
        .annotate(days=EpochSeconds(F("created_at") - F("started")) / 86400.0)
    )


def _days(value: float | None) -> float | None:
    return None if value is None else round(value, 1)


def review_times(territory: Territory, period: Period) -> dict[str, Any]:
    """Median and 90th percentile, in days, from submission to decision: per month of the decision and over
    the period. Decisions are the officers' work on employers' files, not agents: no threshold applies."""
    rounds = _review_rounds(territory, period)
    monthly = (
        rounds.annotate(month=TruncMonth("created_at"))
        .values("month")
        .annotate(decisions=Count("pk"), median=Percentile("days", 0.5), p90=Percentile("days", 0.9))
        .order_by("month")
    )
    overall = rounds.aggregate(decisions=Count("pk"), median=Percentile("days", 0.5), p90=Percentile("days", 0.9))
    return {
        "months": [
            {
                "month": timezone.localtime(row["month"]).date(),
                "decisions": row["decisions"],
                "median_days": _days(row["median"]),
                "p90_days": _days(row["p90"]),
            }
            for row in monthly
        ],
        "overall": {
            "decisions": overall["decisions"],
            "median_days": _days(overall["median"]),
            "p90_days": _days(overall["p90"]),
        },
    }
