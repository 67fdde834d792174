"""The matching search in memory, on edges loaded by `graph`: no database here, so the tests can compare it
with a brute force and the benchmark with networkx on the same graph.

Windows are lists of half-open day intervals (date ordinals), sorted and disjoint once normalised.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

Window = tuple[tuple[int, int], ...]

# Ranking weights (see `score`): the dates first, then how precisely the wishes are met, the size of the home
# for the party, how the other owners answer messages, the reviews they received, and a boost for those who
# never swapped. Longer cycles need more people to agree: each extra home costs LENGTH_PENALTY.
W_OVERLAP, W_PRECISION, W_FIT, W_RESPONSE, W_REVIEWS, W_FAIRNESS = 3.0, 2.0, 1.0, 1.0, 1.0, 0.5
OVERLAP_FULL_NIGHTS = 28
LENGTH_PENALTY = 0.85
NEUTRAL_RESPONSE = 0.5  # an owner nobody has written to yet
# The stays kept out of and into each home when searching cycles (matches_for's beam): thousands of candidates
# with région-level wishes, the best suggestions come from the best stays.
BEAM = 40
# Reviews (ratings 1–5 read as 0–1): an owner without any weighs NEUTRAL_RATING, and each owner's mean is
# pulled towards it as if REVIEWS_PRIOR more reviews had given it (one 5/5 review is not yet a reputation).
NEUTRAL_RATING, REVIEWS_PRIOR = 0.5, 2


def reputation(ratings: tuple[int, int] | None) -> float:
    """0–1 from an owner's (sum of ratings, number of reviews), NEUTRAL_RATING without any review."""
    if not ratings:
        return NEUTRAL_RATING
    total, count = ratings
    return ((total - count) / 4 + NEUTRAL_RATING * REVIEWS_PRIOR) / (count + REVIEWS_PRIOR)


def normalise(pieces: Iterable[tuple[int, int]]) -> Window:
    """Sorted, merged (overlapping or adjacent) intervals: the set of nights they cover."""
    merged: list[list[int]] = []
    for start, end in sorted(pieces):
        if merged and start <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    return tuple((s, e) for s, e in merged)


def intersect(a: Window, b: Window) -> Window:
    out: list[tuple[int, int]] = []
    i = j = 0
    while i < len(a) and j < len(b):
        start, end = max(a[i][0], b[j][0]), min(a[i][1], b[j][1])
        if start < end:
            out.append((start, end))
        if a[i][1] < b[j][1]:
            i += 1
        else:
            j += 1
    return tuple(out)


def longest(window: Window) -> tuple[int, int] | None:
    """The longest run of nights (the earliest of equal ones), or None."""
    best: tuple[int, int] | None = None
    for start, end in window:
        if best is None or end - start > best[1] - best[0]:
            best = (start, end)
    return best


@dataclass(frozen=True, slots=True)
class Edge:
    """The household of `guest` can stay at `host`: `any` are the nights of all the host's periods, `open`
    those of its periods open to any request (cycles); `met` the guest's wishes met, `area_km2` the
    smallest of their places (precision), `spare` the host's beds beyond the largest party."""

    guest: int
    host: int
    any: Window
    open: Window
    met: int
    area_km2: float
    spare: int

    @property
    def quality(self) -> float:
        """How good this stay is on its own: what the beam search keeps first."""
        run = longest(self.any)
        nights = run[1] - run[0] if run else 0
        return (
            min(nights, OVERLAP_FULL_NIGHTS) / OVERLAP_FULL_NIGHTS
            + precision(self.area_km2)
            + fit(self.spare)
        )


def precision(area_km2: float) -> float:
    """1 for a place of 1 km², about 0.7 for a commune, 0.3 for a département, 0.15 for a région."""
    return max(0.0, min(1.0, 1 - math.log10(max(area_km2, 1.0)) / 5.5))


def fit(spare: int) -> float:
    """1 when the home has at most one spare bed, less as it is too big for the party."""
    return 1.0 / (1 + max(0, spare - 1))


@dataclass
class Graph:
    out: dict[int, dict[int, Edge]] = field(default_factory=dict)  # guest → host → edge
    into: dict[int, dict[int, Edge]] = field(default_factory=dict)  # host → guest → edge
    owner: dict[int, int] = field(default_factory=dict)
    response: dict[int, float] = field(default_factory=dict)  # owner → share of conversations answered
    swapped: set[int] = field(default_factory=set)  # owners who already swapped (no fairness boost)
    ratings: dict[int, tuple[int, int]] = field(default_factory=dict)  # owner → (sum of ratings, reviews)

    def add(self, edge: Edge) -> None:
        self.out.setdefault(edge.guest, {})[edge.host] = edge
        self.into.setdefault(edge.host, {})[edge.guest] = edge

    @property
    def edge_count(self) -> int:
        return sum(len(hosts) for hosts in self.out.values())


@dataclass(frozen=True)
class Match:
    """A pair or a cycle through the viewer's home `homes[0]`: the household of homes[i] stays at
    homes[i + 1], the last at the first, during `window`."""

    homes: tuple[int, ...]
    window: tuple[int, int]
    score: float
    reason: str
    params: dict[str, int]

    @property
    def kind(self) -> str:
        return "pair" if len(self.homes) == 2 else "cycle"


def _stays(graph: Graph, homes: tuple[int, ...]) -> list[Edge]:
    return [graph.out[homes[i]][homes[(i + 1) % len(homes)]] for i in range(len(homes))]


def score(graph: Graph, homes: tuple[int, ...], window: tuple[int, int]) -> Match:
    """Rank a pair or cycle for the household of homes[0], and say why in one line (key + numbers)."""
    stays = _stays(graph, homes)
    nights = window[1] - window[0]
    others = [graph.owner.get(h, 0) for h in homes[1:]]
    response = sum(graph.response.get(o, NEUTRAL_RESPONSE) for o in others) / len(others)
    newcomers = sum(1 for o in others if o not in graph.swapped)
    reviewed = [graph.ratings[o] for o in others if graph.ratings.get(o)]
    value = (
        W_OVERLAP * min(nights, OVERLAP_FULL_NIGHTS) / OVERLAP_FULL_NIGHTS
        + W_PRECISION * sum(precision(e.area_km2) for e in stays) / len(stays)
        + W_FIT * sum(fit(e.spare) for e in stays) / len(stays)
        + W_RESPONSE * response
        + W_REVIEWS * sum(reputation(graph.ratings.get(o)) for o in others) / len(others)
        + W_FAIRNESS * newcomers / len(others)
    ) * LENGTH_PENALTY ** (len(homes) - 2)
    mine = stays[0]  # the viewer's household's stay
    params = {
        "nights": nights,
        "wishes": mine.met,
        "theirs": sum(e.met for e in stays[1:]),
        "spare": max(0, mine.spare),
        "homes": len(homes),
        "response": round(100 * response),
        # The other owners' reviews: how many, and their mean rating in tenths (45 = 4.5/5); newcomers are
        # the other owners who never completed a swap (the fairness boost).
        "reviews": sum(count for _total, count in reviewed),
        "rating": round(10 * sum(t for t, _c in reviewed) / max(1, sum(c for _t, c in reviewed))),
        "newcomers": newcomers,
    }
    reason = "pair" if len(homes) == 2 else "cycle"
    return Match(homes, window, round(value, 6), reason, params)


def _distinct_owners(graph: Graph, homes: tuple[int, ...]) -> bool:
    owners = [graph.owner.get(h, -h) for h in homes]
    return len(set(owners)) == len(owners)


def _top(edges: dict[int, Edge], beam: int | None) -> list[int]:
    """The keys of the `beam` best edges (all of them without a beam)."""
    if beam is None or len(edges) <= beam:
        return list(edges)
    return [key for key, _edge in sorted(edges.items(), key=lambda item: _key(item[1]))[:beam]]


def _key(edge: Edge) -> tuple[float, int, int]:
    return (-edge.quality, edge.guest, edge.host)


def _valid(graph: Graph, homes: tuple[int, ...], window: Window, min_nights: int) -> tuple[int, int] | None:
    run = longest(window)
    if run and run[1] - run[0] >= min_nights and _distinct_owners(graph, homes):
        return run
    return None


def matches_for(
    graph: Graph, home: int, *, min_nights: int, max_length: int = 4, beam: int | None = None
) -> list[Match]:
    """Every pair and every cycle of 3 to `max_length` homes through `home`, best first. With a `beam`, the
    first and last stays of a cycle and the middle stays of a 4-cycle are taken among the `beam` best of
    each home: what keeps the search small when a home has thousands of candidates."""
    found: list[Match] = []
    out = graph.out.get(home, {})
    into = graph.into.get(home, {})
    ins = set(_top(into, beam))
    for b in _top(out, beam) if max_length > 2 else list(out):
        ab = out[b]
        back = graph.out.get(b, {}).get(home)
        if back is not None and (run := _valid(graph, (home, b), intersect(ab.any, back.any), min_nights)):
            found.append(score(graph, (home, b), run))
        if max_length < 3 or not ab.open:
            continue
        b_out = graph.out.get(b, {})
        for c in ins & b_out.keys():  # A → B → C → A
            if run := _valid(
                graph, (home, b, c), intersect(intersect(ab.open, b_out[c].open), into[c].open), min_nights
            ):
                found.append(score(graph, (home, b, c), run))
        if max_length < 4:
            continue
        for c in _top(b_out, beam):  # A → B → C → D → A
            if c == home:
                continue
            w_abc = intersect(ab.open, b_out[c].open)
            if not _long_enough(w_abc, min_nights):
                continue
            c_out = graph.out.get(c, {})
            for d in ins & c_out.keys():
                if d in (b, c):
                    continue
                window = intersect(intersect(w_abc, c_out[d].open), into[d].open)
                if run := _valid(graph, (home, b, c, d), window, min_nights):
                    found.append(score(graph, (home, b, c, d), run))
    if max_length > 2 and beam is not None:
        # The pairs do not need the beam: every reciprocal candidate is one lookup.
        seen = {m.homes for m in found if len(m.homes) == 2}
        for b, ab in out.items():
            back = graph.out.get(b, {}).get(home)
            if (home, b) in seen or back is None:
                continue
            if run := _valid(graph, (home, b), intersect(ab.any, back.any), min_nights):
                found.append(score(graph, (home, b), run))
    found.sort(key=lambda m: (-m.score, len(m.homes), m.homes))
    return found


def rescore(graph: Graph, found: list[Match]) -> list[Match]:
    """The matches matches_for found, scored and ordered again on `graph` once it knows more of their homes'
    people (owners, response rates, reviews): what matches_for would return on it, without searching again
    (its candidates do not depend on the people; an owner read since can only refuse one, as _valid does)."""
    again = [score(graph, m.homes, m.window) for m in found if _distinct_owners(graph, m.homes)]
    again.sort(key=lambda m: (-m.score, len(m.homes), m.homes))
    return again


def _long_enough(window: Window, min_nights: int) -> bool:
    return any(end - start >= min_nights for start, end in window)


def cycles_2_3(graph: Graph) -> Iterator[tuple[int, ...]]:
    """Every directed 2- and 3-cycle of the graph's structure (windows and modes left aside: what
    networkx.simple_cycles(length_bound=3) lists on the same graph), each once, smallest home first."""
    succ = {g: set(hosts) for g, hosts in graph.out.items()}
    pred = {h: set(guests) for h, guests in graph.into.items()}
    for a in sorted(succ):
        a_succ, a_pred = succ[a], pred.get(a, set())
        higher_pred = {c for c in a_pred if c > a}
        for b in a_succ:
            if b <= a:
                continue
            if b in a_pred:
                yield (a, b)
            for c in succ.get(b, set()) & higher_pred:
                if c != b:
                    yield (a, b, c)
