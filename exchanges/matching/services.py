"""The stored suggestions (the best MATCHING_SUGGESTIONS pairs and cycles of every published home), kept
fresh: for the homes around a change, after it is committed (a Procrastinate job), and for all of them each
night."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.db.backends.postgresql.psycopg_any import DateRange
from django.utils import timezone

from exchanges.matching import compact
from exchanges.matching import graph as graphs
from exchanges.matching.engine import BEAM, Graph, _top, matches_for
from exchanges.models import BestHosts, Home, Suggestion

# Above this many homes to refresh, loading the whole graph once is cheaper than their neighbourhoods.
FULL_ABOVE = 2000


def _affected(home_ids: set[int]) -> set[int]:
    """The changed homes, those whose suggestions go through them, and their direct neighbours in the graph
    (they may gain a pair or a 3-cycle); 4-cycles further away wait for the nightly refresh."""
    affected = set(home_ids)
    affected |= set(
        Suggestion.objects.filter(homes__overlap=list(home_ids)).values_list("home_id", flat=True)
    )
    around = Graph()
    graphs.load_edges(around, guests=home_ids)
    graphs.load_edges(around, hosts=home_ids)
    for home in home_ids:
        affected |= set(around.out.get(home, {})) | set(around.into.get(home, {}))
    return affected


def _graph_for(homes: set[int]) -> Graph:
    """The neighbourhood that matches_for(beam=BEAM) reads for each of `homes` (selectors.local_graph's)."""
    graph = Graph()
    graphs.load_edges(graph, guests=homes)
    graphs.load_edges(graph, hosts=homes)
    hosts = {h for home in homes for h in _top(graph.out.get(home, {}), BEAM)}
    guests = {g for home in homes for g in _top(graph.into.get(home, {}), BEAM)}
    if hosts:
        graphs.load_edges(graph, guests=hosts)
    if guests:
        graphs.load_edges(graph, hosts=guests)
    graphs.load_owners(graph, homes)
    graphs.load_people(graph, set(graph.owner.values()))
    return graph


def suggestions_refresh(*, home_ids: Iterable[int] | None = None) -> int:
    """Recompute the stored suggestions of the homes around `home_ids` (every published home when None)
    and drop those of homes no longer published. Returns the number of suggestions written."""
    changed = None if home_ids is None else set(home_ids)
    targets: set[int] | None = None if changed is None else _affected(changed)
    if targets is None or len(targets) > FULL_ABOVE:
        return _refresh_all()
    homes = set(Home.objects.published().filter(pk__in=targets).values_list("pk", flat=True))
    graph = _graph_for(homes)
    graphs.load_owners(graph, homes)
    now, n, min_nights = timezone.now(), settings.MATCHING_SUGGESTIONS, settings.MATCHING_MIN_NIGHTS
    rows: list[Suggestion] = []
    for home in sorted(homes):
        for rank, match in enumerate(matches_for(graph, home, min_nights=min_nights, beam=BEAM)[:n], start=1):
            rows.append(
                Suggestion(
                    home_id=home,
                    rank=rank,
                    kind=match.kind,
                    homes=list(match.homes),
                    window=DateRange(
                        dt.date.fromordinal(match.window[0]), dt.date.fromordinal(match.window[1])
                    ),
                    score=match.score,
                    reason=match.reason,
                    params=match.params,
                    computed_at=now,
                )
            )
    best = [
        BestHosts(home_id=home, hosts=_top(graph.out[home], BEAM), computed_at=now)
        for home in sorted(homes)
        if graph.out.get(home)
    ]
    with transaction.atomic():
        _one_writer_at_a_time()
        Suggestion.objects.filter(home_id__in=targets).delete()
        Suggestion.objects.bulk_create(rows, batch_size=5000)
        BestHosts.objects.filter(home_id__in=targets).delete()
        BestHosts.objects.bulk_create(best, batch_size=5000)
    return len(rows)


# The key of the transaction-level advisory lock taken by every write of the stored suggestions and best hosts.
_WRITE_LOCK = "exchanges.matching.suggestions"


def _one_writer_at_a_time() -> None:
    """Waits, inside the caller's transaction, until no other refresh is writing, and holds the others off
    until it commits. Two refreshes of overlapping homes (the worker runs two jobs at once: a home and its
    neighbour changed together) each delete then insert the same homes' rows: in READ COMMITTED, the second
    one's DELETE, whose snapshot predates the first one's commit, would not see the rows just inserted, and
    its INSERT would break the unique keys (`suggestion_rank_unique`, the best hosts' primary key). Taken
    before the DELETE, the lock gives the second a snapshot with the first's rows, which it then replaces
    (test: tests/exchanges/matching/test_refresh_concurrency.py)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", [_WRITE_LOCK])


def _refresh_all() -> int:
    """Every published home's best suggestions, searched on the compact graph (matching.compact: the same
    search and ranking as matches_for(beam=BEAM), compiled), written with COPY in one transaction."""
    graph = compact.load()
    people = Graph()
    graphs.load_people(people)
    ranked = compact.tops(graph, BEAM)
    found = compact.suggestions(
        graph, compact.people(graph, people), beam=BEAM, limit=settings.MATCHING_SUGGESTIONS, ranked=ranked
    )
    homes, hosts = compact.best_hosts(graph, ranked)
    now = timezone.now().isoformat()
    table, best = Suggestion._meta.db_table, BestHosts._meta.db_table
    with transaction.atomic(), connection.cursor() as cursor:
        _one_writer_at_a_time()
        # TRUNCATE refuses to run while deferred foreign-key checks of this transaction are pending.
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute(f"TRUNCATE {table}, {best}")
        cursor.execute("SET CONSTRAINTS ALL DEFERRED")
        columns = 'home_id, rank, kind, homes, "window", score, reason, params, computed_at'
        with cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
            for at in range(0, len(found["home"]), 50_000):
                copy.write(_copy_text({k: v[at : at + 50_000] for k, v in found.items()}, now))
        with cursor.cursor.copy(f"COPY {best} (home_id, hosts, computed_at) FROM STDIN") as copy:
            copy.write(
                "".join(
                    f"{h}\t{{{','.join(map(str, ids))}}}\t{now}\n"
                    for h, ids in zip(homes, hosts, strict=True)
                )
            )
    return len(found["home"])


def _copy_text(found: dict[str, Any], now: str) -> str:
    """Rows of COPY's text format: the suggestions as engine.score writes them (kind = reason)."""
    lengths = found["length"].tolist()
    homes = found["homes"].tolist()
    starts = [dt.date.fromordinal(d).isoformat() for d in found["start"].tolist()]
    ends = [dt.date.fromordinal(d).isoformat() for d in found["end"].tolist()]
    columns = [found[k].tolist() for k in ("home", "rank", "score", *PARAMS)]
    return "".join(
        f"{home}\t{rank}\t{'pair' if k == 2 else 'cycle'}\t{{{','.join(map(str, ids[:k]))}}}\t[{start},{end})\t"
        f"{score!r}\t{'pair' if k == 2 else 'cycle'}\t"
        f'{{"nights": {n}, "wishes": {w}, "theirs": {t}, "spare": {sp}, "homes": {k}, "response": {r}, '
        f'"reviews": {rv}, "rating": {rt}, "newcomers": {nc}}}\t{now}\n'
        for home, rank, score, n, w, t, sp, r, rv, rt, nc, k, ids, start, end in zip(
            *columns, lengths, homes, starts, ends, strict=True
        )
    )


# The reason's numbers, as engine.score names them (its `homes` is the suggestion's length).
PARAMS = ("nights", "wishes", "theirs", "spare", "response", "reviews", "rating", "newcomers")


def suggestions_refresh_later(home_ids: Iterable[int]) -> None:
    """After the current transaction commits, a job refreshes the suggestions around these homes (and their
    best hosts: until then, the search through another home reads their stays anew from the stored hosts, so
    a stay gone since is never suggested; nothing here waits on the nightly refresh's write)."""
    ids = sorted(set(home_ids))
    if not ids:
        return

    def defer() -> None:
        from exchanges.tasks import suggestions_refresh_task

        suggestions_refresh_task.defer(home_ids=ids)

    transaction.on_commit(defer, robust=True)
