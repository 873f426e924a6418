"""Properties of the bonus engine over random valid (and corrupted) inputs.

Money is built from whole kopecks as ``Decimal`` and never passes through ``float``.
"""

from __future__ import annotations

import calendar
import dataclasses
import datetime as dt
import itertools
from decimal import Decimal
from fractions import Fraction
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from compensation.engine import (
    BonusInput,
    BonusInputError,
    BonusResult,
    Milestone,
    Payment,
    Scheme,
    calculate,
)

PROPERTY = settings(max_examples=200, deadline=None)
NAMES = ("Masha", "Vasya", "Olya", "Petya", "Katya", "Dima", "Lena", "Igor")
KOPECK = Decimal("0.01")
MAX_PLAN_KOPECKS = 10**11
MAX_PAYMENT_KOPECKS = 10**10


def kopecks(count: int) -> Decimal:
    """``count`` kopecks as a two-place Decimal."""
    return Decimal(count).scaleb(-2)


def as_kopecks(amount: Decimal) -> int:
    return int(amount.scaleb(2))


def last_day(year: int, month: int) -> int:
    return calendar.monthrange(year, month)[1]


# --- strategies ----------------------------------------------------------------------
# Strategies are built once at module level and scaled by plain arithmetic inside the
# composites: building fresh strategies per draw costs more than the engine itself.

PER_MILLE = st.integers(0, 1000)
UNIT = st.integers(0, 10**6)
unit_ratios = st.one_of(
    st.sampled_from([Fraction(0), Fraction(1), Fraction(1, 3), Fraction(2, 5)]),
    PER_MILLE.map(lambda k: Fraction(k, 1000)),
    st.tuples(st.integers(0, 97), st.integers(1, 97)).map(lambda t: Fraction(min(t), max(t))),
)
milestone_days = st.sets(st.integers(1, 31), max_size=3).map(sorted)
twelfths = st.integers(0, 12)
shares_of_plan = st.integers(0, 150).map(lambda k: Fraction(k, 100))
staff_lists = st.tuples(st.permutations(NAMES), st.integers(1, len(NAMES))).map(
    lambda drawn: tuple(drawn[0][: drawn[1]])
)
# (day, per mille of plan): days past the month's end are clamped to its last day
raw_payment = st.tuples(st.integers(1, 31), st.integers(1, 1000))
raw_payments = st.lists(raw_payment, max_size=10)


def scaled(draw: st.DrawFn, upper: int) -> int:
    """A whole number in ``0..upper``, both ends included."""
    return upper * draw(UNIT) // 10**6


@st.composite
def milestone_lists(draw: st.DrawFn) -> tuple[Milestone, ...]:
    twelfths_left = 12
    milestones = []
    for day in draw(milestone_days):
        fraction = min(draw(twelfths), twelfths_left)
        twelfths_left -= fraction
        milestones.append(
            Milestone(day=day, share_of_plan=draw(shares_of_plan), fraction=Fraction(fraction, 12))
        )
    return tuple(milestones)


def make_payment(year: int, month: int, plan: int, raw: tuple[int, int]) -> Payment:
    day, per_mille = raw
    return Payment(
        date=dt.date(year, month, min(day, last_day(year, month))),
        amount=kopecks(max(1, plan * per_mille // 1000)),
    )


@st.composite
def plain_inputs(draw: st.DrawFn) -> BonusInput:
    """A valid input without awards or deductions; payments are of the plan's size."""
    year = draw(st.integers(2000, 2100))
    month = draw(st.integers(1, 12))
    plan = draw(st.integers(1, MAX_PLAN_KOPECKS))
    scheme = Scheme(
        plan=kopecks(plan),
        threshold=kopecks(plan * draw(st.integers(0, 1500)) // 1000),
        rate=draw(unit_ratios),
        head_share=draw(unit_ratios),
        milestones=draw(milestone_lists()),
    )
    payments = tuple(make_payment(year, month, plan, raw) for raw in draw(raw_payments))
    return BonusInput(
        scheme=scheme,
        year=year,
        month=month,
        payments=payments,
        staff=draw(staff_lists),
    )


def split_kopecks(draw: st.DrawFn, total: int, parts: int) -> list[int]:
    """Split ``total`` kopecks into ``parts`` random non-negative parts."""
    cuts = sorted(scaled(draw, total) for _ in range(parts - 1))
    bounds = [0, *cuts, total]
    return [high - low for low, high in itertools.pairwise(bounds)]


@st.composite
def bonus_inputs(draw: st.DrawFn) -> BonusInput:
    """A valid input with feasible awards and deductions.

    Awards take at most the staff pool; each deduction is at most the smallest
    possible equal share plus the person's award, so no bonus can go negative.
    """
    data = draw(plain_inputs())
    staff_pool = as_kopecks(calculate(data).staff_pool)
    n = len(data.staff)
    awards = split_kopecks(draw, scaled(draw, staff_pool), n)
    least_share = (staff_pool - sum(awards)) // n
    deductions = [scaled(draw, least_share + award) for award in awards]
    return dataclasses.replace(
        data,
        awards={name: kopecks(a) for name, a in zip(data.staff, awards, strict=True) if a},
        deductions={name: kopecks(d) for name, d in zip(data.staff, deductions, strict=True)},
    )


# --- helpers -------------------------------------------------------------------------


def money_fields(result: BonusResult) -> list[Decimal]:
    amounts = [
        result.collected,
        result.excess,
        result.pool,
        result.final_tranche,
        result.earned,
        result.forfeited,
        result.head,
        result.staff_pool,
        result.awards_total,
        result.deductions_total,
        result.remainder,
        result.equal_share,
    ]
    for milestone in result.milestones:
        amounts += [milestone.required, milestone.collected, milestone.amount, milestone.earned]
    for line in result.staff:
        amounts += [line.equal_share, line.award, line.deduction, line.bonus]
    return amounts


# --- properties of valid input -------------------------------------------------------


@PROPERTY
@given(bonus_inputs())
def test_it_always_calculates_feasible_awards_and_deductions(data: BonusInput) -> None:
    result = calculate(data)

    for amount in money_fields(result):
        assert isinstance(amount, Decimal)
        assert amount.as_tuple().exponent == -2


@PROPERTY
@given(bonus_inputs())
def test_it_splits_the_pool_into_tranches_that_add_up(data: BonusInput) -> None:
    result = calculate(data)

    tranches = [m.amount for m in result.milestones] + [result.final_tranche]
    assert sum(tranches, Decimal(0)) == result.pool
    assert result.earned + result.forfeited == result.pool
    assert result.earned == result.final_tranche + sum(
        (m.earned for m in result.milestones), Decimal(0)
    )
    # each tranche is its fraction of the pool to within a kopeck
    fractions = [m.fraction for m in result.milestones] + [result.final_fraction]
    for tranche, fraction in zip(tranches, fractions, strict=True):
        assert abs(Fraction(tranche) - Fraction(result.pool) * fraction) < Fraction(1, 100)


@PROPERTY
@given(bonus_inputs())
def test_it_pays_out_exactly_what_was_earned(data: BonusInput) -> None:
    result = calculate(data)

    staff_total = sum((line.bonus for line in result.staff), Decimal(0))
    assert result.head + staff_total == result.earned
    assert result.head + result.staff_pool == result.earned
    assert result.remainder == sum((line.equal_share for line in result.staff), Decimal(0))


@PROPERTY
@given(bonus_inputs())
def test_it_never_pays_a_negative_bonus(data: BonusInput) -> None:
    result = calculate(data)

    assert result.pool >= 0
    assert result.head >= 0
    assert all(line.bonus >= 0 for line in result.staff)
    assert all(line.equal_share >= 0 for line in result.staff)


@PROPERTY
@given(bonus_inputs())
def test_it_keeps_equal_shares_within_a_kopeck_leftovers_first(data: BonusInput) -> None:
    result = calculate(data)

    shares = [line.equal_share for line in result.staff]
    assert max(shares) - min(shares) <= KOPECK
    # the larger shares come first, in staff order
    assert shares == sorted(shares, reverse=True)
    assert [line.name for line in result.staff] == list(data.staff)


@PROPERTY
@given(bonus_inputs())
def test_it_applies_awards_and_deductions_to_the_person(data: BonusInput) -> None:
    result = calculate(data)

    for line in result.staff:
        award = data.awards.get(line.name, Decimal(0))
        deduction = data.deductions.get(line.name, Decimal(0))
        assert line.award == award
        assert line.deduction == deduction
        assert line.bonus == line.equal_share + award - deduction


@PROPERTY
@given(plain_inputs(), st.data())
def test_it_never_lowers_the_pool_when_more_is_collected(
    data: BonusInput, more: st.DataObject
) -> None:
    # given a valid month and one more payment in it
    plan = as_kopecks(data.scheme.plan)
    extra = make_payment(data.year, data.month, plan, more.draw(raw_payment))

    before = calculate(data)
    after = calculate(dataclasses.replace(data, payments=(*data.payments, extra)))

    # then collected and the pool do not go down, and no gate is lost
    assert after.collected == before.collected + extra.amount
    assert after.pool >= before.pool
    for was, now in zip(before.milestones, after.milestones, strict=True):
        assert now.collected >= was.collected
        assert now.met or not was.met


@PROPERTY
@given(plain_inputs(), st.data())
def test_it_never_lowers_earned_when_a_payment_comes_earlier(
    data: BonusInput, more: st.DataObject
) -> None:
    # given one payment moved to an earlier day of the month
    if not data.payments:
        data = dataclasses.replace(
            data, payments=(Payment(dt.date(data.year, data.month, 28), kopecks(100)),)
        )
    index = more.draw(st.integers(0, len(data.payments) - 1))
    moved = data.payments[index]
    day = more.draw(st.integers(1, moved.date.day))
    payments = list(data.payments)
    payments[index] = dataclasses.replace(moved, date=moved.date.replace(day=day))

    before = calculate(data)
    after = calculate(dataclasses.replace(data, payments=tuple(payments)))

    # then the pool is unchanged and every gate met before is still met
    assert after.pool == before.pool
    assert after.earned >= before.earned
    for was, now in zip(before.milestones, after.milestones, strict=True):
        assert now.met or not was.met


@PROPERTY
@given(plain_inputs().filter(lambda data: data.scheme.milestones), st.data())
def test_it_never_lowers_earned_when_a_requirement_is_lowered(
    data: BonusInput, more: st.DataObject
) -> None:
    milestones = data.scheme.milestones
    # given one milestone asking for a smaller share of plan
    index = more.draw(st.integers(0, len(milestones) - 1))
    target = milestones[index]
    lowered_share = more.draw(
        st.fractions(min_value=0, max_value=target.share_of_plan, max_denominator=100)
    )
    lowered = list(milestones)
    lowered[index] = dataclasses.replace(target, share_of_plan=lowered_share)
    easier = dataclasses.replace(data.scheme, milestones=tuple(lowered))

    before = calculate(data)
    after = calculate(dataclasses.replace(data, scheme=easier))

    assert after.pool == before.pool
    assert after.earned >= before.earned
    assert after.milestones[index].met or not before.milestones[index].met


# --- invalid input -------------------------------------------------------------------

CORRUPTIONS = (
    "plan_not_positive",
    "threshold_negative",
    "rate_out_of_range",
    "head_share_out_of_range",
    "day_out_of_range",
    "days_not_increasing",
    "fractions_above_one",
    "amount_three_decimals",
    "amount_not_positive",
    "payment_outside_month",
    "no_staff",
    "award_for_stranger",
    "negative_award",
    "negative_deduction",
    "awards_above_pool",
    "month_out_of_range",
)


def _with_scheme(data: BonusInput, **changes: Any) -> BonusInput:
    return dataclasses.replace(data, scheme=dataclasses.replace(data.scheme, **changes))


def _with_payment(data: BonusInput, payment: Payment) -> tuple[BonusInput, int]:
    """Replace a random payment (or add one) with ``payment``; return its index."""
    payments = list(data.payments) or [payment]
    index = len(payments) - 1
    payments[index] = payment
    return dataclasses.replace(data, payments=tuple(payments)), index


def corrupt(data: BonusInput, kind: str, draw: st.DataObject) -> tuple[BonusInput, str]:
    """Break one field of a valid input; return it and the field the error must name."""
    scheme = data.scheme
    milestones = list(scheme.milestones)
    some_day = dt.date(data.year, data.month, 1)
    name = draw.draw(st.sampled_from(data.staff))
    if kind == "plan_not_positive":
        plan = kopecks(draw.draw(st.integers(-MAX_PLAN_KOPECKS, 0)))
        return _with_scheme(data, plan=plan), "scheme.plan"
    if kind == "threshold_negative":
        threshold = kopecks(draw.draw(st.integers(-MAX_PLAN_KOPECKS, -1)))
        return _with_scheme(data, threshold=threshold), "scheme.threshold"
    if kind in ("rate_out_of_range", "head_share_out_of_range"):
        step = Fraction(draw.draw(st.integers(1, 10**6)), draw.draw(st.integers(1, 1000)))
        bad = draw.draw(st.sampled_from([-step, 1 + step]))
        attribute = "rate" if kind == "rate_out_of_range" else "head_share"
        return _with_scheme(data, **{attribute: bad}), f"scheme.{attribute}"
    if kind == "day_out_of_range":
        day = draw.draw(st.one_of(st.integers(-5, 0), st.integers(32, 100)))
        if not milestones:
            milestones = [Milestone(day=15, share_of_plan=Fraction(1, 2), fraction=Fraction(0))]
        index = draw.draw(st.integers(0, len(milestones) - 1))
        milestones[index] = dataclasses.replace(milestones[index], day=day)
        return _with_scheme(data, milestones=tuple(milestones)), f"scheme.milestones[{index}].day"
    if kind == "days_not_increasing":
        while len(milestones) < 2:
            milestones.append(Milestone(day=10, share_of_plan=Fraction(0), fraction=Fraction(0)))
        index = draw.draw(st.integers(1, len(milestones) - 1))
        previous = milestones[index - 1].day
        day = draw.draw(st.integers(1, previous))
        milestones[index] = dataclasses.replace(milestones[index], day=day)
        return _with_scheme(data, milestones=tuple(milestones)), f"scheme.milestones[{index}].day"
    if kind == "fractions_above_one":
        pair = [
            Milestone(day=10, share_of_plan=Fraction(0), fraction=Fraction(2, 3)),
            Milestone(day=20, share_of_plan=Fraction(0), fraction=draw.draw(unit_ratios)),
        ]
        extra = Fraction(1, 3) + Fraction(1, draw.draw(st.integers(2, 1000)))
        pair[1] = dataclasses.replace(pair[1], fraction=max(pair[1].fraction, extra))
        return _with_scheme(data, milestones=tuple(pair)), "scheme.milestones"
    if kind == "amount_three_decimals":
        amount = Decimal(draw.draw(st.integers(1, 10**9)) * 10 + draw.draw(st.integers(1, 9)))
        bad, index = _with_payment(data, Payment(some_day, amount.scaleb(-3)))
        return bad, f"payments[{index}].amount"
    if kind == "amount_not_positive":
        amount = kopecks(draw.draw(st.integers(-MAX_PAYMENT_KOPECKS, 0)))
        bad, index = _with_payment(data, Payment(some_day, amount))
        return bad, f"payments[{index}].amount"
    if kind == "payment_outside_month":
        first = dt.date(data.year, data.month, 1)
        last = first.replace(day=last_day(data.year, data.month))
        offset = draw.draw(st.integers(1, 400))
        when = draw.draw(
            st.sampled_from([first - dt.timedelta(days=offset), last + dt.timedelta(days=offset)])
        )
        bad, index = _with_payment(data, Payment(when, kopecks(100)))
        return bad, f"payments[{index}].date"
    if kind == "no_staff":
        return dataclasses.replace(data, staff=(), awards={}, deductions={}), "staff"
    if kind == "award_for_stranger":
        return dataclasses.replace(data, awards={"Stranger": kopecks(1)}), "awards.Stranger"
    if kind == "negative_award":
        amount = kopecks(draw.draw(st.integers(-MAX_PAYMENT_KOPECKS, -1)))
        return dataclasses.replace(data, awards={name: amount}), f"awards.{name}"
    if kind == "negative_deduction":
        amount = kopecks(draw.draw(st.integers(-MAX_PAYMENT_KOPECKS, -1)))
        return dataclasses.replace(data, deductions={name: amount}), f"deductions.{name}"
    if kind == "awards_above_pool":
        staff_pool = as_kopecks(calculate(data).staff_pool)
        over = staff_pool + draw.draw(st.integers(1, 10**6))
        return dataclasses.replace(data, awards={name: kopecks(over)}), "awards"
    if kind == "month_out_of_range":
        month = draw.draw(st.one_of(st.integers(-12, 0), st.integers(13, 99)))
        return dataclasses.replace(data, month=month, payments=()), "month"
    raise AssertionError(f"unknown corruption {kind}")


@PROPERTY
@given(plain_inputs(), st.sampled_from(CORRUPTIONS), st.data())
def test_it_rejects_any_corrupted_input_naming_the_field(
    data: BonusInput, kind: str, draws: st.DataObject
) -> None:
    # given a valid input with one field broken
    bad, field = corrupt(data, kind, draws)

    # when it is calculated, then it is refused for that field
    with pytest.raises(BonusInputError) as caught:
        calculate(bad)

    assert caught.value.field == field, f"{kind}: {caught.value.field!r} is not {field!r}"
    assert str(caught.value).startswith(f"{field}: ")
