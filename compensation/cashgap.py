"""The cash gap: money collected against money owed, day by day through a month.

Pure functions over daily series (no database, no request): the pages, the year's trend
and the scheme replay all call ``cash_gap``. A day's gap is what the company has owed
so far less what it has collected so far; the deepest gap is the largest such shortfall
(zero when collections never fell behind), on the earliest day it was reached.
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction

from compensation.engine import from_kopecks, split_largest_remainder, to_kopecks
from core.money import KOPECK

ZERO = Decimal("0.00")


@dataclass(frozen=True)
class GapDay:
    """One day of the month: running totals to the end of that day."""

    date: dt.date
    collected: Decimal  # cumulative collections
    obligations: Decimal  # cumulative obligations

    @property
    def gap(self) -> Decimal:
        """Owed beyond what came in; negative when collections are ahead."""
        return self.obligations - self.collected


@dataclass(frozen=True)
class CashGap:
    days: tuple[GapDay, ...]
    deepest: Decimal  # the largest shortfall, zero if there never was one
    deepest_day: dt.date | None  # the first day it was reached; None without a shortfall

    @property
    def collected(self) -> Decimal:
        return self.days[-1].collected if self.days else ZERO

    @property
    def obligations(self) -> Decimal:
        return self.days[-1].obligations if self.days else ZERO


def month_days(month: dt.date) -> list[dt.date]:
    """Every calendar day of ``month``'s month, in order."""
    last = calendar.monthrange(month.year, month.month)[1]
    return [dt.date(month.year, month.month, day) for day in range(1, last + 1)]


def _check_series(series: Mapping[dt.date, Decimal], days: Sequence[dt.date], name: str) -> None:
    inside = set(days)
    for day, amount in series.items():
        if day not in inside:
            raise ValueError(f"{name}: {day.isoformat()} is outside the month.")
        if amount != amount.quantize(KOPECK):
            raise ValueError(f"{name}: {amount} on {day.isoformat()} is not whole kopecks.")


def cash_gap(
    *,
    month: dt.date,
    collections: Mapping[dt.date, Decimal],
    obligations: Mapping[dt.date, Decimal],
    through: dt.date | None = None,
) -> CashGap:
    """Cumulative collections and obligations for each day of ``month`` and the deepest gap.

    ``through`` stops the series on that day (the running month); days after it are
    left out, not counted as zero.
    """
    days = month_days(month)
    _check_series(collections, days, "collections")
    _check_series(obligations, days, "obligations")
    if through is not None:
        days = [day for day in days if day <= through]
    collected = owed = ZERO
    series = []
    deepest, deepest_day = ZERO, None
    for day in days:
        collected += collections.get(day, ZERO)
        owed += obligations.get(day, ZERO)
        series.append(GapDay(date=day, collected=collected, obligations=owed))
        if owed - collected > deepest:
            deepest, deepest_day = owed - collected, day
    return CashGap(days=tuple(series), deepest=deepest, deepest_day=deepest_day)


def spread_evenly(total: Decimal, days: Sequence[dt.date]) -> dict[dt.date, Decimal]:
    """``total`` split over ``days`` in whole kopecks that add up exactly.

    The kopecks left over go one each to the earliest days (money owed is paid no later
    for being indivisible).
    """
    if not days:
        raise ValueError("obligations: a month without working days cannot hold them.")
    weights = [Fraction(1, len(days))] * len(days)
    parts = split_largest_remainder(to_kopecks(total), weights)
    return {day: from_kopecks(part) for day, part in zip(sorted(days), parts, strict=True)}
