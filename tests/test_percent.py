"""Rates and shares entered and shown as percent, kept as exact fractions."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.utils import translation
from hypothesis import given
from hypothesis import strategies as st

from accounts.templatetags.money import as_percent
from compensation.forms import PercentField
from core.percent import PercentError, format_percent, parse_percent

NBSP = "\N{NO-BREAK SPACE}"


@pytest.mark.parametrize("text", ["0,5", "0,5 %", "0.5%", " 0,5\N{NO-BREAK SPACE}% "])
def test_a_half_percent_is_read_however_it_is_written(text: str) -> None:
    assert parse_percent(text) == Decimal("0.005")


@pytest.mark.parametrize("text", ["", "%", "0,5,5", "½", "٠٫٥", "1e3", "-1", "0.5 %%", "abc"])
def test_what_is_not_a_percent_is_refused(text: str) -> None:
    with pytest.raises(PercentError):
        parse_percent(text)


def test_a_fraction_is_shown_as_people_write_a_percent() -> None:
    with translation.override("ru"):
        assert as_percent(Decimal("0.005")) == f"0,5{NBSP}%"
        assert as_percent("0.40") == f"40{NBSP}%"
    with translation.override("en"):
        assert as_percent(Decimal("0.005")) == "0.5%"
        assert as_percent("0.90") == "90%"
    # a fraction without an exact decimal stays the fraction the scheme holds
    assert as_percent("1/3") == "1/3"


def test_the_percent_field_gives_the_fraction_and_refuses_more_than_all() -> None:
    field = PercentField()
    assert field.clean("0,5 %") == Decimal("0.005")
    assert field.clean("40") == Decimal("0.40")
    with translation.override("en"), pytest.raises(Exception, match="from 0 to 100"):
        field.clean("150")


fractions = st.decimals(min_value=Decimal("0"), max_value=Decimal("1"), places=8, allow_nan=False)


@given(fraction=fractions, language=st.sampled_from(["ru", "en"]))
def test_reading_what_is_shown_gives_the_same_fraction(fraction: Decimal, language: str) -> None:
    with translation.override(language):
        assert parse_percent(format_percent(fraction)) == fraction
