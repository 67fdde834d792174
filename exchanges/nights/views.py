"""Pages of the solidarity nights: my balance and history; the officers' and administrators' statistics
(CSV too); the administrators' correction form. Writes go through the services."""

import csv
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _

from exchanges.nights import selectors, services
from exchanges.nights.filters import MovementFilter
from exchanges.nights.forms import CorrectionForm
from marketplace import lists
from marketplace.accounts.models import User
from marketplace.errors import Forbidden, InvalidField
from marketplace.organisations.permissions import is_admin, is_officer
from marketplace.web import form_action


def _user(request: HttpRequest) -> User:
    assert isinstance(request.user, User)
    return request.user


@login_required
def mine(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    page = lists.paginate(request.GET, MovementFilter, selectors.movements_of(user))
    context = {
        "balance": services.balance_of(user),
        "reserved": selectors.reserved_of(user),
        "welcome_credit": services.welcome_credit(),
        "movements": [selectors.movement_out(m) for m in page.items],
        "next": page.next,
    }
    return render(request, "nights/mine.html", context)


@login_required
def statistics(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    if not (is_officer(user) or is_admin(user)):
        raise Forbidden(_("Réservé aux chargés de développement et aux administrateurs."))
    rows = selectors.flows()
    if request.GET.get("format") == "csv":
        response = HttpResponse(content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = 'attachment; filename="nuits-solidaires.csv"'
        writer = csv.writer(response)
        writer.writerow(["mois", "region", "departement", "nuits_gagnees", "nuits_depensees"])
        for r in rows:
            writer.writerow(
                [
                    r["month"].strftime("%Y-%m"),  # type: ignore[attr-defined]
                    r["region"],
                    r["departement"],
                    "" if r["earned"] is None else r["earned"],
                    "" if r["spent"] is None else r["spent"],
                ]
            )
        return response
    return render(
        request,
        "nights/statistics.html",
        {"rows": rows, "min_cell": selectors.MIN_CELL, "admin": is_admin(user)},
    )


@login_required
def correction(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    if not user.is_superuser:
        raise Forbidden(_("Seul un administrateur corrige un solde de nuits."))
    form = CorrectionForm(request.POST or None)

    def record(data: dict[str, Any]) -> None:
        agent = User.objects.filter(email__iexact=str(data["email"])).first()
        if agent is None:
            raise InvalidField("email", _("Aucun compte avec cette adresse."))
        services.correction_record(
            actor=user,
            user=agent,
            nights=int(data["nights"]),
            reason=str(data["reason"]),
        )

    if request.method == "POST" and form_action(form, record):
        messages.success(request, _("Correction enregistrée."))
        return HttpResponseRedirect(reverse("nights:correction"), status=303)
    return render(request, "nights/correction.html", {"form": form}, status=422 if form.errors else 200)
