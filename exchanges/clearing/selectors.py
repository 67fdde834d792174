"""Reads of the clearing: my proposal of the month (public points only), the runs and their figures per
région and département (no cell under MIN_CELL agents), the cross-region flows for the arcs, the CSV."""

from __future__ import annotations

import csv
import io
from collections import Counter, defaultdict
from typing import Any

from django.contrib.gis.db.models.functions import PointOnSurface
from django.db.models import Q

from exchanges.clearing.exceptions import RunNotFound
from exchanges.clearing.models import ClearingCycle, ClearingEntry, ClearingOptIn, ClearingRun
from exchanges.matching.reasons import reason_text
from exchanges.models import Home
from exchanges.swaps.models import ProposalStatus
from geo.models import Departement, Region
from marketplace.accounts.models import User

MIN_CELL = 5  # a figure about fewer agents than this is not shown (statistical secrecy)
ACCEPTED = (
    ProposalStatus.ACCEPTED,
    ProposalStatus.CONFIRMED,
    ProposalStatus.IN_PROGRESS,
    ProposalStatus.COMPLETED,
)
DECLINED = (ProposalStatus.DECLINED, ProposalStatus.EXPIRED, ProposalStatus.CANCELLED)


def opted_in(home: Home) -> bool:
    return ClearingOptIn.objects.filter(home=home).exists()


def my_proposals(actor: User) -> list[dict[str, Any]]:
    """The cycles of the latest run that went through one of the actor's homes, each with its proposal,
    its stays in order from the actor's home, the homes' public points and the reason in the viewer's
    language."""
    if not actor.is_authenticated:
        return []
    run = ClearingRun.objects.filter(finished_at__isnull=False).order_by("-started_at", "-pk").first()
    if run is None:
        return []
    mine = set(Home.objects.filter(owner=actor).values_list("pk", flat=True))
    cycles = list(
        ClearingCycle.objects.filter(run=run, homes__overlap=list(mine), proposal__isnull=False)
        .select_related("proposal")
        .order_by("pk")
    )
    out = []
    for rank, cycle in enumerate(cycles, start=1):
        first = next(i for i, h in enumerate(cycle.homes) if h in mine)
        order = cycle.homes[first:] + cycle.homes[:first]
        homes = {h.pk: h for h in Home.objects.filter(pk__in=order).select_related("commune", "departement")}
        out.append(
            {
                "run": run,
                "cycle": cycle,
                "proposal": cycle.proposal,
                "homes": [homes[h] for h in order if h in homes],
                "reason": reason_text(cycle.reason, dict(cycle.params)),
                "rank": rank,
                "stays": [(homes[order[i]], homes[order[(i + 1) % len(order)]]) for i in range(len(order))],
                "features": _geojson([homes[h] for h in order if h in homes], rank),
            }
        )
    return out


def _geojson(homes: list[Home], rank: int) -> list[dict[str, Any]]:
    """The homes at their public points, numbered from mine, and one line per stay (guest's home → host):
    the features of the suggestions map (swaps/js/suggestions.js), `suggestion` being the item's rank."""
    coords = [[round(h.public_point.x, 5), round(h.public_point.y, 5)] for h in homes]
    features: list[dict[str, Any]] = []
    for i, home in enumerate(homes):
        features.append(
            {
                "type": "Feature",
                "geometry": {"type": "Point", "coordinates": coords[i]},
                "properties": {
                    "suggestion": rank,
                    "kind": "home",
                    "number": i + 1,
                    "title": home.title,
                    "mine": i == 0,
                },
            }
        )
        features.append(
            {
                "type": "Feature",
                "geometry": {"type": "LineString", "coordinates": [coords[i], coords[(i + 1) % len(coords)]]},
                "properties": {"suggestion": rank, "kind": "stay", "mine": i == 0},
            }
        )
    return features


def flows_geojson(flows: list[dict[str, Any]]) -> dict[str, Any]:
    """The cross-region flows as the suggestions map draws them (curved arcs with an arrow, all shown)."""
    features: list[dict[str, Any]] = []
    places: dict[str, int] = {}
    for flow in flows:
        for code, name, point in (
            (flow["from"], flow["from_name"], flow["coordinates"][0]),
            (flow["to"], flow["to_name"], flow["coordinates"][1]),
        ):
            if code not in places:
                places[code] = len(places) + 1
                features.append(
                    {
                        "type": "Feature",
                        "geometry": {"type": "Point", "coordinates": point},
                        "properties": {
                            "suggestion": 0,
                            "kind": "home",
                            "number": places[code],
                            "title": name,
                            "mine": False,
                        },
                    }
                )
        features.append(
            {
                "type": "Feature",
                "geometry": {"type": "LineString", "coordinates": flow["coordinates"]},
                "properties": {"suggestion": 0, "kind": "stay", "mine": False},
            }
        )
    return {"type": "FeatureCollection", "features": features}


def runs_for(actor: User) -> Any:
    return ClearingRun.objects.visible_to(actor)


def run_get_for_actor(*, actor: User, run_id: int) -> ClearingRun:
    run = runs_for(actor).filter(pk=run_id).first()
    if run is None:
        raise RunNotFound()
    return run


def _cell(n: int) -> int | None:
    return n if n >= MIN_CELL else None


def run_figures(run: ClearingRun) -> dict[str, list[dict[str, Any]]]:
    """Per région and per département: homes in the pool, offered a swap, accepted, declined (declined,
    expired or cancelled) — each cell None below MIN_CELL."""
    status: dict[int, str] = {}
    for homes, proposal_status in ClearingCycle.objects.filter(run=run, proposal__isnull=False).values_list(
        "homes", "proposal__status"
    ):
        for home in homes:
            status[home] = proposal_status
    counts: dict[str, dict[str, Counter[str]]] = {
        "region": defaultdict(Counter),
        "departement": defaultdict(Counter),
    }
    for home, region, departement, offered in ClearingEntry.objects.filter(run=run).values_list(
        "home_id", "region_id", "departement_id", "offered"
    ):
        for level, code in (("region", region), ("departement", departement)):
            cell = counts[level][code]
            cell["pool"] += 1
            cell["offered"] += offered
            cell["accepted"] += status.get(home) in ACCEPTED
            cell["declined"] += status.get(home) in DECLINED
    names = {
        "region": dict(Region.objects.filter(code__in=counts["region"]).values_list("code", "name")),
        "departement": dict(
            Departement.objects.filter(code__in=counts["departement"]).values_list("code", "name")
        ),
    }
    return {
        level: [
            {
                "code": code,
                "name": names[level].get(code, code),
                **{k: _cell(cell[k]) for k in ("pool", "offered", "accepted", "declined")},
            }
            for code, cell in sorted(counts[level].items())
        ]
        for level in ("region", "departement")
    }


def run_flows(run: ClearingRun) -> list[dict[str, Any]]:
    """Households of each région offered a stay in another région, with the régions' inner points (for
    the arcs); flows of fewer than MIN_CELL households are not shown."""
    region_of = dict(ClearingEntry.objects.filter(run=run).values_list("home_id", "region_id"))
    flows: Counter[tuple[str, str]] = Counter()
    for homes in ClearingCycle.objects.filter(run=run).values_list("homes", flat=True):
        for i, guest in enumerate(homes):
            host = homes[(i + 1) % len(homes)]
            if guest in region_of and host in region_of and region_of[guest] != region_of[host]:
                flows[(region_of[guest], region_of[host])] += 1
    shown = {k: n for k, n in flows.items() if n >= MIN_CELL}
    codes = {c for pair in shown for c in pair}
    points = {
        r.code: (r.name, r.inner)
        for r in Region.objects.filter(code__in=codes).annotate(inner=PointOnSurface("geom_simple"))
    }
    return [
        {
            "from": a,
            "to": b,
            "from_name": points[a][0],
            "to_name": points[b][0],
            "households": n,
            "coordinates": [
                [round(points[a][1].x, 4), round(points[a][1].y, 4)],
                [round(points[b][1].x, 4), round(points[b][1].y, 4)],
            ],
        }
        for (a, b), n in sorted(shown.items())
    ]


def run_csv(run: ClearingRun) -> str:
    figures = run_figures(run)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["niveau", "code", "nom", "inscrits", "proposes", "acceptes", "refuses"])
    for level in ("region", "departement"):
        for row in figures[level]:
            writer.writerow(
                [level, row["code"], row["name"]]
                + ["<5" if row[k] is None else row[k] for k in ("pool", "offered", "accepted", "declined")]
            )
    return out.getvalue()


def run_out(run: ClearingRun) -> dict[str, Any]:
    return {
        "id": run.pk,
        "started_at": run.started_at,
        "finished_at": run.finished_at,
        "trigger": run.trigger,
        "max_length": run.max_length,
        "pool_size": run.pool_size,
        "candidates": run.candidates,
        "components": run.components,
        "capped": run.capped,
        "households": run.households,
        "greedy_households": run.greedy_households,
        "lp_bound": run.lp_bound,
        "gap": run.gap,
        "proposals_created": run.proposals_created,
        "proposals_failed": run.proposals_failed,
        "runtime_seconds": run.runtime_seconds,
    }


def my_homes_opt_in(actor: User) -> list[dict[str, Any]]:
    homes = Home.objects.filter(owner=actor).filter(~Q(status="archived")).order_by("pk")
    on = set(ClearingOptIn.objects.filter(home__owner=actor).values_list("home_id", flat=True))
    return [{"home": h, "on": h.pk in on} for h in homes]
