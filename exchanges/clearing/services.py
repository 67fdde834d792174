"""Writes of the clearing: the opt-in switch, a run, the memory of failing edges.

A run: the failing edges of earlier runs are remembered first; the pool is every published home opted in
whose owner is eligible today and that waits for no answer on another proposal; the can-host graph between
those homes comes from the matching's SQL (`exchanges.matching.graph`'s statement, guests and hosts both
the pool), streamed into the solver's numpy arrays; the solver chooses; each chosen pair or cycle becomes a
proposal of the platform through the swaps workflow (its own transaction: a refused one is recorded with the
refusal's code, the others stand), with its one-line explanation as a system message; the run records its
figures and who was in the pool.
"""

from __future__ import annotations

import datetime as dt
import time
from collections import defaultdict
from typing import Any

import numpy as np
from django.conf import settings
from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from exchanges.clearing import solver
from exchanges.clearing.exceptions import NotAllowed
from exchanges.clearing.models import (
    ClearingCycle,
    ClearingEntry,
    ClearingOptIn,
    ClearingRun,
    FailedEdge,
    Trigger,
)
from exchanges.exceptions import HomeNotFound
from exchanges.matching import graph as graphs
from exchanges.matching.engine import Graph, normalise, score
from exchanges.matching.reasons import reason_text
from exchanges.models import Home, HomeStatus
from exchanges.swaps.models import PENDING, REVEALED, ProposalParty, ProposalStatus, Stay
from exchanges.swaps.services import MAX_NIGHTS, proposal_create_by_platform
from marketplace.accounts.models import User
from marketplace.errors import DomainError, InvalidField
from marketplace.organisations.models import Employment, EmploymentStatus

FAILED = (ProposalStatus.DECLINED, ProposalStatus.EXPIRED)


def clearing_opt_in_set(*, actor: User, home: int, on: bool) -> bool:
    """Switch 'propose me a swap each month' for one of the actor's homes. Raises HomeNotFound (404) for a
    home that is not the actor's. Returns the new state."""
    found = Home.objects.filter(owner=actor, pk=home).first() if actor.is_authenticated else None
    if found is None:
        raise HomeNotFound()
    if on:
        ClearingOptIn.objects.get_or_create(home=found)
    else:
        ClearingOptIn.objects.filter(home=found).delete()
    return on


def clearing_remember_failures() -> int:
    """Every stay of a clearing proposal that was declined or expired goes to the failing-edge memory (once).
    Returns the number of cycles newly remembered."""
    cycles = list(
        ClearingCycle.objects.filter(remembered=False, proposal__status__in=FAILED).select_related("proposal")
    )
    rows = [
        FailedEdge(
            guest_home_id=cycle.homes[i],
            host_home_id=cycle.homes[(i + 1) % len(cycle.homes)],
            cycle=cycle,
            outcome=cycle.proposal.status if cycle.proposal else "",
        )
        for cycle in cycles
        for i in range(len(cycle.homes))
    ]
    FailedEdge.objects.bulk_create(rows, ignore_conflicts=True)
    ClearingCycle.objects.filter(pk__in=[c.pk for c in cycles]).update(remembered=True)
    return len(cycles)


def eligible_owners(today: dt.date) -> set[int]:
    """The agents eligible today (a confirmed employment at a validated member employer), in one query."""
    employments = Employment.objects.filter(status=EmploymentStatus.CONFIRMED).with_active_membership(today)
    member = {"member_on": True}  # the annotation of with_active_membership
    return set(employments.filter(**member).values_list("agent_id", flat=True))


def pool_homes(today: dt.date) -> list[dict[str, Any]]:
    """The homes of a run: opted in, published, owner eligible, no proposal waiting for an answer."""
    waiting = ProposalParty.objects.filter(proposal__status__in=PENDING).values("home_id")
    rows = list(
        Home.objects.filter(status=HomeStatus.PUBLISHED, clearing_opt_in__isnull=False)
        .exclude(pk__in=waiting)
        .values("pk", "owner_id", "region_id", "departement_id")
    )
    eligible = eligible_owners(today)
    return [dict(row) for row in rows if row["owner_id"] in eligible]


def _fairness(homes: list[dict[str, Any]]) -> dict[int, int]:
    """Term 2 of the objective for each home: its owner never swapped, the runs it was left out of since
    it was last offered a swap."""
    owners = {row["owner_id"] for row in homes}
    swapped = set(
        Stay.objects.filter(proposal__status__in=REVEALED)
        .filter(Q(guest_id__in=owners) | Q(host_id__in=owners))
        .values_list("guest_id", "host_id")
        .distinct()
        .iterator()
    )
    swapped_owners = {u for pair in swapped for u in pair}
    left_out: dict[int, int] = defaultdict(int)
    ids = [row["pk"] for row in homes]
    for home, offered in (
        ClearingEntry.objects.filter(home_id__in=ids)
        .order_by("home_id", "run_id")
        .values_list("home_id", "offered")
    ):
        left_out[home] = 0 if offered else left_out[home] + 1
    return {
        row["pk"]: solver.bonus(row["owner_id"] not in swapped_owners, left_out[row["pk"]]) for row in homes
    }


def _busy(ids: list[int], today: dt.date) -> dict[int, tuple[tuple[int, int], ...]]:
    """The nights each home already hosts a confirmed stay, from today on."""
    pieces: dict[int, list[tuple[int, int]]] = defaultdict(list)
    for host, period in Stay.objects.filter(
        confirmed=True, host_home_id__in=ids, period__endswith__gt=today
    ).values_list("host_home_id", "period"):
        pieces[host].append((period.lower.toordinal(), period.upper.toordinal()))
    return {host: normalise(p) for host, p in pieces.items()}


# The matching's edges between the pool's homes, each date as its ordinal (date.toordinal: 1 is 0001-01-01),
# read a batch at a time through a server-side cursor into numpy: no Python object per edge, whatever the pool.
EDGE_ROWS_SQL = f"""
SELECT guest, host, is_open::int, s - DATE '0001-01-01' + 1, e - DATE '0001-01-01' + 1, wish, km2, spare
FROM ({graphs.FILTERED_SQL}) AS pieces
"""  # noqa: S608
EDGE_BATCH = 100_000


def pool_arcs(homes: list[dict[str, Any]]) -> solver.Arcs:
    """The can-host graph between these homes (the matching's definition: exchanges.matching.graph) as the
    solver's arrays; each batch of rows becomes typed columns at once (about 30 bytes a row)."""
    ids = np.array(sorted(row["pk"] for row in homes), dtype=np.int64)
    owner_of = {row["pk"]: row["owner_id"] for row in homes}
    columns: dict[str, list[np.ndarray]] = defaultdict(list)
    if len(ids):
        params = {**graphs.settings_params(), "guests": ids.tolist(), "hosts": ids.tolist()}
        with connection.chunked_cursor() as cursor:
            cursor.execute(EDGE_ROWS_SQL, params)
            while rows := cursor.fetchmany(EDGE_BATCH):
                batch = np.array(rows, dtype=np.float64).reshape(-1, 8)  # ids < 2**53: exact
                columns["guest"].append(np.searchsorted(ids, batch[:, 0].astype(np.int64)).astype(np.int32))
                columns["host"].append(np.searchsorted(ids, batch[:, 1].astype(np.int64)).astype(np.int32))
                columns["is_open"].append(batch[:, 2] > 0)
                columns["start"].append(batch[:, 3].astype(np.int32))
                columns["end"].append(batch[:, 4].astype(np.int32))
                columns["wish"].append(batch[:, 5].astype(np.int64))
                columns["km2"].append(batch[:, 6])
                columns["spare"].append(batch[:, 7].astype(np.int32))
    types: dict[str, type] = {"guest": np.int32, "host": np.int32, "is_open": bool, "start": np.int32}
    types |= {"end": np.int32, "wish": np.int64, "km2": np.float64, "spare": np.int32}
    arrays = {
        k: np.concatenate(columns.pop(k)) if k in columns else np.zeros(0, dtype=t) for k, t in types.items()
    }
    return solver.Arcs.from_pieces(
        owner=np.array([owner_of[h] for h in ids.tolist()], dtype=np.int64), ids=ids, **arrays
    )


def build_pool(today: dt.date, *, max_length: int) -> tuple[solver.Pool, list[dict[str, Any]]]:
    homes = pool_homes(today)
    ids = [row["pk"] for row in homes]
    banned = set(
        FailedEdge.objects.filter(guest_home_id__in=ids).values_list("guest_home_id", "host_home_id")
    )
    pool = solver.Pool(
        arcs=pool_arcs(homes),
        bonus=_fairness(homes),
        banned=banned,
        busy=_busy(ids, today),
        first_night=(today + dt.timedelta(days=1)).toordinal(),
        min_nights=settings.MATCHING_MIN_NIGHTS,
        max_nights=MAX_NIGHTS,
        max_length=max_length,
    )
    return pool, homes


def explanation(graph: Graph, cand: solver.Candidate) -> tuple[str, dict[str, int]]:
    """The reason key and numbers of a chosen pair or cycle (the matching's one-line reason)."""
    match = score(graph, cand.homes, cand.window)
    return match.reason, match.params


def clearing_run(
    *, actor: User | None, max_length: int | None = None, today: dt.date | None = None
) -> ClearingRun:
    """One clearing run: the monthly task (actor None) or an administrator. Raises NotAllowed (403) for
    anyone else, InvalidField for a cycle length outside 2–4."""
    if actor is not None and not actor.has_perm("clearing.launch_run"):
        raise NotAllowed()
    length = max_length or settings.CLEARING_MAX_LENGTH
    if length not in (2, 3, 4):
        raise InvalidField("max_length", _("De 2 à 4 logements par boucle."))
    began = time.perf_counter()
    today = today or timezone.localdate()
    clearing_remember_failures()
    run = ClearingRun.objects.create(
        trigger=Trigger.MONTHLY if actor is None else Trigger.ADMIN,
        launched_by=actor,
        max_length=length,
        min_nights=settings.MATCHING_MIN_NIGHTS,
        cross_region=settings.MATCHING_CROSS_REGION,
    )
    pool, homes = build_pool(today, max_length=length)
    cands, capped = solver.candidates(pool)
    solution = solver.solve(cands)
    offered = {h for cand in solution.chosen for h in cand.homes}
    ClearingEntry.objects.bulk_create(
        [
            ClearingEntry(
                run=run,
                home_id=row["pk"],
                region_id=row["region_id"],
                departement_id=row["departement_id"],
                offered=row["pk"] in offered,
            )
            for row in homes
        ],
        batch_size=5000,
    )
    created = failed = 0
    chosen_graph = pool.graph_of(c.homes for c in solution.chosen)
    for cand in solution.chosen:
        reason, params = explanation(chosen_graph, cand)
        cycle = ClearingCycle.objects.create(
            run=run,
            homes=list(cand.homes),
            start=cand.start,
            end=cand.end,
            points=cand.points,
            reason=reason,
            params=params,
        )
        with translation.override("fr"):
            note = _("Proposition du mois : %(line)s") % {"line": reason_text(reason, params)}
        try:
            with transaction.atomic():
                proposal = proposal_create_by_platform(
                    homes=cand.homes, start=cand.start, end=cand.end, note=note
                )
        except DomainError as error:
            cycle.failure = error.code
            cycle.save(update_fields=["failure"])
            failed += 1
            continue
        cycle.proposal = proposal
        cycle.save(update_fields=["proposal"])
        created += 1
    for name, value in {
        "pool_size": len(homes),
        "edges": pool.edge_count,
        "candidates": solution.candidates,
        "components": solution.components,
        "largest_component": solution.largest_component,
        "capped": capped,
        "households": solution.households,
        "objective_points": solution.points,
        "greedy_households": solution.greedy_households,
        "greedy_points": solution.greedy_points,
        "lp_bound": solution.lp_households_bound,
        "gap": solution.gap,
        "proposals_created": created,
        "proposals_failed": failed,
        "solve_seconds": solution.seconds,
        "runtime_seconds": time.perf_counter() - began,
        "finished_at": timezone.now(),
    }.items():
        setattr(run, name, value)
    run.save()
    return run
