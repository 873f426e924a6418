"""Chart geometry for server-rendered SVG: no JavaScript, readable without colour.

Functions take figures (Decimal) and return coordinates in a fixed view box; the
templates only draw what they are given. The scheme chart's bonus figures come from
the engine, so the picture can never disagree with the calculation.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import ROUND_CEILING, Decimal
from typing import Any

from compensation.engine import Scheme, calculate_on_time

WIDTH = 640
HEIGHT = 300
LEFT = 70
RIGHT = 20
TOP = 15
BOTTOM = 35


@dataclass(frozen=True)
class Tick:
    """An axis tick; ``value`` is an amount the page formats in its own language."""

    x: int
    y: int
    label: str = ""
    value: Decimal | None = None


@dataclass(frozen=True)
class Marker:
    x: int
    y: int
    label: str = ""
    met: bool | None = None
    value: Decimal | None = None


@dataclass(frozen=True)
class Chart:
    width: int = WIDTH
    height: int = HEIGHT
    lines: dict[str, str] = field(default_factory=dict)  # css class → "x,y x,y …"
    x_ticks: tuple[Tick, ...] = ()
    y_ticks: tuple[Tick, ...] = ()
    markers: tuple[Marker, ...] = ()
    # The forecast band, drawn apart from the collected line: a polygon between its low
    # and high edges, and where its label goes (empty when there is no forecast).
    band: str = ""
    band_label: Marker | None = None
    left: int = LEFT
    bottom: int = HEIGHT - BOTTOM
    right: int = WIDTH - RIGHT
    top: int = TOP


class _Scale:
    def __init__(self, x_max: Decimal, y_max: Decimal) -> None:
        self.x_max = x_max or Decimal(1)
        self.y_max = y_max or Decimal(1)

    def x(self, value: Decimal) -> int:
        return round(LEFT + (WIDTH - LEFT - RIGHT) * value / self.x_max)

    def y(self, value: Decimal) -> int:
        return round(HEIGHT - BOTTOM - (HEIGHT - TOP - BOTTOM) * value / self.y_max)

    def points(self, pairs: Sequence[tuple[Decimal, Decimal]]) -> str:
        return " ".join(f"{self.x(x)},{self.y(y)}" for x, y in pairs)


# Axis steps people read at a glance: 1, 2, 2.5 and 5 times a power of ten.
_NICE_FACTORS = (Decimal(1), Decimal(2), Decimal("2.5"), Decimal(5), Decimal(10))


def nice_axis(top: Decimal, steps: int = 5) -> tuple[Decimal, ...]:
    """Round tick values from 0 to at least ``top``, about ``steps`` of them apart.

    ``nice_axis(Decimal("55000000"))`` → 0, 10 M, … 60 M; nothing to show (``top`` 0)
    is the one tick 0, never 0, 0, 0, 0, 0, 1.
    """
    if top <= 0:
        return (Decimal(0),)
    raw = top / steps
    magnitude = Decimal(10) ** raw.adjusted()
    step = next(factor * magnitude for factor in _NICE_FACTORS if factor * magnitude >= raw)
    count = int((top / step).to_integral_value(rounding=ROUND_CEILING))
    return tuple(step * i for i in range(count + 1))


def _ticks_y(scale: _Scale, values: Sequence[Decimal]) -> tuple[Tick, ...]:
    return tuple(Tick(x=LEFT, y=scale.y(value), value=value) for value in values)


def collections_chart(
    *,
    cumulative: Sequence[tuple[dt.date, Decimal]],
    last_day: int,
    plan: Decimal | None,
    milestones: Sequence[tuple[int, Decimal, bool | None]] = (),
    band: Sequence[tuple[int, Decimal, Decimal]] = (),
) -> Chart:
    """Cumulative collections by day against the straight plan-pace line and the gates.

    ``cumulative`` holds (date, running total); ``milestones`` holds (day, required,
    met — None while still open); ``band`` holds the forecast (day, low, high) from today.
    """
    # An empty month still shows its scale: 0 … plan (and the forecast's high edge).
    tops = [plan or Decimal(0), *(total for _, total in cumulative), *(h for _, _, h in band)]
    y_values = nice_axis(max(tops))
    scale = _Scale(Decimal(last_day), y_values[-1])
    lines = {}
    if cumulative:
        pairs = [(Decimal(0), Decimal(0))] + [(Decimal(d.day), t) for d, t in cumulative]
        lines["actual"] = scale.points(pairs)
    if plan:
        lines["plan"] = scale.points([(Decimal(0), Decimal(0)), (Decimal(last_day), plan)])
    markers = tuple(
        Marker(x=scale.x(Decimal(day)), y=scale.y(required), value=required, met=met)
        for day, required, met in milestones
    )
    x_ticks = tuple(
        Tick(x=scale.x(Decimal(day)), y=HEIGHT - BOTTOM, label=str(day))
        for day in (1, 5, 10, 15, 20, 25, last_day)
    )
    return Chart(
        lines=lines,
        x_ticks=x_ticks,
        y_ticks=_ticks_y(scale, y_values),
        markers=markers,
        **_band(scale, band),
    )


def _band(scale: _Scale, band: Sequence[tuple[int, Decimal, Decimal]]) -> dict[str, Any]:
    """The band's outline: along the high edge to the month's end, back along the low."""
    if not band:
        return {}
    high = [(Decimal(day), value) for day, _low, value in band]
    low = [(Decimal(day), value) for day, value, _high in reversed(band)]
    last_day, last_low, last_high = band[-1]
    label = Marker(
        x=scale.x(Decimal(last_day)),
        y=scale.y((last_low + last_high) / 2),
        label="forecast",
        value=last_high,
    )
    return {"band": scale.points(high + low), "band_label": label}


def _pool_at(scheme: Scheme, collected: Decimal) -> Decimal:
    # Any month will do: with every gate met the pool does not depend on the calendar.
    return calculate_on_time(scheme, collected, month=dt.date(2000, 1, 1)).earned


def scheme_chart(scheme: Scheme, points: int = 24) -> tuple[Chart, Decimal]:
    """The scheme's bonus against collections, beside the naive percent-of-turnover line.

    The naive rate is the one that pays the same bonus at plan: it pays for merely
    breaking even and little for the hardest last millions. Returns the chart and the
    naive rate.
    """
    x_top = scheme.plan * Decimal("1.2")
    at_plan = _pool_at(scheme, scheme.plan)
    naive_rate = at_plan / scheme.plan
    samples = [(x_top * i / points).quantize(Decimal("0.01")) for i in range(points + 1)]
    bonus = [(x, _pool_at(scheme, x)) for x in samples]
    naive = [(x, x * naive_rate) for x in samples]
    x_values = nice_axis(x_top, steps=6)
    y_values = nice_axis(max(max(b for _, b in bonus), max(n for _, n in naive)))
    scale = _Scale(x_values[-1], y_values[-1])
    x_ticks = tuple(Tick(x=scale.x(x), y=HEIGHT - BOTTOM, value=x) for x in x_values)
    markers = (
        Marker(x=scale.x(scheme.threshold), y=scale.y(Decimal(0)), label="threshold"),
        Marker(x=scale.x(scheme.plan), y=scale.y(at_plan), label="plan"),
    )
    chart = Chart(
        lines={"actual": scale.points(bonus), "naive": scale.points(naive)},
        x_ticks=x_ticks,
        y_ticks=_ticks_y(scale, y_values),
        markers=markers,
    )
    return chart, naive_rate


def replay_chart(rows: Sequence[tuple[str, Decimal | None, Decimal | None]]) -> Chart:
    """Month by month: what a draft scheme would have paid (``actual``) and what was paid
    (``plan``'s dashed line). ``rows`` holds (label, would have paid, paid); a month
    without a figure breaks its line rather than dropping to zero."""
    top = max([Decimal(0), *(v for _, a, b in rows for v in (a, b) if v is not None)])
    y_values = nice_axis(top)
    scale = _Scale(Decimal(max(len(rows) - 1, 1)), y_values[-1])
    lines = {}
    for css, index in (("actual", 1), ("plan", 2)):
        pairs = [(Decimal(i), row[index]) for i, row in enumerate(rows) if row[index] is not None]
        if pairs:
            lines[css] = scale.points(pairs)
    x_ticks = tuple(
        Tick(x=scale.x(Decimal(i)), y=HEIGHT - BOTTOM, label=label)
        for i, (label, _a, _b) in enumerate(rows)
    )
    return Chart(lines=lines, x_ticks=x_ticks, y_ticks=_ticks_y(scale, y_values))
