"""Months and ids from URLs and query strings: strict, ranged, never a 500 later on."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import override_settings
from hypothesis import given
from hypothesis import strategies as st

from core.converters import IdConverter, MonthConverter
from core.months import next_month, parse_month, previous_month
from core.numbers import MAX_ID, parse_id


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026-11", dt.date(2026, 11, 1)),
        ("2000-01", dt.date(2000, 1, 1)),
        ("2100-12", dt.date(2100, 12, 1)),
        ("1999-12", None),
        ("2101-01", None),
        ("0001-01", None),
        ("9999-12", None),
        ("2026-13", None),
        ("2026-1", None),
        ("２０２６-11", None),  # full-width digits
        ("2026-11 ", None),
        ("", None),
        (None, None),
    ],
)
def test_parse_month(text: str | None, expected: dt.date | None) -> None:
    assert parse_month(text) == expected


@override_settings(MONTHS_FROM_YEAR=2020, MONTHS_TO_YEAR=2030)
def test_the_month_range_is_a_setting() -> None:
    assert parse_month("2019-12") is None
    assert parse_month("2020-01") == dt.date(2020, 1, 1)
    assert parse_month("2031-01") is None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1", 1),
        ("42", 42),
        (str(MAX_ID), MAX_ID),
        (str(MAX_ID + 1), None),
        ("99999999999999999999", None),
        ("0", None),
        ("-1", None),
        ("²", None),
        ("⑤", None),
        ("١٢٣", None),  # Arabic-Indic digits, which int() would read as 123
        ("1e3", None),
        (" 1", None),
        ("", None),
        (None, None),
    ],
)
def test_parse_id(text: str | None, expected: int | None) -> None:
    assert parse_id(text) == expected


def test_parse_id_takes_a_smaller_maximum() -> None:
    assert parse_id("1000", maximum=999) is None
    assert parse_id("999", maximum=999) == 999


@given(st.text(max_size=25))
def test_parse_id_never_raises_and_returns_an_id_or_none(text: str) -> None:
    number = parse_id(text)
    assert number is None or (1 <= number <= MAX_ID and str(number) == text.lstrip("0"))


@given(st.dates(min_value=dt.date(2000, 1, 1), max_value=dt.date(2100, 12, 31)))
def test_months_round_trip_through_the_converter(day: dt.date) -> None:
    converter = MonthConverter()
    month = day.replace(day=1)
    assert converter.to_python(converter.to_url(month)) == month
    assert previous_month(next_month(month)) == month


def test_the_converters_refuse_what_would_fail_later() -> None:
    with pytest.raises(ValueError, match="0001-01"):
        MonthConverter().to_python("0001-01")
    with pytest.raises(ValueError, match="9999-12"):
        MonthConverter().to_python("9999-12")
    with pytest.raises(ValueError, match="99999999999999999999"):
        IdConverter().to_python("99999999999999999999")
    assert IdConverter().to_python("17") == 17
