"""Benchmark: the swap matching at national scale (100k homes), with région- and département-level wishes.

In one run:
- data: the homes, owners and availability of `bench.search.generate` (real communes in proportion to
  population, one period of one to three weeks in the coming months, open or reciprocal only), then
  realistic wishes in place of its few circles: every home one wish and 30 % a second one, 35 % of them for a
  whole région, 35 % for a département, 20 % a circle of 15 to 50 km, 10 % one commune (the places where
  other homes are, so in proportion to population), ± 0 to 7 days, two to six people; 70 % of the wishes on
  the home's own free dates (most swaps are simultaneous: the household travels while its home is free), the
  others one to three weeks of their own (drawn apart from the availability, almost no home would have a
  pair or a cycle: 0.1 and 0.0 per home printed before this change);
- the graph: its edge count (and the time and memory to load it whole, `compact.load`: the batch's loader);
- pairs of one home (`selectors.pairs_for_home`: one SQL + ranking) and best cycles through one home
  (`selectors.matches_for_home`: its SQL neighbourhood + engine.matches_for), p50/p95 over 40 seeded homes,
  in a process with the web process's garbage collector settings (`marketplace.serving.tune_gc`), after the
  batch (below) stored every home's best hosts, then again without them in a rolled-back transaction (as before
  a first refresh: each host's stays found and ranked now), with whether both found the same;
- the batch (run before the per-home searches) that refreshes every home's best suggestions
  (`services.suggestions_refresh()`: the compact graph and the compiled search, `matching.compact`), its wall
  time, its CPU time (the machine is shared: wall time depends on the other processes) and the peak memory of
  its process (VmHWM, in a process of its own, after `compact.warm_up()` compiled the kernels in the graph's
  step: numba's cache, as the image build);
- on 2k- and 10k-home subgraphs, every 2- and 3-cycle (`engine.cycles_2_3`) beside
  `networkx.simple_cycles(G, length_bound=3)` on the same graph, with both counts and the ratio.

It uses `reciproque_bench` like bench.search. Run: `.venv/bin/python -m bench.matching [SIZE]` (100000);
`--per-home` times only the pairs and cycles of one home on the data a previous run seeded (kept in the database).
"""

import os
import subprocess
import sys
import time

import psycopg

from bench import search
from bench.common import ROOT

SUBGRAPH = 10_000


def th(n: int) -> str:
    """12 345 678: thousands apart, as the other benchmarks print them."""
    return f"{n:,}".replace(",", " ")


WISHES_SQL = """
SET max_parallel_workers_per_gather = 0;
SET session_replication_role = replica;
TRUNCATE exchanges_destinationwish, exchanges_suggestion, exchanges_besthosts;
SELECT setseed(0.2026);
CREATE TEMP TABLE hx AS
    SELECT row_number() OVER (ORDER BY h.id) AS rn, h.id, h.region_id, h.departement_id, h.commune_id, c.point
    FROM exchanges_home h JOIN geo_commune c ON c.code = h.commune_id;
CREATE UNIQUE INDEX ON hx (rn);
CREATE TEMP TABLE picks AS
    SELECT h.id AS home_id, h.region_id AS own_region, n, random() AS r_kind, random() AS r_place,
           random() AS r_start, random() AS r_len, random() AS r_flex, random() AS r_party, random() AS r_rad,
           random() AS r_sim
    FROM hx h CROSS JOIN generate_series(1, 2) n;
DELETE FROM picks WHERE n = 2 AND (r_len * 1000)::numeric % 1 >= 0.3;  -- a second wish for 30 % of the homes
CREATE TEMP TABLE areas AS
    SELECT 'r' AS kind, code, ST_Area(geom_simple::geography) / 1e6 AS km2 FROM geo_region
    UNION ALL SELECT 'd', code, ST_Area(geom_simple::geography) / 1e6 FROM geo_departement;
INSERT INTO exchanges_destinationwish (home_id, regions, departements, communes, center, radius_m, target,
    target_km2, dates, flexibility_days, adults, children, created_at, origin)
SELECT p.home_id,
       CASE WHEN k.kind = 'r' THEN ARRAY[t.region_id] ELSE '{}' END,
       CASE WHEN k.kind = 'd' THEN ARRAY[t.departement_id] ELSE '{}' END,
       CASE WHEN k.kind = 'm' THEN ARRAY[t.commune_id] ELSE '{}' END,
       CASE WHEN k.kind = 'c' THEN t.point END,
       CASE WHEN k.kind = 'c' THEN k.radius END,
       CASE k.kind
           WHEN 'r' THEN (SELECT ST_Multi(geom_simple) FROM geo_region WHERE code = t.region_id)
           WHEN 'd' THEN (SELECT ST_Multi(geom_simple) FROM geo_departement WHERE code = t.departement_id)
           WHEN 'c' THEN ST_Multi(ST_Buffer(t.point::geography, k.radius, 16)::geometry)
           ELSE (SELECT ST_Multi(geom) FROM geo_commune WHERE code = t.commune_id) END,
       CASE k.kind
           WHEN 'r' THEN (SELECT km2 FROM areas WHERE kind = 'r' AND code = t.region_id)
           WHEN 'd' THEN (SELECT km2 FROM areas WHERE kind = 'd' AND code = t.departement_id)
           WHEN 'c' THEN pi() * (k.radius / 1000.0) ^ 2
           ELSE (SELECT ST_Area(geom::geography) / 1e6 FROM geo_commune WHERE code = t.commune_id) END,
       -- Most swaps are simultaneous: 70 % of the households travel while their own home is free (its
       -- first period); the others at dates of their own.
       coalesce(
           CASE WHEN p.r_sim < 0.7 THEN (SELECT a.period FROM exchanges_availabilityperiod a
                                         WHERE a.home_id = p.home_id ORDER BY lower(a.period) LIMIT 1) END,
           daterange(CURRENT_DATE + 7 + floor(p.r_start * 194)::int,
                     CURRENT_DATE + 7 + floor(p.r_start * 194)::int + 7 * (1 + floor(p.r_len * 3)::int))),
       (ARRAY[0, 0, 2, 3, 3, 7])[1 + floor(p.r_flex * 6)::int],
       (ARRAY[1, 2, 2, 2, 2, 2, 2, 3, 4, 4])[1 + floor(p.r_party * 10)::int],
       (ARRAY[0, 0, 0, 0, 1, 1, 2, 2, 3, 4])[1 + floor(p.r_party * 70)::int % 10],
       now(),
       -- The home's public point, as the trigger `wish_origin` (off in this bulk load) copies it.
       (SELECT public_point FROM exchanges_home WHERE id = p.home_id)
FROM picks p
CROSS JOIN LATERAL (
    SELECT CASE WHEN p.r_kind < 0.35 THEN 'r' WHEN p.r_kind < 0.70 THEN 'd' WHEN p.r_kind < 0.90 THEN 'c'
                ELSE 'm' END AS kind,
           15000 + floor(p.r_rad * 35000)::int AS radius,
           1 + floor(p.r_place * (SELECT count(*) FROM hx))::bigint AS rn
) k
JOIN hx first ON first.rn = k.rn
-- Nobody wishes to stay in their own région: the place is the next home's when it is.
JOIN hx t ON t.rn = CASE WHEN first.region_id <> p.own_region THEN k.rn
                         ELSE 1 + (k.rn + (SELECT count(*) FROM hx) / 2) % (SELECT count(*) FROM hx) END;
"""


def add_wishes(url: str) -> tuple[float, int]:
    """Replace the generated wishes by realistic ones (seeded); returns the seconds and their number."""
    started = time.perf_counter()
    with psycopg.connect(search.conninfo(url + search.BENCH_DB)) as conn:
        conn.execute(WISHES_SQL)  # type: ignore[arg-type]
        conn.commit()
        count = conn.execute("SELECT count(*) FROM exchanges_destinationwish").fetchone()[0]
    with psycopg.connect(search.conninfo(url + search.BENCH_DB), autocommit=True) as conn:
        conn.execute("VACUUM ANALYZE exchanges_destinationwish")
    return time.perf_counter() - started, int(count)


def django_run(url: str, code: str, *, timeout: float | None = None) -> str:
    """`code` in a process of its own on the bench database (its stdout)."""
    env = {
        **os.environ,
        "DATABASE_URL": url + search.BENCH_DB,
        "DJANGO_SETTINGS_MODULE": "marketplace.settings.dev",
        "LOG_LEVEL": "WARNING",
    }
    out = subprocess.run(
        [sys.executable, "-c", "import django; django.setup()\n" + code],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    if out.returncode:
        raise RuntimeError(out.stderr[-3000:])
    return out.stdout


def sample_homes(url: str, n: int) -> list[int]:
    """Seeded homes that have at least one wish (every home has)."""
    with psycopg.connect(search.conninfo(url + search.BENCH_DB)) as conn:
        conn.execute("SELECT setseed(0.17)")
        rows = conn.execute(
            "SELECT id FROM exchanges_home WHERE status = 'published' ORDER BY random() LIMIT %s", [n]
        ).fetchall()
    return [int(r[0]) for r in rows]


PER_HOME = """
import statistics, time
from django.db import transaction
from exchanges.matching.selectors import matches_for_home, pairs_for_home
from exchanges.models import BestHosts, Home
from marketplace.serving import tune_gc
tune_gc()  # the web process's garbage collector settings (marketplace.asgi)
homes = list(Home.objects.filter(pk__in={ids!r}))
def p(values):
    return f"p50={{statistics.median(values):8.1f}} ms  p95={{statistics.quantiles(values, n=20)[18]:8.1f}} ms  max={{max(values):6.1f}} ms"
pairs_for_home(homes[0])
timings, found = [], []
for home in homes:
    started = time.perf_counter()
    found.append(len(pairs_for_home(home)))
    timings.append((time.perf_counter() - started) * 1000)
print(f"pairs of one home (selectors.pairs_for_home, {{len(homes)}} homes, {{statistics.mean(found):.1f}} pairs each)  {{p(timings)}}  (target p95 <= 20 ms)")
def cycles():
    timings, found = [], []
    for home in homes:
        started = time.perf_counter()
        found.append([(m.homes, m.window, m.score) for m in matches_for_home(home)])
        timings.append((time.perf_counter() - started) * 1000)
    return timings, found
stored = BestHosts.objects.count()
timings, found = cycles()
print(f"best cycles through one home (selectors.matches_for_home, beam 40, {{len(timings)}} homes, {{statistics.mean(map(len, found)):.1f}} pairs and cycles each), the hosts' best stays as the last refresh ranked them ({{stored}} homes' BestHosts)  {{p(timings)}}  (target p95 <= 200 ms)")
with transaction.atomic():  # the same homes as before a first refresh (rolled back)
    BestHosts.objects.all().delete()
    anew, again = cycles()
    transaction.set_rollback(True)
print(f"  the same without BestHosts (every host's stays found and ranked now)  {{p(anew)}}  | same pairs and cycles: {{again == found}}")
"""

COMPACT = """
import multiprocessing, resource, time
import networkx as nx
def th(n):
    return f"{{n:,}}".replace(",", " ")
import numpy as np
from exchanges.matching import compact as compacts
from exchanges.matching.engine import cycles_2_3
compacts.warm_up()  # numba's kernels compiled (or read from its cache) first, as the image build does
started, cpu = time.perf_counter(), time.process_time()
compact = compacts.load()
seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
print(f"graph: {{th(compact.edge_count)}} edges (guest -> host) between {{th(len(compact.ids))}} homes, loaded whole in {{seconds:.0f}} s (CPU {{cpu:.0f}} s; reading {{compact.seconds['read']:.0f}} s, edges {{compact.seconds['edges']:.0f}} s) by compact.load, arrays {{compact.nbytes() / 2**20:.0f}} MB, peak {{resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f}} MB", flush=True)
rng = np.random.default_rng(10)
everyone = rng.permutation(compact.ids)
def count_networkx(G, queue):
    started = time.perf_counter()
    queue.put((sum(1 for _ in nx.simple_cycles(G, length_bound=3)), time.perf_counter() - started))
for size in {subs}:
    sub = everyone[:size].tolist()
    graph = compact.graph(sub)
    started = time.perf_counter()
    ours = sum(1 for _ in cycles_2_3(graph))
    mine = time.perf_counter() - started
    G = nx.DiGraph()
    G.add_nodes_from(sub)
    G.add_edges_from((g, h) for g, hosts in graph.out.items() for h in hosts)
    # networkx in a process of its own (forked: the same graph), stopped after {limit} s.
    queue = multiprocessing.get_context("fork").Queue()
    child = multiprocessing.get_context("fork").Process(target=count_networkx, args=(G, queue))
    child.start()
    child.join({limit})
    if child.is_alive():
        child.kill()
        child.join()
        theirs = f"did not finish in {limit} s (stopped): ratio > {{{limit} / mine:.0f}}x"
    else:
        count, baseline = queue.get()
        theirs = f"{{th(count)}} cycles in {{baseline * 1000:.0f}} ms | equal counts: {{count == ours}} | ratio {{baseline / mine:.1f}}x"
    print(f"every 2- and 3-cycle of a {{th(len(sub))}}-home subgraph ({{th(graph.edge_count)}} edges): engine.cycles_2_3 {{th(ours)}} cycles in {{mine * 1000:.0f}} ms | networkx.simple_cycles(length_bound=3) {{theirs}} (target >= 10x)", flush=True)
"""


def batch(url: str, limit: float) -> None:
    """services.suggestions_refresh() in a process of its own: its time and peak memory (VmHWM), or how far
    it got when `limit` seconds have passed."""
    env = {
        **os.environ,
        "DATABASE_URL": url + search.BENCH_DB,
        "DJANGO_SETTINGS_MODULE": "marketplace.settings.dev",
        "LOG_LEVEL": "WARNING",
    }
    code = (
        "import django; django.setup()\n"
        "import time\n"
        "from exchanges.matching.services import suggestions_refresh\n"
        "started, cpu = time.perf_counter(), time.process_time(); written = suggestions_refresh()\n"
        "print(written, time.perf_counter() - started, time.process_time() - cpu)\n"
    )
    started = time.perf_counter()
    proc = subprocess.Popen(
        [sys.executable, "-c", code], cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )
    peak = 0.0
    while proc.poll() is None and time.perf_counter() - started < limit:
        peak = max(peak, search.peak_memory_mb(proc))
        time.sleep(0.5)
    if proc.poll() is None:
        peak = max(peak, search.peak_memory_mb(proc))
        proc.kill()
        proc.wait()
        print(
            f"batch refresh of every home's best suggestions (services.suggestions_refresh): NOT FINISHED after "
            f"{limit:.0f} s (stopped), peak memory so far {peak:.0f} MB  (target <= 60 s and <= 4096 MB)"
        )
        return
    out, err = proc.communicate()
    if proc.returncode:
        print(
            f"batch refresh FAILED (exit {proc.returncode}) after {time.perf_counter() - started:.0f} s: "
            f"{err.decode()[-300:]}"
        )
        return
    written, seconds, cpu = out.decode().split()[-3:]
    print(
        f"batch refresh of every home's best suggestions (services.suggestions_refresh, compact graph): "
        f"{th(int(written))} suggestions in {float(seconds):.1f} s (CPU {float(cpu):.1f} s, 2 threads), "
        f"peak memory {peak:.0f} MB  (target <= 60 s and <= 4096 MB)"
    )


def main() -> None:
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    # --per-home: only the pairs and cycles of one home, on the data a previous full run seeded (kept).
    per_home_only = "--per-home" in sys.argv[1:]
    size = int(args[0]) if args else 100_000
    limit = float(os.environ.get("BENCH_BATCH_LIMIT", "300"))
    url = search.base_url()
    print(f"Matching benchmark on {search.BENCH_DB}: {th(size)} homes, 2 cores")
    if not per_home_only:
        search.prepare(url)
        seconds = search.generate(url, size)
        wish_seconds, wishes = add_wishes(url)
        print(
            f"{th(size)} homes generated in {seconds:.0f} s (bench.search), {th(wishes)} wishes in "
            f"{wish_seconds:.0f} s (35 % région, 35 % département, 20 % circle of 15–50 km, 10 % commune; "
            "70 % on the home's own free dates)"
        )
        print(
            django_run(
                url,
                COMPACT.format(
                    subs=[2000, SUBGRAPH], limit=int(os.environ.get("BENCH_NETWORKX_LIMIT", "300"))
                ),
            ).strip()
        )
    if not per_home_only:
        batch(url, limit)  # first: the search through one home reads what it stores (BestHosts)
    homes = sample_homes(url, 40)
    print(django_run(url, PER_HOME.format(ids=homes)).strip())


if __name__ == "__main__":
    main()
