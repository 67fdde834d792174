"""Reads of the matching: the ranked pairs and cycles of one home (on demand, or as stored by the refresh),
for its owner only; the other homes with their public data only."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.conf import settings

from exchanges.matching import graph as graphs
from exchanges.matching.engine import BEAM, Match, matches_for, rescore
from exchanges.matching.reasons import reason_text
from exchanges.models import Home, HomeStatus, Suggestion
from exchanges.selectors import home_get_for_owner
from marketplace.accounts.models import User


@dataclass(frozen=True)
class PublicHome:
    id: int
    title: str
    kind: str
    sleeps: int
    commune: str
    departement: str
    region: str
    lon: float  # the public point, never the exact one
    lat: float


@dataclass(frozen=True)
class SuggestionView:
    rank: int
    kind: str
    homes: list[PublicHome]  # the viewer's home first; homes[i]'s household stays at homes[i + 1]
    start: dt.date
    end: dt.date  # exclusive: the day everybody goes home
    score: float
    reason: str
    params: dict[str, Any]
    text: str


def pairs_for_home(home: Home) -> list[Match]:
    """The reciprocal candidates of `home`, best first: one query (graph.PAIRS_SQL), ranked in memory."""
    if home.status != HomeStatus.PUBLISHED:
        return []
    found = graphs.pairs_graph(home.pk)
    if not found.out:
        return []
    graphs.load_response_rates(found, set(found.owner.values()))
    graphs.load_owners(found, [home.pk])
    return matches_for(found, home.pk, min_nights=settings.MATCHING_MIN_NIGHTS, max_length=2)


def matches_for_home(home: Home, *, limit: int | None = None, beam: int | None = BEAM) -> list[Match]:
    """Pairs and cycles of 3 and 4 homes through `home`, best first (computed now)."""
    if home.status != HomeStatus.PUBLISHED:
        return []
    local, unscored = graphs.local_matches(home.pk, beam=beam)
    found = rescore(local, unscored)
    return found[:limit] if limit is not None else found


def _public(ids: set[int]) -> dict[int, PublicHome]:
    rows = (
        Home.objects.published()
        .filter(pk__in=ids)
        .values_list(
            "pk",
            "title",
            "kind",
            "sleeps",
            "commune__name",
            "departement__name",
            "region__name",
            "public_point",
        )
    )
    return {
        pk: PublicHome(pk, title, kind, sleeps, commune, dep, reg, round(point.x, 5), round(point.y, 5))
        for pk, title, kind, sleeps, commune, dep, reg, point in rows
    }


def _views(
    rows: list[tuple[int, str, list[int], dt.date, dt.date, float, str, dict[str, Any]]],
) -> list[SuggestionView]:
    homes = _public({h for row in rows for h in row[2]})
    views: list[SuggestionView] = []
    for _rank, kind, ids, start, end, score, reason, params in rows:
        if all(h in homes for h in ids):  # a home unpublished since the last refresh drops its suggestions
            views.append(
                SuggestionView(
                    len(views) + 1,
                    kind,
                    [homes[h] for h in ids],
                    start,
                    end,
                    score,
                    reason,
                    params,
                    reason_text(reason, params),
                )
            )
    return views


def suggestions_for_owner(*, actor: User, home_id: int, fresh: bool = False) -> list[SuggestionView]:
    """The best suggestions of a home its actor owns, as stored by the refresh, or computed now (`fresh`).
    Raises HomeNotFound for someone else's home."""
    home = home_get_for_owner(actor=actor, home_id=home_id)
    if fresh:
        found = matches_for_home(home, limit=settings.MATCHING_SUGGESTIONS)
        rows = [
            (
                i,
                m.kind,
                list(m.homes),
                dt.date.fromordinal(m.window[0]),
                dt.date.fromordinal(m.window[1]),
                m.score,
                m.reason,
                m.params,
            )
            for i, m in enumerate(found, start=1)
        ]
    else:
        stored = Suggestion.objects.filter(home=home).order_by("rank")
        rows = [
            (s.rank, s.kind, s.homes, s.window.lower, s.window.upper, s.score, s.reason, s.params)
            for s in stored
        ]
    return _views(rows)


# ---- The page "Suggestions pour mon logement" -----------------------------------------------------------------


def suggestions_page(*, actor: User, home_id: int) -> list[SuggestionView]:
    """What the suggestions page lists: the stored suggestions of a home its actor owns, or, while the refresh
    has stored none for it yet (a home published a moment ago), the ones computed now. Raises HomeNotFound
    for someone else's home."""
    stored = Suggestion.objects.filter(home_id=home_id).exists()  # told nobody: the owner check follows
    return suggestions_for_owner(actor=actor, home_id=home_id, fresh=not stored)


def suggestions_geojson(views: list[SuggestionView]) -> dict[str, Any]:
    """The suggestions for the page's map, at the homes' public (offset) points only: a point per home,
    numbered in the suggestion's order (1 is the viewer's home), and a line per stay from the guest's home
    to its host's (`suggestion` is the suggestion's rank, what the map filters on)."""
    features: list[dict[str, Any]] = []
    for view in views:
        count = len(view.homes)
        for index, home in enumerate(view.homes):
            host = view.homes[(index + 1) % count]
            features.append(
                {
                    "type": "Feature",
                    "geometry": {"type": "Point", "coordinates": [home.lon, home.lat]},
                    "properties": {
                        "suggestion": view.rank,
                        "kind": "home",
                        "number": index + 1,
                        "title": home.title,
                        "mine": index == 0,
                    },
                }
            )
            features.append(
                {
                    "type": "Feature",
                    "geometry": {
                        "type": "LineString",
                        "coordinates": [[home.lon, home.lat], [host.lon, host.lat]],
                    },
                    "properties": {"suggestion": view.rank, "kind": "stay", "mine": index == 0},
                }
            )
    return {"type": "FeatureCollection", "features": features}
