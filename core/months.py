"""A month from a URL, a form or a query string: parsed strictly, within a sane range.

Months are first days (``dt.date(2026, 11, 1)``). A month outside the years the product
deals in (``settings.MONTHS_FROM_YEAR`` … ``MONTHS_TO_YEAR``) is no month at all: a URL
naming one is a 404, a query string naming one is ignored, never a 500 from a date
library's own limits (year 0, year 9999's next month).
"""

from __future__ import annotations

import datetime as dt
import re

from django.conf import settings

# ASCII digits only: str.isdigit() accepts "²" and "⑤", which int() then refuses.
_MONTH = re.compile(r"([0-9]{4})-(0[1-9]|1[0-2])")


def month_range() -> tuple[dt.date, dt.date]:
    """The first and the last month the product accepts."""
    return (
        dt.date(settings.MONTHS_FROM_YEAR, 1, 1),
        dt.date(settings.MONTHS_TO_YEAR, 12, 1),
    )


def in_range(month: dt.date) -> bool:
    first, last = month_range()
    return first <= month.replace(day=1) <= last


def parse_month(text: str | None) -> dt.date | None:
    """``2026-11`` → the month's first day; ``None`` for anything else or out of range."""
    match = _MONTH.fullmatch(text or "")
    if match is None:
        return None
    month = dt.date(int(match[1]), int(match[2]), 1)
    return month if in_range(month) else None


def next_month(month: dt.date) -> dt.date:
    return (month.replace(day=28) + dt.timedelta(days=4)).replace(day=1)


def previous_month(month: dt.date) -> dt.date:
    return (month.replace(day=1) - dt.timedelta(days=1)).replace(day=1)
