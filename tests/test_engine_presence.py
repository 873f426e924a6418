"""The split by presence (SPEC section 3, step 6): weights days / of, largest remainder."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from decimal import Decimal
from fractions import Fraction
from pathlib import Path

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from compensation.engine import (
    SPLIT_BY_PRESENCE,
    SPLIT_EQUAL,
    BonusInput,
    BonusInputError,
    Payment,
    Presence,
    Scheme,
    calculate,
)
from compensation.scenario import loads, result_to_json

EXAMPLES = Path(__file__).parent / "examples"
PROPERTY = settings(max_examples=200, deadline=None)
NAMES = ("Masha", "Vasya", "Olya", "Petya", "Katya", "Dima")
# The whole collected amount is the pool and the head takes nothing: remainder = payments.
WHOLE_POOL = Scheme(
    plan=Decimal("100.00"),
    threshold=Decimal("0.00"),
    rate=Fraction(1),
    head_share=Fraction(0),
    split=SPLIT_BY_PRESENCE,
)


def money(text: str) -> Decimal:
    return Decimal(text)


def kopecks(count: int) -> Decimal:
    return Decimal(count).scaleb(-2)


def a_month(total_kopecks: int, staff: tuple[str, ...], **fields: object) -> BonusInput:
    payments = (
        (Payment(date=dt.date(2026, 11, 2), amount=kopecks(total_kopecks)),)
        if total_kopecks
        else ()
    )
    return BonusInput(
        scheme=fields.pop("scheme", WHOLE_POOL),  # type: ignore[arg-type]
        year=2026,
        month=11,
        payments=payments,
        staff=staff,
        **fields,  # type: ignore[arg-type]
    )


# --- the worked example ---------------------------------------------------------------


def test_it_reproduces_the_worked_example_of_olya_away_twelve_days() -> None:
    # given 55 M collected, Masha +15,000, Vasya -6,000, Olya present 10 of 22 days
    scenario = loads((EXAMPLES / "presence-55m.json").read_text("utf-8"))

    # when the month is calculated under by_presence
    result = calculate(scenario)

    # then Olya's absent days went to those who covered her, to the kopeck
    assert result.remainder == money("36000.00")
    assert result.equal_share == money("14666.66")
    assert [(line.name, line.equal_share, line.bonus) for line in result.staff] == [
        ("Masha", money("14666.67"), money("29666.67")),
        ("Vasya", money("14666.67"), money("8666.67")),
        ("Olya", money("6666.66"), money("6666.66")),
    ]
    assert result_to_json(result)["staff"]["Olya"]["presence"] == {"days": 10, "of": 22}


def test_it_checks_but_does_not_use_presence_under_the_equal_split() -> None:
    # given the worked example with the equal split
    raw = json.loads((EXAMPLES / "presence-55m.json").read_text("utf-8"))
    raw["scheme"]["split"] = "equal"

    # when calculated
    result = calculate(loads(json.dumps(raw)))

    # then today's rule applies: 12,000 each
    assert [line.equal_share for line in result.staff] == [money("12000.00")] * 3


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"scheme": {"split": "by_mood"}}, "scheme.split"),
        ({"presence": {"Petya": {"days": 1, "of": 22}}}, "presence.Petya"),
        ({"presence": {"Olya": {"days": 1.5, "of": 22}}}, "presence.Olya.days"),
        ({"presence": {"Olya": {"days": "10", "of": 22}}}, "presence.Olya.days"),
        ({"presence": {"Olya": {"days": 0, "of": 0}}}, "presence.Olya.of"),
        ({"presence": {"Olya": {"days": 23, "of": 22}}}, "presence.Olya.days"),
        ({"presence": {"Olya": {"days": -1, "of": 22}}}, "presence.Olya.days"),
        ({"presence": {"Olya": {"days": 10}}}, "presence.Olya.of"),
        (
            {"presence": {name: {"days": 0, "of": 22} for name in ("Masha", "Vasya", "Olya")}},
            "presence",
        ),
    ],
)
def test_it_refuses_bad_presence_naming_the_field(change: dict, field: str) -> None:
    # given the worked example with one bad part
    raw = json.loads((EXAMPLES / "presence-55m.json").read_text("utf-8"))
    raw["scheme"].update(change.get("scheme", {}))
    if "presence" in change:
        raw["presence"] = change["presence"]

    # when it is calculated, then the error names the field
    with pytest.raises(BonusInputError) as error:
        calculate(loads(json.dumps(raw)))
    assert error.value.field == field


def test_it_still_refuses_a_deduction_larger_than_a_persons_share() -> None:
    # given Olya present 1 of 22 days and a deduction above her small share
    data = a_month(
        220_00,
        ("Masha", "Olya"),
        presence={"Olya": Presence(days=1, of=22)},
        deductions={"Olya": money("20.00")},
    )

    # then her deduction is refused, not taken from the others
    with pytest.raises(BonusInputError) as error:
        calculate(data)
    assert error.value.field == "deductions.Olya"


def test_all_absent_under_equal_is_not_an_error() -> None:
    data = a_month(
        300,
        ("Masha", "Olya"),
        scheme=dataclasses.replace(WHOLE_POOL, split=SPLIT_EQUAL),
        presence={"Masha": Presence(0, 20), "Olya": Presence(0, 20)},
    )
    assert [line.equal_share for line in calculate(data).staff] == [money("1.50")] * 2


# --- properties ------------------------------------------------------------------------

staff_lists = st.integers(1, len(NAMES)).map(lambda n: NAMES[:n])
remainders = st.integers(0, 10**10)
months_days = st.integers(1, 23)


@st.composite
def presences(draw: st.DrawFn, staff: tuple[str, ...]) -> dict[str, Presence]:
    of = draw(months_days)
    chosen = {}
    for name in staff:
        if draw(st.booleans()):
            chosen[name] = Presence(days=draw(st.integers(0, of)), of=of)
    assume(any(name not in chosen or chosen[name].days for name in staff))
    return chosen


@st.composite
def presence_months(draw: st.DrawFn) -> BonusInput:
    staff = draw(staff_lists)
    return a_month(draw(remainders), staff, presence=draw(presences(staff)))


@PROPERTY
@given(presence_months())
def test_the_shares_add_up_to_the_remainder(data: BonusInput) -> None:
    result = calculate(data)
    assert sum((line.equal_share for line in result.staff), Decimal(0)) == result.remainder
    assert all(line.equal_share >= 0 for line in result.staff)


@PROPERTY
@given(presence_months())
def test_more_days_never_get_less(data: BonusInput) -> None:
    # given no awards or deductions, each share follows the weight alone
    result = calculate(data)
    for first in result.staff:
        for second in result.staff:
            if data.weight(first.name) > data.weight(second.name):
                assert first.equal_share >= second.equal_share


@PROPERTY
@given(presence_months())
def test_the_top_level_equal_share_is_a_fully_present_members_floor(data: BonusInput) -> None:
    result = calculate(data)
    total_weight = sum((data.weight(name) for name in data.staff), Fraction(0))
    expected = (Fraction(int(result.remainder.scaleb(2))) / total_weight).__floor__()
    assert result.equal_share == kopecks(expected)


@PROPERTY
@given(staff_lists, remainders, st.integers(1, 23), st.data())
def test_equal_days_give_todays_equal_split(
    staff: tuple[str, ...], total: int, of: int, drawn: st.DataObject
) -> None:
    # given everyone present the same number of days (or no presence given at all)
    days = drawn.draw(st.integers(1, of))
    presence = drawn.draw(st.sampled_from([{}, {name: Presence(days, of) for name in staff}]))
    by_presence = a_month(total, staff, presence=presence)
    equal = a_month(total, staff, scheme=dataclasses.replace(WHOLE_POOL, split=SPLIT_EQUAL))

    # then both rules give the same kopecks to the same people
    mine, today = calculate(by_presence), calculate(equal)
    assert [line.equal_share for line in mine.staff] == [line.equal_share for line in today.staff]
    assert mine.leftover_kopecks == today.leftover_kopecks
    # the top-level equal share is a fully present member's: today's when all are present
    if days == of or not presence:
        assert mine.equal_share == today.equal_share
