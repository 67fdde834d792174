"""The CSV files of the statistics: one table each, French headers, `;`-separated with a BOM (French
spreadsheets open it as UTF-8), hidden figures written "< 5" as on the page, and any cell that a spreadsheet
would read as a formula quoted as text."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.http import HttpResponse
from django.utils.translation import gettext as _

from local_offers.models import AgreementStatus

FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\n")


def safe(value: Any) -> Any:
    """A text cell starting like a formula (= + - @, tab, carriage return) gets a leading quote (CSV injection)."""
    if value is None:
        return ""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def csv_response(filename: str, header: Sequence[str], rows: Iterable[Sequence[Any]]) -> HttpResponse:
    out = io.StringIO()
    out.write("\ufeff")
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow(header)
    for row in rows:
        writer.writerow([safe(v) for v in row])
    response = HttpResponse(out.getvalue().encode("utf-8"), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["X-Content-Type-Options"] = "nosniff"
    return response


def _month(value: Any) -> str:
    return value.strftime("%Y-%m") if value is not None else _("total")


def _side(value: str) -> str:
    return _("donné") if value == "given" else _("reçu")


def _figures(cell: dict[str, Any] | None) -> list[Any]:
    if cell is None:
        return [0, 0, 0]
    return [cell["uses"], cell["persons"], cell["agents"]]


@dataclass(frozen=True)
class Table:
    filename: str
    header: Callable[[], list[str]]
    rows: Callable[[dict[str, Any]], list[list[Any]]]


def _solidarity_months(data: dict[str, Any]) -> list[list[Any]]:
    rows = [
        [_month(r["month"]), *_figures(r["given"]), *_figures(r["received"]), r["balance"]]
        for r in data["by_month"]["rows"]
    ]
    t = data["by_month"]["total"]
    return [*rows, [_month(None), *_figures(t["given"]), *_figures(t["received"]), t["balance"]]]


def _solidarity_agreements(data: dict[str, Any]) -> list[list[Any]]:
    return [
        [r["agreement"], r["provider"], _side(r["side"]), *_figures(r)] for r in data["by_agreement"]["rows"]
    ]


def _status(data: dict[str, Any]) -> list[list[Any]]:
    return [
        [
            r["departement"] or _("tout le territoire"),
            r["name"],
            *(r["counts"][s] for s in AgreementStatus.values),
        ]
        for r in data["by_status"]
    ]


def _reviews(data: dict[str, Any]) -> list[list[Any]]:
    rows = [
        [_month(r["month"]), r["decisions"], r["median_days"], r["p90_days"]]
        for r in data["reviews"]["months"]
    ]
    o = data["reviews"]["overall"]
    return [*rows, [_month(None), o["decisions"], o["median_days"], o["p90_days"]]]


def _usage_departements(data: dict[str, Any]) -> list[list[Any]]:
    rows = [[r["departement"], r["name"], *_figures(r)] for r in data["usage_by_departement"]["rows"]]
    return [*rows, [_("total"), "", *_figures(data["usage_by_departement"]["total"])]]


def _usage_months(data: dict[str, Any]) -> list[list[Any]]:
    rows = [[_month(r["month"]), *_figures(r)] for r in data["usage_by_month"]["rows"]]
    return [*rows, [_month(None), *_figures(data["usage_by_month"]["total"])]]


def _figure_headers() -> list[str]:
    return [_("utilisations"), _("personnes"), _("agents distincts")]


SOLIDARITY_TABLES = {
    "mois": Table(
        "solidarite-par-mois.csv",
        lambda: [
            _("mois"),
            _("données : utilisations"),
            _("données : personnes"),
            _("données : agents distincts"),
            _("reçues : utilisations"),
            _("reçues : personnes"),
            _("reçues : agents distincts"),
            _("solde (utilisations données moins reçues)"),
        ],
        _solidarity_months,
    ),
    "conventions": Table(
        "solidarite-par-convention.csv",
        lambda: [_("convention"), _("fournisseur"), _("sens"), *_figure_headers()],
        _solidarity_agreements,
    ),
}

TERRITORY_TABLES = {
    "etats": Table(
        "conventions-par-etat.csv",
        lambda: [_("département"), _("nom"), *(str(label) for label in AgreementStatus.labels)],
        _status,
    ),
    "instruction": Table(
        "delais-instruction.csv",
        lambda: [_("mois de la décision"), _("décisions"), _("médiane (jours)"), _("90e centile (jours)")],
        _reviews,
    ),
    "departements": Table(
        "utilisations-par-departement.csv",
        lambda: [_("département"), _("nom"), *_figure_headers()],
        _usage_departements,
    ),
    "mois": Table("utilisations-par-mois.csv", lambda: [_("mois"), *_figure_headers()], _usage_months),
}


def table_response(tables: dict[str, Table], name: str, data: dict[str, Any]) -> HttpResponse:
    table = tables[name]
    return csv_response(table.filename, table.header(), table.rows(data))
