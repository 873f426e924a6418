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
from django.utils.dates import MONTHS_ALT
from django.utils.translation import pgettext_lazy

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


# A month's name as a sentence uses it, lower case in Russian ("за ноябрь 2026"); Django's
# own names are the calendar's headings ("Ноябрь") and its genitive ("ноября").
_IN_A_SENTENCE = {
    1: pgettext_lazy("month in a sentence", "January"),
    2: pgettext_lazy("month in a sentence", "February"),
    3: pgettext_lazy("month in a sentence", "March"),
    4: pgettext_lazy("month in a sentence", "April"),
    5: pgettext_lazy("month in a sentence", "May"),
    6: pgettext_lazy("month in a sentence", "June"),
    7: pgettext_lazy("month in a sentence", "July"),
    8: pgettext_lazy("month in a sentence", "August"),
    9: pgettext_lazy("month in a sentence", "September"),
    10: pgettext_lazy("month in a sentence", "October"),
    11: pgettext_lazy("month in a sentence", "November"),
    12: pgettext_lazy("month in a sentence", "December"),
}

MONTH_CASES = ("sentence", "title")


def month_label(month: dt.date, case: str = "sentence") -> str:
    """A month as people write it, in the active language: never ``2026-11``.

    ``sentence`` (the default) is the month within a sentence: "за ноябрь 2026",
    "for November 2026"; ``title`` starts a heading or a list item: "Ноябрь 2026".
    """
    if case not in MONTH_CASES:
        raise ValueError(f"unknown case {case!r}: one of {MONTH_CASES}")
    name = str(_IN_A_SENTENCE[month.month])
    if case == "title":
        name = name[:1].upper() + name[1:]
    return f"{name} {month.year}"


def day_label(day: dt.date) -> str:
    """A date within a sentence, the month in the genitive: "6 ноября 2025", "6 November 2025"."""
    return f"{day.day} {MONTHS_ALT[day.month]} {day.year}"
