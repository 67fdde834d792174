"""Reads of the local-offer statistics, for the pages, the API and the CSV files. Every table is one SQL query
aggregating in the database, by month with date_trunc in the site's time zone; who sees what is `scope`'s
rule; voucher usage is read in `usage` only."""

from __future__ import annotations

from typing import Any

from django.db.models import Aggregate, CharField, Count, F, FloatField, Func, OuterRef, Subquery
from django.db.models.functions import Cast, TruncMonth
from django.utils import timezone
from django.utils.translation import gettext as _

from local_offers.models import Agreement, AgreementFacility, AgreementStatus
from local_offers.statistics import usage
from local_offers.statistics.anonymity import MIN_AGENTS
from local_offers.statistics.scope import Period, Territory, organisation_for, period_of, territory_for
from marketplace.accounts.models import User
from marketplace.audit.models import AuditEvent
from marketplace.organisations.models import Organisation

# A review round starts when the provider submits (or resubmits) and ends at the officer's decision.
REVIEW_STARTS = ("submit", "resubmit")
REVIEW_DECISIONS = ("request_changes", "approve", "reject")


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
        agreements_in(territory)
        .values("status")
        .annotate(n=Count("pk"))
        .order_by()
        .values_list("status", "n")
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
    overall = rounds.aggregate(
        decisions=Count("pk"), median=Percentile("days", 0.5), p90=Percentile("days", 0.9)
    )
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


def territory_statistics(
    *, actor: User, departement: str | None = None, months: object = None
) -> dict[str, Any]:
    """Everything the officer's page, API and CSV show. Raises StatisticsForbidden (403),
    StatisticsNotFound (404, a département outside the territory), InvalidField (422, `months`)."""
    period = period_of(months)
    territory = territory_for(actor=actor, departement=departement)
    return {
        "territory": territory,
        "period": period,
        "threshold": MIN_AGENTS,
        "by_status": agreements_by_status(territory),
        "reviews": review_times(territory, period),
        "usage_by_departement": usage.usage_by_departement(territory, period),
        "usage_by_month": usage.usage_by_month(territory, period),
    }


def solidarity_statistics(
    *, actor: User, organisation_id: int | None = None, months: object = None
) -> dict[str, Any]:
    """Everything the correspondent's page, API and CSV show. Raises StatisticsForbidden (403),
    StatisticsNotFound (404, an employer the actor does not manage), InvalidField (422)."""
    period = period_of(months)
    organisation = organisation_for(actor=actor, organisation_id=organisation_id)
    return {
        "organisation": organisation,
        "period": period,
        "threshold": MIN_AGENTS,
        "by_month": usage.solidarity_by_month(organisation, period),
        "by_agreement": usage.solidarity_by_agreement(organisation, period),
    }


def managed_organisations(actor: User) -> list[Organisation]:
    """The employers whose balance the correspondent may choose between on the page."""
    return list(Organisation.objects.managed_by(actor).order_by("name", "pk"))
