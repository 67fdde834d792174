"""Pages of the clearing: "Votre proposition du mois" (the opt-in switch of each of my homes, the cycle of
the latest run on the map with its reason), and the runs for officers and administrators (figures per
région and département, cross-region flows as arcs, CSV, a launch button for administrators)."""

import json
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from exchanges.clearing import selectors, services, solver
from exchanges.clearing.exceptions import NotAllowed
from marketplace.accounts.models import User
from marketplace.errors import InvalidField
from marketplace.web import post_action

OBJECTIVE = {
    "never": solver.NEVER_SWAPPED,
    "left_out": solver.LEFT_OUT,
    "left_out_max": solver.LEFT_OUT_MAX,
    "quality": solver.QUALITY,
}


def _user(request: HttpRequest) -> User:
    assert isinstance(request.user, User)
    return request.user


@login_required
def mine(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    items = selectors.my_proposals(user)
    geojson = {"type": "FeatureCollection", "features": [f for item in items for f in item["features"]]}
    context = {
        "items": items,
        "homes": selectors.my_homes_opt_in(user),
        "geojson": json.dumps(geojson),
        "objective": OBJECTIVE,
    }
    return render(request, "clearing/mine.html", context)


@login_required
@require_POST
def opt_in(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    try:
        home = int(request.POST.get("home", ""))
    except ValueError as error:
        raise InvalidField("home", _("Un numéro de logement.")) from error
    on = request.POST.get("on") == "1"
    return post_action(
        request,
        lambda: services.clearing_opt_in_set(actor=user, home=home, on=on),
        success=_("Vous recevrez une proposition chaque mois pour ce logement.")
        if on
        else _("Plus de proposition mensuelle pour ce logement."),
        next_default="clearing:mine",
    )


def _officer(request: HttpRequest) -> User:
    user = _user(request)
    if not user.has_perm("clearing.view_runs"):
        raise NotAllowed()
    return user


@login_required
def runs(request: HttpRequest) -> HttpResponse:
    user = _officer(request)
    context = {"runs": selectors.runs_for(user)[:50], "can_launch": user.has_perm("clearing.launch_run")}
    return render(request, "clearing/runs.html", context)


@login_required
def run_detail(request: HttpRequest, run_id: int) -> HttpResponse:
    run = selectors.run_get_for_actor(actor=_user(request), run_id=run_id)
    flows = selectors.run_flows(run)
    context: dict[str, Any] = {
        "run": run,
        "figures": selectors.run_figures(run),
        "flows": flows,
        "geojson": json.dumps(selectors.flows_geojson(flows)),
        "min_cell": selectors.MIN_CELL,
    }
    return render(request, "clearing/run.html", context)


@login_required
def run_csv(request: HttpRequest, run_id: int) -> HttpResponse:
    run = selectors.run_get_for_actor(actor=_user(request), run_id=run_id)
    response = HttpResponse(selectors.run_csv(run), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="tour-{run.pk}.csv"'
    return response


@login_required
@require_POST
def launch(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    return post_action(
        request,
        lambda: services.clearing_run(actor=user),
        success=_("Tour de propositions lancé."),
        next_default="clearing:runs",
    )
