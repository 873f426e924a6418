"""Rates and shares as people write them: percent with the language's decimal separator.

The models keep the fraction (0.5 % is ``Decimal("0.005")``); people read and type the
percent, ``0,5 %`` in Russian and ``0.5%`` in English. The two functions are inverses:
``parse_percent(format_percent(x)) == x`` for every fraction a scheme can hold.
"""

from __future__ import annotations

import re
from decimal import Decimal
from fractions import Fraction

from django.utils.formats import get_format
from django.utils.translation import gettext as _

NBSP = "\N{NO-BREAK SPACE}"
# ASCII digits only, one decimal separator (a comma or a point), an optional percent sign.
_PERCENT = re.compile(r"(?P<number>[0-9]{1,12}(?:[.,][0-9]{1,12})?)\s*%?")
_SPACES = re.compile(r"[\s\N{NO-BREAK SPACE}\N{NARROW NO-BREAK SPACE}]+")


class PercentError(ValueError):
    """Text that is not a percent such as ``0,5`` or ``0.5 %``."""


def parse_percent(text: str) -> Decimal:
    """``"0,5 %"``, ``"0,5"`` or ``"0.5%"`` → ``Decimal("0.005")``, exactly."""
    cleaned = _SPACES.sub(" ", text).strip()
    match = _PERCENT.fullmatch(cleaned)
    if match is None:
        raise PercentError(text)
    return Decimal(match["number"].replace(",", ".")).scaleb(-2)


def format_percent(value: Decimal | Fraction | str | None) -> str:
    """``Decimal("0.005")`` → ``0,5 %`` (ru) / ``0.5%`` (en); ``None`` → ``—``.

    A fraction with no exact decimal (``1/3``) is written as the fraction itself: it is
    what the scheme holds, and a rounded percent would not be.
    """
    if value is None or value == "":
        return "—"
    fraction = _fraction(value)
    if fraction is None:
        return str(value)
    percent = fraction * 100
    exact = _exact_decimal(percent)
    if exact is None:
        return str(value)
    text = f"{exact:f}".replace(".", get_format("DECIMAL_SEPARATOR"))
    return _("%(number)s%%") % {"number": text}


def _fraction(value: Decimal | Fraction | str) -> Fraction | None:
    if isinstance(value, Fraction):
        return value
    text = str(value).strip()
    try:
        if "/" in text:
            top, _slash, bottom = text.partition("/")
            return Fraction(Decimal(top.strip())) / Fraction(Decimal(bottom.strip()))
        number = Decimal(text)
    except (ArithmeticError, ValueError, ZeroDivisionError):
        return None
    return Fraction(number) if number.is_finite() else None


def _exact_decimal(value: Fraction) -> Decimal | None:
    """``value`` as a terminating decimal without trailing zeros, if it has one."""
    denominator = value.denominator
    for prime in (2, 5):
        while denominator % prime == 0:
            denominator //= prime
    if denominator != 1:
        return None
    digits = 0
    while (value * 10**digits).denominator != 1:
        digits += 1
    scaled = value * 10**digits
    return Decimal(scaled.numerator).scaleb(-digits)
