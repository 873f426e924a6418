"""Chart geometry for the director's pages: the cash gap by day, a trend by month, a year.

Same drawing as ``compensation.charts`` (a fixed view box, Decimal figures in, points
out); the templates draw what they are given and list the figures in a table beside.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from decimal import Decimal

from compensation.cashgap import CashGap
from compensation.charts import HEIGHT, Chart, Marker, Tick, _Scale, _ticks_y, nice_axis
from compensation.company import YearMonth

BOTTOM_Y = HEIGHT - 35
ZERO = Decimal(0)


def _day_points(scale: _Scale, series: Sequence[tuple[int, Decimal]]) -> str:
    return scale.points([(ZERO, ZERO)] + [(Decimal(day), value) for day, value in series])


def gap_chart(gap: CashGap, forecast: CashGap | None, *, last_day: int) -> Chart:
    """Cumulative collections against cumulative obligations by day; the forecast, when
    there is one, drawn on from the last collected day as a line of its own."""
    owed_days = forecast.days if forecast else gap.days
    top = max([ZERO, *(d.obligations for d in owed_days), *(d.collected for d in owed_days)])
    y_values = nice_axis(top)
    scale = _Scale(Decimal(last_day), y_values[-1])
    lines = {
        "owed": _day_points(scale, [(d.date.day, d.obligations) for d in owed_days]),
        "actual": _day_points(scale, [(d.date.day, d.collected) for d in gap.days]),
    }
    if forecast and gap.days:
        start = len(gap.days) - 1
        ahead = [(d.date.day, d.collected) for d in forecast.days[start:]]
        lines["forecast"] = scale.points([(Decimal(day), v) for day, v in ahead])
    markers = ()
    if gap.deepest_day is not None:
        at = gap.days[gap.deepest_day.day - 1]
        markers = (
            Marker(
                x=scale.x(Decimal(at.date.day)),
                y=scale.y(at.collected),
                label="deepest",
                value=gap.deepest,
            ),
        )
    x_ticks = tuple(
        Tick(x=scale.x(Decimal(day)), y=BOTTOM_Y, label=str(day))
        for day in (1, 5, 10, 15, 20, 25, last_day)
    )
    return Chart(lines=lines, x_ticks=x_ticks, y_ticks=_ticks_y(scale, y_values), markers=markers)


def trend_chart(months: Sequence[tuple[dt.date, Decimal]]) -> Chart:
    """The deepest gap of each month, oldest first."""
    y_values = nice_axis(max([ZERO, *(value for _m, value in months)]))
    scale = _Scale(Decimal(max(len(months), 2) - 1), y_values[-1])
    points = [(Decimal(i), value) for i, (_m, value) in enumerate(months)]
    x_ticks = tuple(
        Tick(x=scale.x(Decimal(i)), y=BOTTOM_Y, label=f"{month:%m.%y}")
        for i, (month, _v) in enumerate(months)
    )
    return Chart(
        lines={"owed": scale.points(points)},
        x_ticks=x_ticks,
        y_ticks=_ticks_y(scale, y_values),
    )


def year_chart(months: Sequence[YearMonth], *, through: dt.date) -> Chart:
    """Plan and collected by month of the year; collections end with ``through``'s month
    (a month not begun is no month of zero collections)."""
    top = max([ZERO, *(m.collected for m in months), *(m.plan or ZERO for m in months)])
    y_values = nice_axis(top)
    scale = _Scale(Decimal(11), y_values[-1])
    begun = [(Decimal(i), m.collected) for i, m in enumerate(months) if m.month <= through]
    lines = {"actual": scale.points(begun)} if begun else {}
    planned = [(Decimal(i), m.plan) for i, m in enumerate(months) if m.plan is not None]
    if planned:
        lines["plan"] = scale.points(planned)
    x_ticks = tuple(
        Tick(x=scale.x(Decimal(i)), y=BOTTOM_Y, label=str(m.month.month))
        for i, m in enumerate(months)
    )
    return Chart(lines=lines, x_ticks=x_ticks, y_ticks=_ticks_y(scale, y_values))
