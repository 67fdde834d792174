"""Availability as month calendars: months → weeks (Monday first) → days, each with its state.

Periods are half-open, [start, end): the end is the departure day, not a night the home is free, so a period
ending on the 1st of a month leaves that 1st unavailable. Pure functions of the periods and of today's date;
the template `exchanges/_calendar.html` draws what they return, on the home's page and in the editor.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from collections.abc import Iterable
from dataclasses import dataclass

from django.utils.dates import WEEKDAYS, WEEKDAYS_ABBR

MONTHS_SHOWN = 6  # the coming six months
MONTHS_AHEAD = 12  # how far the navigation goes: the first month shown is at most this many months away

_MONTH_PARAM = re.compile(r"^(\d{4})-(\d{2})$")
_WEEKS = calendar.Calendar(firstweekday=calendar.MONDAY)
# (short, full) names of the days, Monday first, in the active language when rendered.
WEEKDAY_NAMES: tuple[tuple[str, str], ...] = tuple((WEEKDAYS_ABBR[i], WEEKDAYS[i]) for i in range(7))


@dataclass(frozen=True)
class Span:
    """A period of availability: the nights from `start` to the day before `end`."""

    start: dt.date
    end: dt.date  # the departure day, excluded
    mode: str = ""


@dataclass(frozen=True)
class Day:
    date: dt.date
    available: bool
    past: bool  # before today: neither available nor pickable, whatever the periods say
    mode: str  # the mode of the period covering the day, "" when the day is not available


@dataclass(frozen=True)
class Month:
    first: dt.date  # the 1st of the month
    weeks: tuple[tuple[Day | None, ...], ...]  # seven cells a week; None for a day of another month


@dataclass(frozen=True)
class Window:
    """The months shown, and the first month of the previous and next windows (None at the bounds)."""

    months: tuple[Month, ...]
    previous: dt.date | None
    next: dt.date | None
    today: dt.date

    @property
    def weekdays(self) -> tuple[tuple[str, str], ...]:
        return WEEKDAY_NAMES


def add_months(day: dt.date, count: int) -> dt.date:
    """The 1st of the month `count` months after (or before) the month of `day`."""
    index = day.year * 12 + day.month - 1 + count
    return dt.date(index // 12, index % 12 + 1, 1)


def _covering(day: dt.date, spans: list[Span]) -> Span | None:
    for span in spans:
        if span.start <= day < span.end:
            return span
    return None


def month(first: dt.date, spans: Iterable[Span], *, today: dt.date) -> Month:
    """The month of `first` as weeks of days, each day available when a span covers it and it is not past."""
    first = first.replace(day=1)
    relevant = [s for s in spans if s.start < add_months(first, 1) and s.end > first]
    weeks = []
    for week in _WEEKS.monthdatescalendar(first.year, first.month):
        cells: list[Day | None] = []
        for day in week:
            if day.month != first.month:
                cells.append(None)
                continue
            span = None if day < today else _covering(day, relevant)
            cells.append(
                Day(day, available=span is not None, past=day < today, mode=span.mode if span else "")
            )
        weeks.append(tuple(cells))
    return Month(first, tuple(weeks))


def first_month_shown(requested: str | None, *, today: dt.date) -> dt.date:
    """The first month to show from a `YYYY-MM` parameter, kept between this month and MONTHS_AHEAD months
    on; anything else (missing, malformed, out of range) is this month: navigation, not input to refuse."""
    this_month = today.replace(day=1)
    match = _MONTH_PARAM.match(requested or "")
    if match is None or not 1 <= int(match[2]) <= 12:
        return this_month
    wanted = dt.date(int(match[1]), int(match[2]), 1)
    return min(max(wanted, this_month), add_months(this_month, MONTHS_AHEAD))


def window(
    spans: Iterable[Span], *, today: dt.date, requested: str | None = None, count: int = MONTHS_SHOWN
) -> Window:
    """`count` months from the requested one (see first_month_shown), with where the arrows lead."""
    spans = list(spans)
    first = first_month_shown(requested, today=today)
    this_month = today.replace(day=1)
    return Window(
        months=tuple(month(add_months(first, i), spans, today=today) for i in range(count)),
        previous=add_months(first, -1) if first > this_month else None,
        next=add_months(first, 1) if first < add_months(this_month, MONTHS_AHEAD) else None,
        today=today,
    )
