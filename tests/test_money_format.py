"""Money as people of each language write it."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.utils import translation
from django.utils.formats import number_format

from accounts.templatetags.money import amount, grouped_kopecks, money, short_money

NBSP = "\N{NO-BREAK SPACE}"


@pytest.mark.parametrize(
    ("language", "expected"),
    [("ru", f"1{NBSP}234{NBSP}567,89{NBSP}₽"), ("en", f"1,234,567.89{NBSP}₽")],
)
def test_money_is_written_the_way_the_language_writes_it(language: str, expected: str) -> None:
    with translation.override(language):
        assert money(Decimal("1234567.89")) == expected


def test_amounts_keep_their_kopecks_and_accept_stored_strings() -> None:
    with translation.override("ru"):
        assert amount("27000.00") == f"27{NBSP}000,00"
        assert amount(Decimal("0.5")) == "0,50"
        assert money(None) == "—"


def test_chart_labels_shorten_millions() -> None:
    with translation.override("en"):
        assert short_money(Decimal("25000000")) == "25 M"
        assert short_money(Decimal("75000")) == "75,000"
    assert short_money(None) == ""


@pytest.mark.parametrize("language", ["ru", "en"])
@pytest.mark.parametrize(
    "value",
    ["0", "-0", "0.009", "-0.009", "0.01", "-1234.5", "999999.999", "1E+5", "12345678901234.56"],
)
def test_amounts_read_as_djangos_number_format_writes_them(language: str, value: str) -> None:
    # the page's own formatting is faster, never different (it cuts, it does not round)
    with translation.override(language):
        expected = number_format(Decimal(value), 2, use_l10n=True, force_grouping=True)
        assert grouped_kopecks(Decimal(value)) == expected
