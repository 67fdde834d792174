"""Template helpers of local offers, and the "offers near this stay" block that the swap pages load
(`{% load local_offers %}{% offers_near_stay home_point start end %}`): the exchanges half shows it without
importing anything of local_offers (templates are not imports; the selector returns plain data)."""

import datetime as dt
from typing import Any

from django import template
from django.contrib.gis.geos import Point

from local_offers.models import Facility, Weekday
from local_offers.selectors import offers_near_stay as offers_near_stay_selector

register = template.Library()


@register.filter
def clock(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


@register.simple_tag
def weekly_hours(facility: Facility) -> list[tuple[str, list[str]]]:
    """[(day label, ["09:00–12:00", …]), …] for every day of the week (an empty list: closed)."""
    by_day: dict[int, list[str]] = {}
    for hours in facility.opening_hours.all():
        by_day.setdefault(hours.weekday, []).append(
            f"{clock(hours.minutes.lower)}–{clock(hours.minutes.upper)}"
        )
    return [(str(day.label), by_day.get(day.value, [])) for day in Weekday]


@register.inclusion_tag("local_offers/_offers_near_stay.html")
def offers_near_stay(
    point: Point | None, start: dt.date | None, end: dt.date | None, radius_m: int = 20_000
) -> dict[str, Any]:
    """The published facilities within `radius_m` of `point` open during [start, end)."""
    if point is None or start is None or end is None:
        return {"offers": [], "radius_km": radius_m // 1000}
    return {
        "offers": offers_near_stay_selector(point=point, start=start, end=end, radius_m=radius_m),
        "radius_km": radius_m // 1000,
        "map_query": f"near={point.x:.5f},{point.y:.5f}&radius={radius_m}&open_on={start.isoformat()}",
    }
