"""Whole numbers from URLs and query strings: ASCII digits, within a database id's range."""

from __future__ import annotations

import re

# PostgreSQL's bigint: a larger id is no row, and asking for one is an error, not a miss.
MAX_ID = 2**63 - 1
_DIGITS = re.compile(r"[0-9]{1,19}")


def parse_id(text: str | None, maximum: int = MAX_ID) -> int | None:
    """A positive whole number written in ASCII digits, at most ``maximum``; else ``None``.

    ``str.isdigit()`` is not enough: it accepts "²" and "⑤", which ``int()`` refuses, and
    ``int()`` itself accepts Arabic-Indic and other scripts' digits.
    """
    if text is None or not _DIGITS.fullmatch(text):
        return None
    number = int(text)
    return number if 0 < number <= maximum else None


def has_foreign_digits(text: str) -> bool:
    """Whether the text holds a digit other than 0-9: "١٢٣", "１２３", "²".

    ``Decimal()``, ``int()`` and ``Fraction()`` read other scripts' digits as numbers; a
    figure typed or sent in them is refused instead of being read as something else.
    """
    return any(char.isdigit() and not "0" <= char <= "9" for char in text)
