"""Money, once: the kopeck, rounding to it, and reading an amount a person or a bank wrote.

Pure Python (the bonus engine imports it). Errors are ``MoneyError`` with an English
message and a ``code``; callers translate them and name their own field.
"""

from __future__ import annotations

import re
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from fractions import Fraction

KOPECK = Decimal("0.01")
# Amounts are stored as Decimal(14, 2): at most 12 digits before the point. Every model's
# money column is ``models.DecimalField(..., **MONEY_FIELD)``.
MONEY_FIELD = {"max_digits": 14, "decimal_places": 2}
MAX_INTEGER_DIGITS = 12

# Spaces that group thousands: a plain one, and the no-break and thin ones that
# spreadsheets and word processors put there.
_GROUP = " \u00a0\u202f\u2009"
# ASCII digits only ([0-9], never \d, which also matches "١٢٣"); thousands grouped by
# one kind of space or not at all; a point or a comma before at most two decimals.
_AMOUNT = re.compile(
    rf"(?P<int>[0-9]+|[0-9]{{1,3}}(?:(?P<sep>[{_GROUP}])[0-9]{{3}})(?:(?P=sep)[0-9]{{3}})*)"
    r"(?:[.,](?P<frac>[0-9]+))?"
)

# How nearly every bank and spreadsheet writes an amount: read without further ado
# (a million-row file spends most of its amount-reading time otherwise).
_PLAIN = re.compile(r"[0-9]{1,12}\.[0-9]{2}")
_UNGROUP = {ord(space): None for space in _GROUP}


class MoneyError(ValueError):
    """An amount that cannot be taken; ``code`` says why, for callers' own messages."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


def round_half_up(value: Decimal | Fraction | int) -> Decimal:
    """``value`` to the kopeck, halves away from zero (0.005 → 0.01)."""
    if isinstance(value, Fraction):
        kopecks = value * 100
        whole = (abs(kopecks.numerator) * 2 + kopecks.denominator) // (2 * kopecks.denominator)
        return (Decimal(whole if kopecks >= 0 else -whole) / 100).quantize(KOPECK)
    return Decimal(value).quantize(KOPECK, rounding=ROUND_HALF_UP)


def parse_amount(text: str, *, allow_zero: bool = False) -> Decimal:
    """A positive amount of roubles and kopecks from its written form, to the kopeck.

    Reads ``1234.50``, ``1 234,50``, ``1234,5`` and ``2000``; thousands may be grouped
    by a space, a no-break space or a thin space. Refuses anything else: signs, other
    digits than ASCII ones, more than two decimals, more than 12 digits before the point,
    and zero (unless ``allow_zero``, for a statement's totals).
    """
    if not isinstance(text, str):
        raise MoneyError("invalid", f"{text!r} is not an amount.")
    if _PLAIN.fullmatch(text):
        number = Decimal(text)
        if number or allow_zero:
            return number
    stripped = text.strip(_GROUP + "\t\r\n")
    if stripped.startswith("-"):
        raise MoneyError("not_positive", "The amount must be greater than zero.")
    if "," in stripped and "." in stripped:
        raise MoneyError("two_separators", f"{text}: use one decimal separator.")
    match = _AMOUNT.fullmatch(stripped)
    if match is None:
        raise MoneyError("invalid", f"{text or '(empty)'} is not an amount.")
    digits = match["int"].translate(_UNGROUP)
    fraction = match["frac"] or ""
    try:
        number = Decimal(f"{digits}.{fraction or '0'}")
    except InvalidOperation:  # pragma: no cover - the pattern admits digits only
        raise MoneyError("invalid", f"{text} is not an amount.") from None
    if len(fraction) > 2:
        raise MoneyError("decimals", "The amount has more than 2 decimal places.")
    return check_amount(number, allow_zero=allow_zero)


def check_amount(number: Decimal, *, allow_zero: bool = False) -> Decimal:
    """A Decimal amount checked as ``parse_amount`` checks one, to the kopeck."""
    if not number.is_finite() or number < 0 or (number == 0 and not allow_zero):
        raise MoneyError("not_positive", "The amount must be greater than zero.")
    if number and number.adjusted() >= MAX_INTEGER_DIGITS:
        raise MoneyError(
            "too_large", f"The amount has more than {MAX_INTEGER_DIGITS} digits before the point."
        )
    rounded = number.quantize(KOPECK)
    if number != rounded:
        raise MoneyError("decimals", "The amount has more than 2 decimal places.")
    return rounded
