"""Months and dates in a sentence: ``{{ period.month|month }}`` → "ноябрь 2026"."""

from __future__ import annotations

import datetime as dt

from django import template

from core.months import day_label, month_label

register = template.Library()


@register.filter(name="month")
def month_filter(value: dt.date | None, case: str = "sentence") -> str:
    """``{{ m|month }}`` in a sentence, ``{{ m|month:"title" }}`` for a heading."""
    if not isinstance(value, dt.date):
        return ""
    return month_label(value, case)


@register.filter(name="day")
def day_filter(value: dt.date | None) -> str:
    """``{{ d|day }}`` → "6 ноября 2025"."""
    if not isinstance(value, dt.date):
        return ""
    return day_label(value)
