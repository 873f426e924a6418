"""Working days: the week's rule, the company's calendar days over it, per month.

``working_days`` is pure: it takes the calendar's exceptions for the range and gives
the working days. ``month_working_days`` reads those exceptions in one query.
Seeding takes public holidays and transferred working days from the ``holidays``
library (Russia), which knows the government's transfers for the years it was released
for; an administrator adds or corrects the rest in the admin.
"""

from __future__ import annotations

import calendar as _calendar
import datetime as dt
from collections.abc import Iterable, Mapping

from django.db import transaction

from core.models import CalendarDay

COUNTRY = "RU"
SATURDAY = 5


def is_working(day: dt.date, exceptions: Mapping[dt.date, bool]) -> bool:
    """Whether ``day`` is worked: the calendar's word for it, else Monday to Friday."""
    if day in exceptions:
        return exceptions[day]
    return day.weekday() < SATURDAY


def working_days(
    first: dt.date, last: dt.date, exceptions: Mapping[dt.date, bool]
) -> list[dt.date]:
    """The working days from ``first`` to ``last``, both included, in order."""
    days = (first + dt.timedelta(days=offset) for offset in range((last - first).days + 1))
    return [day for day in days if is_working(day, exceptions)]


def working_days_before(day: dt.date, count: int, exceptions: Mapping[dt.date, bool]) -> dt.date:
    """The working day ``count`` working days before ``day`` (``day`` itself not counted):
    three before a Friday is the Tuesday; a holiday in between is stepped over."""
    found = 0
    while found < count:
        day -= dt.timedelta(days=1)
        found += is_working(day, exceptions)
    return day


def month_bounds(month: dt.date) -> tuple[dt.date, dt.date]:
    first = month.replace(day=1)
    return first, first.replace(day=_calendar.monthrange(first.year, first.month)[1])


def exceptions_between(first: dt.date, last: dt.date) -> dict[dt.date, bool]:
    """The calendar's days from ``first`` to ``last`` (one query)."""
    rows = CalendarDay.objects.filter(day__range=(first, last)).values_list("day", "is_working")
    return dict(rows)


def month_working_days(month: dt.date) -> list[dt.date]:
    """The month's working days by the company's calendar (one query)."""
    first, last = month_bounds(month)
    return working_days(first, last, exceptions_between(first, last))


def library_days(years: Iterable[int]) -> dict[dt.date, tuple[bool, str]]:
    """Public holidays and transferred working days the ``holidays`` library knows."""
    import holidays

    country = holidays.country_holidays(COUNTRY, years=list(years), language="ru")
    days: dict[dt.date, tuple[bool, str]] = {day: (False, name) for day, name in country.items()}
    for day in country.weekend_workdays:
        days[day] = (True, "")
    return days


@transaction.atomic
def calendar_seed(*, years: Iterable[int]) -> int:
    """Add the library's days for ``years``; days already in the calendar are kept as
    they are (an administrator's edit wins). Returns how many days were added."""
    days = library_days(years)
    known = set(CalendarDay.objects.filter(day__in=days).values_list("day", flat=True))
    fresh = [
        CalendarDay(day=day, is_working=working, name=name[:200])
        for day, (working, name) in sorted(days.items())
        if day not in known
    ]
    CalendarDay.objects.bulk_create(fresh)
    return len(fresh)


# How a day set by number moves when it falls on a day off.
CALENDAR_DAY = "calendar"
PREVIOUS_WORKING = "previous_working"
NEXT_WORKING = "next_working"
DAY_RULES = (CALENDAR_DAY, PREVIOUS_WORKING, NEXT_WORKING)


def shift_to_working(
    day: dt.date,
    rule: str,
    exceptions: Mapping[dt.date, bool],
    *,
    after: dt.date,
    before: dt.date,
) -> dt.date:
    """``day`` itself if worked (or the rule keeps calendar days), else the nearest
    working day in the rule's direction strictly between ``after`` and ``before``;
    ``day`` itself when there is none there."""
    if rule == CALENDAR_DAY or is_working(day, exceptions):
        return day
    if rule not in DAY_RULES:
        raise ValueError(f"unknown day rule {rule!r}")
    step = dt.timedelta(days=1 if rule == NEXT_WORKING else -1)
    candidate = day + step
    while after < candidate < before:
        if is_working(candidate, exceptions):
            return candidate
        candidate += step
    return day


def month_exceptions(month: dt.date) -> dict[dt.date, bool]:
    """The calendar's days of ``month`` (one query)."""
    return exceptions_between(*month_bounds(month))
