"""The availability calendar's months, weeks and days (exchanges/calendar.py): Monday first, half-open
periods (the end is the departure day), month boundaries, leap years, past days, the navigation window.
Pure functions of explicit dates: nothing here depends on the day the tests run."""

import datetime as dt

import pytest

from exchanges import calendar
from exchanges.calendar import Span

D = dt.date


def available(month: calendar.Month) -> list[dt.date]:
    return [day.date for week in month.weeks for day in week if day is not None and day.available]


def days(month: calendar.Month) -> list[dt.date]:
    return [day.date for week in month.weeks for day in week if day is not None]


class TestMonth:
    def test_weeks_start_on_monday_with_empty_cells_outside_the_month(self):
        # 1 December 2026 is a Tuesday, 31 December a Thursday.
        month = calendar.month(D(2026, 12, 1), [], today=D(2026, 12, 1))
        assert month.first == D(2026, 12, 1)
        assert all(len(week) == 7 for week in month.weeks)
        assert month.weeks[0][0] is None
        assert month.weeks[0][1] is not None
        assert month.weeks[0][1].date == D(2026, 12, 1)
        assert [d.weekday() for d in days(month)[:7]] == [1, 2, 3, 4, 5, 6, 0]
        assert month.weeks[-1][3] is not None
        assert month.weeks[-1][3].date == D(2026, 12, 31)
        assert month.weeks[-1][4:] == (None, None, None)
        assert days(month) == [D(2026, 12, n) for n in range(1, 32)]

    def test_a_period_is_its_nights_the_departure_day_is_not_available(self):
        month = calendar.month(D(2027, 3, 1), [Span(D(2027, 3, 10), D(2027, 3, 14))], today=D(2027, 1, 1))
        assert available(month) == [D(2027, 3, 10), D(2027, 3, 11), D(2027, 3, 12), D(2027, 3, 13)]

    def test_a_period_across_a_month_boundary_shows_in_both_months(self):
        spans = [Span(D(2027, 1, 30), D(2027, 2, 3), "open")]
        january = calendar.month(D(2027, 1, 1), spans, today=D(2027, 1, 1))
        february = calendar.month(D(2027, 2, 1), spans, today=D(2027, 1, 1))
        assert available(january) == [D(2027, 1, 30), D(2027, 1, 31)]
        assert available(february) == [D(2027, 2, 1), D(2027, 2, 2)]
        first = february.weeks[0][0]
        assert first is not None
        assert first.date == D(2027, 2, 1)
        assert first.mode == "open"

    def test_a_period_ending_on_the_first_of_a_month_leaves_that_month_free(self):
        spans = [Span(D(2027, 4, 25), D(2027, 5, 1))]
        assert available(calendar.month(D(2027, 4, 1), spans, today=D(2027, 1, 1)))[-1] == D(2027, 4, 30)
        may = calendar.month(D(2027, 5, 1), spans, today=D(2027, 1, 1))
        assert available(may) == []
        assert may.weeks[0][5] is not None
        assert may.weeks[0][5].date == D(2027, 5, 1)

    def test_a_period_starting_on_the_first_covers_it(self):
        spans = [Span(D(2027, 5, 1), D(2027, 5, 3))]
        assert available(calendar.month(D(2027, 5, 1), spans, today=D(2027, 1, 1))) == [
            D(2027, 5, 1),
            D(2027, 5, 2),
        ]

    def test_leap_day(self):
        spans = [Span(D(2028, 2, 27), D(2028, 3, 2))]
        february = calendar.month(D(2028, 2, 1), spans, today=D(2028, 1, 1))
        assert days(february)[-1] == D(2028, 2, 29)
        assert available(february) == [D(2028, 2, 27), D(2028, 2, 28), D(2028, 2, 29)]
        assert available(calendar.month(D(2028, 3, 1), spans, today=D(2028, 1, 1))) == [D(2028, 3, 1)]
        assert days(calendar.month(D(2027, 2, 1), [], today=D(2027, 1, 1)))[-1] == D(2027, 2, 28)

    def test_past_days_are_never_available(self):
        spans = [Span(D(2027, 6, 1), D(2027, 6, 30))]
        june = calendar.month(D(2027, 6, 1), spans, today=D(2027, 6, 10))
        assert available(june)[0] == D(2027, 6, 10)  # today is still bookable
        ninth = june.weeks[1][2]
        assert ninth is not None
        assert ninth.date == D(2027, 6, 9)
        assert ninth.past
        assert not ninth.available
        past = [day.date for week in june.weeks for day in week if day is not None and day.past]
        assert past == [D(2027, 6, n) for n in range(1, 10)]

    def test_periods_of_other_months_and_empty_lists(self):
        spans = [Span(D(2027, 1, 5), D(2027, 1, 9)), Span(D(2027, 8, 1), D(2027, 8, 10))]
        assert available(calendar.month(D(2027, 4, 1), spans, today=D(2027, 1, 1))) == []
        assert available(calendar.month(D(2027, 4, 1), [], today=D(2027, 1, 1))) == []


class TestWindow:
    def test_six_months_from_this_one_by_default(self):
        window = calendar.window([], today=D(2026, 11, 17))
        assert [m.first for m in window.months] == [
            D(2026, 11, 1),
            D(2026, 12, 1),
            D(2027, 1, 1),
            D(2027, 2, 1),
            D(2027, 3, 1),
            D(2027, 4, 1),
        ]
        assert window.previous is None  # no month before this one: past availability is nobody's concern
        assert window.next == D(2026, 12, 1)
        assert window.today == D(2026, 11, 17)
        assert next(full for _, full in window.weekdays) == "lundi"

    def test_navigation_moves_one_month_within_bounds(self):
        window = calendar.window([], today=D(2026, 11, 17), requested="2027-02")
        assert window.months[0].first == D(2027, 2, 1)
        assert window.previous == D(2027, 1, 1)
        assert window.next == D(2027, 3, 1)
        last = calendar.window([], today=D(2026, 11, 17), requested="2027-11")
        assert last.months[0].first == D(2027, 11, 1)
        assert last.next is None

    @pytest.mark.parametrize(
        ("requested", "first"),
        [
            (None, D(2026, 11, 1)),
            ("", D(2026, 11, 1)),
            ("2026-13", D(2026, 11, 1)),
            ("2026-00", D(2026, 11, 1)),
            ("26-1", D(2026, 11, 1)),
            ("2026-11-01", D(2026, 11, 1)),
            ("2020-01", D(2026, 11, 1)),  # the past: this month
            ("2999-01", D(2027, 11, 1)),  # too far: the last month the arrows reach
        ],
    )
    def test_a_bad_or_out_of_range_month_is_clamped_not_an_error(self, requested, first):
        assert calendar.first_month_shown(requested, today=D(2026, 11, 17)) == first

    def test_the_periods_are_read_once_for_every_month(self):
        spans = iter([Span(D(2026, 12, 30), D(2027, 1, 2))])  # an iterator: consumed once
        window = calendar.window(spans, today=D(2026, 12, 1))
        assert available(window.months[0]) == [D(2026, 12, 30), D(2026, 12, 31)]
        assert available(window.months[1]) == [D(2027, 1, 1)]


@pytest.mark.parametrize(
    ("day", "count", "first"),
    [
        (D(2026, 12, 15), 1, D(2027, 1, 1)),
        (D(2026, 1, 31), 1, D(2026, 2, 1)),
        (D(2026, 1, 1), -1, D(2025, 12, 1)),
        (D(2026, 3, 31), -13, D(2025, 2, 1)),
        (D(2027, 11, 30), 12, D(2028, 11, 1)),
    ],
)
def test_add_months(day, count, first):
    assert calendar.add_months(day, count) == first
