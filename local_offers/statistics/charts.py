"""Server-rendered SVG bar charts (no script): the geometry is computed here, the template
`local_offers/statistics/_bar_chart.html` draws it, with a title and a description for screen readers and
the table beside it as the text alternative. A hidden figure ("< 5") draws no bar, only its mark."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from local_offers.statistics.anonymity import HIDDEN, Figure

WIDTH = 640
BAR_AREA = 200  # height of the tallest bar
TOP = 16
LEFT = 48
LABEL_BAND = 48
# Colours with a contrast of at least 3:1 against the white background (WCAG 1.4.11).
PALETTE = ("#1d4f91", "#b3541e", "#2f6b3a")


@dataclass(frozen=True)
class Bar:
    x: float
    y: float
    width: float
    height: float
    colour: str
    value: Figure
    series: str
    label: str


@dataclass(frozen=True)
class Tick:
    y: float
    value: int


@dataclass(frozen=True)
class Group:
    x: float  # the centre of the label
    label: str


@dataclass(frozen=True)
class Legend:
    name: str
    colour: str


@dataclass(frozen=True)
class BarChart:
    id: str
    title: str
    description: str
    width: int
    height: int
    axis_y: float
    left: int
    bars: list[Bar]
    groups: list[Group]
    ticks: list[Tick]
    legend: list[Legend]
    empty: bool
    rotate: bool


def _tick_step(value: int) -> int:
    """The smallest 1, 2 or 5 × 10^k step whose four ticks reach `value`: whole, distinct tick values."""
    needed = max(-(-value // 4), 1)
    power = 1
    while True:
        for factor in (1, 2, 5):
            if factor * power >= needed:
                return factor * power
        power *= 10


def bar_chart(
    *,
    id: str,
    title: str,
    description: str,
    labels: Sequence[str],
    series: Sequence[tuple[str, Sequence[Figure | None]]],
) -> BarChart:
    """Bars grouped by label, one per series (name, values aligned with labels); None is no bar and no mark."""
    shown = [v for _, values in series for v in values if isinstance(v, int)]
    step = _tick_step(max([0, *shown]))
    top = 4 * step
    groups_count = max(len(labels), 1)
    slot = (WIDTH - LEFT - 8) / groups_count
    bar_width = max(min(slot * 0.8 / max(len(series), 1), 48), 2)
    axis_y = TOP + BAR_AREA
    bars: list[Bar] = []
    for index, label in enumerate(labels):
        start = LEFT + index * slot + (slot - bar_width * len(series)) / 2
        for s, (name, values) in enumerate(series):
            value = values[index]
            if value is None:
                continue
            height = 0.0 if value == HIDDEN else BAR_AREA * int(value) / top
            bars.append(
                Bar(
                    x=round(start + s * bar_width, 1),
                    y=round(axis_y - height, 1),
                    width=round(bar_width - 1, 1),
                    height=round(height, 1),
                    colour=PALETTE[s % len(PALETTE)],
                    value=value,
                    series=name,
                    label=label,
                )
            )
    ticks = [Tick(y=round(axis_y - BAR_AREA * k / 4, 1), value=step * k) for k in range(5)]
    # Labels longer than their slot are turned, and the band below the axis grows to hold them.
    rotate = any(len(label) * 6.5 > slot for label in labels)
    band = LABEL_BAND + (int(max((len(label) for label in labels), default=0) * 4.5) if rotate else 0)
    return BarChart(
        id=id,
        title=title,
        description=description,
        width=WIDTH,
        height=TOP + BAR_AREA + band,
        axis_y=axis_y,
        left=LEFT,
        bars=bars,
        groups=[Group(x=round(LEFT + (i + 0.5) * slot, 1), label=lab) for i, lab in enumerate(labels)],
        ticks=ticks,
        legend=[Legend(name, PALETTE[s % len(PALETTE)]) for s, (name, _) in enumerate(series)],
        empty=not bars,
        rotate=rotate,
    )
