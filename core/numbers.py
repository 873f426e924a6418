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
