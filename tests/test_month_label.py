"""Months and dates in words, as sentences use them."""

from __future__ import annotations

import datetime as dt

import pytest
from django.template import Context, Template
from django.utils import translation

from core.months import day_label, month_label


def test_months_in_russian_sentences_and_headings() -> None:
    with translation.override("ru"):
        assert f"за {month_label(dt.date(2026, 11, 1))}" == "за ноябрь 2026"
        assert month_label(dt.date(2026, 5, 1), "title") == "Май 2026"
        assert day_label(dt.date(2025, 11, 6)) == "6 ноября 2025"
        rendered = Template('{% load months %}{{ m|month }} / {{ m|month:"title" }}').render(
            Context({"m": dt.date(2026, 3, 1)})
        )
        assert rendered == "март 2026 / Март 2026"


def test_months_in_english() -> None:
    with translation.override("en"):
        assert month_label(dt.date(2026, 11, 1)) == "November 2026"
        assert day_label(dt.date(2025, 11, 6)) == "6 November 2025"


def test_an_unknown_case_is_an_error_not_a_guess() -> None:
    with pytest.raises(ValueError, match="genitive"):
        month_label(dt.date(2026, 11, 1), "genitive")
