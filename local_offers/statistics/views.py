"""Statistics pages: the correspondent's horizontal-solidarity balance and the officer's territory (agreements
by state, review times, usage on a map), each table with an SVG chart where a picture reads faster, and its
CSV. Thin: the selectors decide who sees what (403/404/422 through marketplace.web's middleware)."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from local_offers.models import AgreementStatus
from local_offers.statistics import selectors
from local_offers.statistics.charts import bar_chart
from local_offers.statistics.exports import SOLIDARITY_TABLES, TERRITORY_TABLES, table_response
from local_offers.statistics.scope import MONTHS_DEFAULT
from marketplace.accounts.models import User
from marketplace.errors import InvalidField

MONTH_CHOICES = (3, 6, 12, 24, 36)


def _user(request: HttpRequest) -> User:
    assert isinstance(request.user, User)
    return request.user


def _organisation_id(request: HttpRequest) -> int | None:
    raw = request.GET.get("organisation") or None
    if raw is None:
        return None
    if not raw.isdigit():
        raise InvalidField("organisation", _("Un identifiant d'employeur est attendu."))
    return int(raw)


def _solidarity(request: HttpRequest) -> dict[str, Any]:
    return selectors.solidarity_statistics(
        actor=_user(request), organisation_id=_organisation_id(request), months=request.GET.get("months")
    )


def _territory(request: HttpRequest) -> dict[str, Any]:
    return selectors.territory_statistics(
        actor=_user(request),
        departement=request.GET.get("departement") or None,
        months=request.GET.get("months"),
    )


def _uses(cell: dict[str, Any] | None) -> Any:
    return None if cell is None else cell["uses"]


@login_required
def solidarity(request: HttpRequest) -> HttpResponse:
    data = _solidarity(request)
    rows = data["by_month"]["rows"]
    chart = bar_chart(
        id="solidarity-chart",
        title=_("Utilisations données et reçues, par mois"),
        description=_(
            "Barres groupées par mois : utilisations des équipements de l'employeur par les agents d'autres "
            "employeurs, et utilisations par ses agents des équipements des autres. Le tableau qui suit donne "
            "les mêmes chiffres."
        ),
        labels=[date_format(r["month"], "M Y") for r in rows],
        series=[
            (_("Données"), [_uses(r["given"]) for r in rows]),
            (_("Reçues"), [_uses(r["received"]) for r in rows]),
        ],
    )
    context = {
        **data,
        "chart": chart,
        "managed": selectors.managed_organisations(_user(request)),
        "month_choices": MONTH_CHOICES,
        "query": request.GET.urlencode(),
    }
    return render(request, "local_offers/statistics/solidarity.html", context)


@login_required
def solidarity_csv(request: HttpRequest, table: str) -> HttpResponse:
    if table not in SOLIDARITY_TABLES:
        raise Http404
    return table_response(SOLIDARITY_TABLES, table, _solidarity(request))


@login_required
def territory(request: HttpRequest) -> HttpResponse:
    data = _territory(request)
    status_total = data["by_status"][-1]
    months = data["usage_by_month"]["rows"]
    charts = {
        "status": bar_chart(
            id="status-chart",
            title=_("Conventions par état"),
            description=_(
                "Une barre par état des conventions du territoire ; le tableau qui suit donne les mêmes chiffres."
            ),
            labels=[str(label) for label in AgreementStatus.labels],
            series=[(_("Conventions"), [status_total["counts"][s] for s in AgreementStatus.values])],
        ),
        "usage": bar_chart(
            id="usage-chart",
            title=_("Utilisations des bons, par mois"),
            description=_("Une barre par mois ; le tableau qui suit donne les mêmes chiffres."),
            labels=[date_format(r["month"], "M Y") for r in months],
            series=[(_("Utilisations"), [r["uses"] for r in months])],
        ),
    }
    choropleth = {
        r["departement"]: (r["uses"] if isinstance(r["uses"], int) else None)
        for r in data["usage_by_departement"]["rows"]
    }
    context = {
        **data,
        "charts": charts,
        "statuses": list(zip(AgreementStatus.values, AgreementStatus.labels, strict=True)),
        "choropleth": {"territory": list(data["territory"].codes), "uses": choropleth},
        "month_choices": MONTH_CHOICES,
        "months_default": MONTHS_DEFAULT,
        "query": request.GET.urlencode(),
    }
    return render(request, "local_offers/statistics/territory.html", context)


@login_required
def territory_csv(request: HttpRequest, table: str) -> HttpResponse:
    if table not in TERRITORY_TABLES:
        raise Http404
    return table_response(TERRITORY_TABLES, table, _territory(request))
