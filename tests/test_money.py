"""``core.money``: the kopeck, rounding half up, and reading an amount as people write it."""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from core.money import KOPECK, MoneyError, parse_amount, round_half_up

# Whole kopecks from one kopeck up to the largest amount a Decimal(14, 2) holds.
AMOUNTS = st.integers(min_value=1, max_value=10**14 - 1).map(lambda k: Decimal(k) / 100)
GROUPS = st.sampled_from(["", " ", "\u00a0", "\u202f", "\u2009"])


def written(amount: Decimal, group: str, point: str, decimals: int) -> str:
    """``amount`` as a person or a bank writes it: grouped or not, point or comma."""
    whole, _dot, kopecks = f"{amount:.2f}".partition(".")
    grouped = f"{int(whole):,}".replace(",", group)
    if decimals == 0 and kopecks == "00":
        return grouped
    if decimals == 1 and kopecks.endswith("0"):
        return f"{grouped}{point}{kopecks[0]}"
    return f"{grouped}{point}{kopecks}"


@given(
    amount=AMOUNTS,
    group=GROUPS,
    point=st.sampled_from([".", ","]),
    decimals=st.sampled_from([0, 1, 2]),
)
def test_an_amount_reads_back_as_written(
    amount: Decimal, group: str, point: str, decimals: int
) -> None:
    text = written(amount, group, point, decimals)
    parsed = parse_amount(text)
    assert parsed == amount
    assert parsed.as_tuple().exponent == -2


@pytest.mark.parametrize(
    ("text", "amount"),
    [
        ("1234.50", "1234.50"),
        ("1 234,50", "1234.50"),
        ("1234,5", "1234.50"),
        ("2000", "2000.00"),
        ("1\u00a0000,50", "1000.50"),
        ("12\u2009345\u2009678,90", "12345678.90"),
        (" 7.00 ", "7.00"),
        ("999999999999.99", "999999999999.99"),
    ],
)
def test_it_reads_the_usual_spellings(text: str, amount: str) -> None:
    assert parse_amount(text) == Decimal(amount)


# Arabic-Indic, Devanagari, fullwidth digits, superscripts and fractions: all "digits" to
# str.isdigit or \d, none of them an amount.
NON_ASCII_DIGITS = st.characters(
    codec="utf-8",
    categories=["Nd", "No"],
    exclude_characters="0123456789",
)


@given(
    digit=NON_ASCII_DIGITS,
    before=st.text(alphabet="0123456789", max_size=3),
    after=st.text(alphabet="0123456789", max_size=3),
)
def test_digits_other_than_ascii_are_refused(digit: str, before: str, after: str) -> None:
    with pytest.raises(MoneyError) as refused:
        parse_amount(before + digit + after)
    assert refused.value.code == "invalid"


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("١٢٣", "invalid"),
        ("²", "invalid"),
        ("12²", "invalid"),
        ("", "invalid"),
        ("abc", "invalid"),
        ("1e3", "invalid"),
        ("1 23", "invalid"),
        ("1  234", "invalid"),
        ("1 234\u00a0567", "invalid"),
        ("+5", "invalid"),
        ("1.2.3", "invalid"),
        ("1,234.50", "two_separators"),
        ("-5", "not_positive"),
        ("0", "not_positive"),
        ("0,00", "not_positive"),
        ("1.001", "decimals"),
        ("1.500", "decimals"),
        ("1000000000000", "too_large"),
    ],
)
def test_it_refuses_anything_else(text: str, code: str) -> None:
    with pytest.raises(MoneyError) as refused:
        parse_amount(text)
    assert refused.value.code == code
    assert isinstance(refused.value, ValueError)


def test_zero_is_taken_where_a_total_may_be_zero() -> None:
    assert parse_amount("0.00", allow_zero=True) == Decimal("0.00")
    with pytest.raises(MoneyError):
        parse_amount("-1", allow_zero=True)


@pytest.mark.parametrize(
    ("value", "rounded"),
    [
        (Decimal("0.005"), "0.01"),
        (Decimal("0.0049"), "0.00"),
        (Decimal("-0.005"), "-0.01"),
        (Decimal("2.675"), "2.68"),
        (Fraction(1, 3), "0.33"),
        (Fraction(1, 200), "0.01"),
        (Fraction(-1, 200), "-0.01"),
        (7, "7.00"),
    ],
)
def test_round_half_up_rounds_to_the_kopeck_halves_away_from_zero(
    value: Decimal | Fraction | int, rounded: str
) -> None:
    assert round_half_up(value) == Decimal(rounded)
    assert round_half_up(value).as_tuple().exponent == KOPECK.as_tuple().exponent


def test_the_money_module_knows_nothing_of_django() -> None:
    import core.money

    source = Path(core.money.__file__).read_text()
    assert "django" not in source
