"""URL converters that refuse what would fail later: ids beyond bigint, months out of range.

A value a converter refuses (``ValueError``) makes the URL not match: a 404, never a 500.
"""

from __future__ import annotations

import datetime as dt

from core.months import parse_month
from core.numbers import parse_id


class IdConverter:
    """A database id: ASCII digits, 1 … 2⁶³−1."""

    regex = r"[0-9]{1,19}"

    def to_python(self, value: str) -> int:
        number = parse_id(value)
        if number is None:
            raise ValueError(value)
        return number

    def to_url(self, value: int | str) -> str:
        return str(value)


class MonthConverter:
    """``2026-10`` in a URL ⇄ the month's first day, within ``core.months.month_range``."""

    regex = r"[0-9]{4}-(?:0[1-9]|1[0-2])"

    def to_python(self, value: str) -> dt.date:
        month = parse_month(value)
        if month is None:
            raise ValueError(value)
        return month

    def to_url(self, value: dt.date | str) -> str:
        return value if isinstance(value, str) else f"{value:%Y-%m}"
