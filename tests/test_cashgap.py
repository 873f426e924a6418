"""The pure cash gap (compensation/cashgap.py): worked cases and invariants."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from compensation.cashgap import cash_gap, month_days, spread_evenly

D = Decimal
OCTOBER = dt.date(2026, 10, 1)


def day(n: int) -> dt.date:
    return dt.date(2026, 10, n)


def test_the_deepest_gap_is_the_largest_shortfall_on_its_first_day() -> None:
    obligations = {day(1): D("100.00"), day(10): D("300.00")}
    collections = {day(5): D("50.00"), day(12): D("200.00"), day(20): D("400.00")}

    gap = cash_gap(month=OCTOBER, collections=collections, obligations=obligations)

    # Owed 100 on the 1st (gap 100), 50 in by the 5th (50), 400 owed by the 10th (350).
    assert gap.deepest == D("350.00")
    assert gap.deepest_day == day(10)
    assert gap.days[9].gap == D("350.00")
    assert gap.days[11].gap == D("150.00")
    assert gap.days[-1].gap == D("-250.00")
    assert (gap.collected, gap.obligations) == (D("650.00"), D("400.00"))
    assert len(gap.days) == 31


def test_no_shortfall_is_zero_on_no_day() -> None:
    gap = cash_gap(
        month=OCTOBER, collections={day(1): D("10.00")}, obligations={day(2): D("10.00")}
    )

    assert (gap.deepest, gap.deepest_day) == (D("0.00"), None)


def test_the_running_month_stops_on_its_day() -> None:
    gap = cash_gap(
        month=OCTOBER,
        collections={day(20): D("10.00")},
        obligations={day(3): D("5.00"), day(25): D("99.00")},
        through=day(10),
    )

    assert [g.date for g in gap.days] == [day(n) for n in range(1, 11)]
    assert (gap.deepest, gap.deepest_day) == (D("5.00"), day(3))


def test_a_day_outside_the_month_is_refused() -> None:
    with pytest.raises(ValueError, match="collections: 2026-11-01 is outside the month"):
        cash_gap(month=OCTOBER, collections={dt.date(2026, 11, 1): D("1.00")}, obligations={})


def test_spreading_gives_the_left_over_kopecks_to_the_first_days() -> None:
    spread = spread_evenly(D("100.00"), [day(3), day(1), day(2)])

    assert spread == {day(1): D("33.34"), day(2): D("33.33"), day(3): D("33.33")}


def test_spreading_over_no_day_is_refused() -> None:
    with pytest.raises(ValueError, match="without working days"):
        spread_evenly(D("1.00"), [])


amounts = st.decimals(min_value=D("0.01"), max_value=D("10000000.00"), places=2)
series = st.dictionaries(st.integers(1, 31).map(day), amounts, max_size=31)


@settings(max_examples=200, deadline=None)
@given(collections=series, obligations=series, through=st.integers(1, 31))
def test_the_deepest_gap_is_the_maximum_of_the_daily_gaps(
    collections: dict[dt.date, Decimal], obligations: dict[dt.date, Decimal], through: int
) -> None:
    gap = cash_gap(
        month=OCTOBER, collections=collections, obligations=obligations, through=day(through)
    )

    shortfalls = [g.gap for g in gap.days]
    assert gap.deepest == max([D("0.00"), *shortfalls])
    if gap.deepest > 0:
        assert gap.deepest_day == next(g.date for g in gap.days if g.gap == gap.deepest)
    else:
        assert gap.deepest_day is None
    # The running totals end on the sums of the days they cover.
    assert gap.collected == sum((a for d, a in collections.items() if d.day <= through), D(0))
    assert gap.obligations == sum((a for d, a in obligations.items() if d.day <= through), D(0))
    # Running totals never fall.
    assert all(a.collected <= b.collected for a, b in zip(gap.days, gap.days[1:], strict=False))


@settings(max_examples=200, deadline=None)
@given(total=amounts, days=st.sets(st.integers(1, 31), min_size=1))
def test_spreading_adds_up_to_the_kopeck_and_differs_by_a_kopeck_at_most(
    total: Decimal, days: set[int]
) -> None:
    spread = spread_evenly(total, [day(n) for n in days])

    assert sum(spread.values()) == total
    assert set(spread) == {day(n) for n in days}
    assert max(spread.values()) - min(spread.values()) <= D("0.01")
    assert all(part == part.quantize(D("0.01")) for part in spread.values())


def test_month_days_knows_february_of_a_leap_year() -> None:
    assert month_days(dt.date(2028, 2, 14))[-1] == dt.date(2028, 2, 29)
