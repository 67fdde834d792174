"""/api/v1/clearing: the runs (officers and administrators; a run launched now: administrators), my
proposal of the month, the opt-in switch of one of my homes. Session auth with CSRF."""

import datetime as dt
from typing import Annotated, Any

from django.http import HttpRequest, HttpResponse
from ninja import Router, Schema
from ninja.responses import Status
from ninja.security import django_auth
from pydantic import ConfigDict, Field

from exchanges.clearing import selectors, services
from exchanges.clearing.exceptions import NotAllowed
from marketplace.accounts.models import User

clearing = Router(tags=["clearing"], auth=django_auth)
Id = Annotated[int, Field(ge=1, le=2**63 - 1)]


class RunOut(Schema):
    id: int
    started_at: dt.datetime
    finished_at: dt.datetime | None
    trigger: str
    max_length: int
    pool_size: int
    candidates: int
    components: int
    capped: bool
    households: int
    greedy_households: int
    lp_bound: float
    gap: float
    proposals_created: int
    proposals_failed: int
    runtime_seconds: float


class CellOut(Schema):
    code: str
    name: str
    pool: int | None = Field(description="Absent (null) sous 5 agents")
    offered: int | None
    accepted: int | None
    declined: int | None


class FlowOut(Schema):
    origin: str = Field(description="Code de la région des foyers qui partent")
    destination: str = Field(description="Code de la région où ils séjournent")
    origin_name: str
    destination_name: str
    households: int = Field(description="Foyers (un flux de moins de 5 foyers n'est pas donné)")
    coordinates: list[list[float]]


class RunDetailOut(RunOut):
    regions: list[CellOut]
    departements: list[CellOut]
    flows: list[FlowOut]


class RunIn(Schema):
    model_config = ConfigDict(extra="forbid")

    max_length: Annotated[int, Field(ge=2, le=4)] = 3


class OptInIn(Schema):
    model_config = ConfigDict(extra="forbid")

    on: bool


class OptInOut(Schema):
    home: int
    on: bool


class MineOut(Schema):
    run: int
    proposal: int
    status: str
    homes: list[int]
    start: dt.date
    end: dt.date
    reason: str


def _actor(request: HttpRequest) -> User:
    assert isinstance(request.user, User)
    return request.user


def _detail(run: Any) -> dict[str, Any]:
    figures = selectors.run_figures(run)
    return {
        **selectors.run_out(run),
        "regions": figures["region"],
        "departements": figures["departement"],
        "flows": [
            {
                "origin": f["from"],
                "destination": f["to"],
                "origin_name": f["from_name"],
                "destination_name": f["to_name"],
                "households": f["households"],
                "coordinates": f["coordinates"],
            }
            for f in selectors.run_flows(run)
        ],
    }


@clearing.get("/runs", response=list[RunOut], summary="Les tours (agents instructeurs, administrateurs)")
def run_list(request: HttpRequest) -> list[dict[str, Any]]:
    actor = _actor(request)
    if not actor.has_perm("clearing.view_runs"):
        raise NotAllowed()
    return [selectors.run_out(r) for r in selectors.runs_for(actor)[:100]]


@clearing.post("/runs", response={201: RunDetailOut}, summary="Lancer un tour maintenant (administrateurs)")
def run_launch(request: HttpRequest, payload: RunIn) -> Status[dict[str, Any]]:
    run = services.clearing_run(actor=_actor(request), max_length=payload.max_length)
    return Status(201, _detail(run))


@clearing.get("/runs/{run_id}", response=RunDetailOut, summary="Un tour : chiffres par territoire, flux")
def run_detail(request: HttpRequest, run_id: Id) -> dict[str, Any]:
    return _detail(selectors.run_get_for_actor(actor=_actor(request), run_id=run_id))


@clearing.get("/runs/{run_id}/csv", summary="Un tour en CSV")
def run_csv(request: HttpRequest, run_id: Id) -> HttpResponse:
    run = selectors.run_get_for_actor(actor=_actor(request), run_id=run_id)
    response = HttpResponse(selectors.run_csv(run), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="tour-{run.pk}.csv"'
    return response


@clearing.get("/mine", response=list[MineOut], summary="Ma proposition du mois")
def mine(request: HttpRequest) -> list[dict[str, Any]]:
    return [
        {
            "run": item["run"].pk,
            "proposal": item["proposal"].pk,
            "status": item["proposal"].status,
            "homes": [h.pk for h in item["homes"]],
            "start": item["cycle"].start,
            "end": item["cycle"].end,
            "reason": item["reason"],
        }
        for item in selectors.my_proposals(_actor(request))
    ]


@clearing.put("/homes/{home_id}/opt-in", response=OptInOut, summary="M'en proposer un chaque mois (oui/non)")
def opt_in(request: HttpRequest, home_id: Id, payload: OptInIn) -> dict[str, Any]:
    on = services.clearing_opt_in_set(actor=_actor(request), home=home_id, on=payload.on)
    return {"home": home_id, "on": on}
