"""The days the gates fall on in a given month: the one place a gate's day is resolved.

A gate (milestone) is set by a day number and a rule: the calendar day as it is, or
moved to the previous or next working day when that day is off (January's holidays, a
Saturday). Everything that builds the engine's input takes the resolved days from here
(``MonthlyScheme.to_engine``, the scenario command, the replay); the engine itself only
ever sees day numbers.
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Mapping, Sequence
from dataclasses import replace

from compensation.engine import Scheme
from core.calendar import CALENDAR_DAY, month_bounds, shift_to_working

GateDay = tuple[int, str]  # (day as set, rule)


def needs_calendar(gates: Sequence[GateDay]) -> bool:
    """Whether resolving these gates reads the company calendar at all."""
    return any(rule != CALENDAR_DAY for _day, rule in gates)


def resolve_days(
    gates: Sequence[GateDay], month: dt.date, exceptions: Mapping[dt.date, bool]
) -> tuple[int, ...]:
    """The day each gate falls on in ``month``, given in day order.

    A gate moves only between its neighbours' set days, so the gates keep their order;
    should two moves still meet on one working day, every gate keeps its calendar day
    (the engine needs strictly increasing days, and no gate is silently dropped).
    """
    first, last = month_bounds(month)
    dates = [last.replace(day=min(day, last.day)) for day, _rule in gates]
    resolved = []
    for index, (day, rule) in enumerate(gates):
        after = dates[index - 1] if index else first - dt.timedelta(days=1)
        before = dates[index + 1] if index + 1 < len(gates) else last + dt.timedelta(days=1)
        moved = shift_to_working(dates[index], rule, exceptions, after=after, before=before)
        resolved.append(day if moved == dates[index] else moved.day)
    if any(later <= earlier for earlier, later in itertools.pairwise(resolved)):
        return tuple(day for day, _rule in gates)
    return tuple(resolved)


def resolve_scheme(
    scheme: Scheme,
    gates: Sequence[GateDay],
    month: dt.date,
    exceptions: Mapping[dt.date, bool],
) -> Scheme:
    """``scheme`` (the engine's) with each milestone on its resolved day."""
    days = resolve_days(gates, month, exceptions)
    milestones = tuple(
        replace(milestone, day=day) for milestone, day in zip(scheme.milestones, days, strict=True)
    )
    return replace(scheme, milestones=milestones)
