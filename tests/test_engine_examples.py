"""The bonus engine against the worked examples and the rules of SPEC section 3."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from collections.abc import Callable
from decimal import Decimal
from fractions import Fraction
from pathlib import Path
from typing import Any

import pytest

from compensation.engine import (
    BonusInput,
    BonusInputError,
    BonusResult,
    Milestone,
    Payment,
    Scheme,
    calculate,
    split_largest_remainder,
)
from compensation.scenario import loads, parse_ratio, result_to_json

EXAMPLES = Path(__file__).parent / "examples"
SCENARIOS = sorted(
    path
    for path in EXAMPLES.glob("*.json")
    if not path.name.endswith(".expected.json") and not path.name.startswith("invalid-")
)
INVALID_SCENARIOS = sorted(EXAMPLES.glob("invalid-*.json"))
# The field each invalid example must be rejected for.
INVALID_FIELDS = {
    "invalid-deduction-too-large": "deductions.Vasya",
}

THIRD = Fraction(1, 3)
DEFAULT_MILESTONES = (
    Milestone(day=15, share_of_plan=Fraction(1, 2), fraction=THIRD),
    Milestone(day=25, share_of_plan=Fraction(9, 10), fraction=THIRD),
)
SEED_SCHEME = Scheme(
    plan=Decimal("50000000.00"),
    threshold=Decimal("40000000.00"),
    rate=Fraction(1, 200),
    head_share=Fraction(2, 5),
    milestones=DEFAULT_MILESTONES,
)
# A scheme where the whole collected amount is the pool, to reason in kopecks.
WHOLE_POOL_SCHEME = Scheme(
    plan=Decimal("100.00"),
    threshold=Decimal("0.00"),
    rate=Fraction(1),
    head_share=Fraction(0),
)


# --- helpers -------------------------------------------------------------------------


def expected_path(scenario: Path) -> Path:
    return scenario.with_name(scenario.name.removesuffix(".json") + ".expected.json")


def assert_matches(expected: Any, actual: Any, where: str = "$") -> None:
    """Every key of ``expected`` is in ``actual`` with the same value; lists match fully."""
    if isinstance(expected, dict):
        assert isinstance(actual, dict), f"{where}: expected an object, got {actual!r}"
        for key, value in expected.items():
            assert key in actual, f"{where}.{key}: missing"
            assert_matches(value, actual[key], f"{where}.{key}")
    elif isinstance(expected, list):
        assert isinstance(actual, list), f"{where}: expected a list, got {actual!r}"
        assert len(actual) == len(expected), f"{where}: {len(actual)} items, not {len(expected)}"
        for index, (want, got) in enumerate(zip(expected, actual, strict=True)):
            assert_matches(want, got, f"{where}[{index}]")
    else:
        assert type(actual) is type(expected), f"{where}: {actual!r} is not like {expected!r}"
        assert actual == expected, f"{where}: {actual!r} != {expected!r}"


def money(text: str) -> Decimal:
    return Decimal(text)


def seed_input(**changes: Any) -> BonusInput:
    """The section 2 department at 55 M with the book's award and deduction."""
    base = BonusInput(
        scheme=SEED_SCHEME,
        year=2026,
        month=10,
        payments=(
            Payment(dt.date(2026, 10, 5), money("20000000.00")),
            Payment(dt.date(2026, 10, 14), money("6000000.00")),
            Payment(dt.date(2026, 10, 24), money("20000000.00")),
            Payment(dt.date(2026, 10, 30), money("9000000.00")),
        ),
        staff=("Masha", "Vasya", "Olya"),
        awards={"Masha": money("15000.00")},
        deductions={"Vasya": money("6000.00")},
    )
    return dataclasses.replace(base, **changes)


def with_scheme(**changes: Any) -> BonusInput:
    return seed_input(scheme=dataclasses.replace(SEED_SCHEME, **changes))


def whole_pool_input(amount: str, staff: tuple[str, ...], **changes: Any) -> BonusInput:
    """One payment whose whole amount becomes the bonus pool, with no head share."""
    base = BonusInput(
        scheme=WHOLE_POOL_SCHEME,
        year=2026,
        month=10,
        payments=(Payment(dt.date(2026, 10, 1), money(amount)),),
        staff=staff,
    )
    return dataclasses.replace(base, **changes)


def bonuses(result: BonusResult) -> dict[str, Decimal]:
    return {line.name: line.bonus for line in result.staff}


# --- the worked examples -------------------------------------------------------------


def test_it_has_examples_with_expected_outputs_and_invalid_examples() -> None:
    assert SCENARIOS, "no example scenarios found"
    assert INVALID_SCENARIOS, "no invalid example scenarios found"
    for scenario in SCENARIOS:
        assert expected_path(scenario).exists(), f"{scenario.name} has no expected output"


@pytest.mark.parametrize("scenario", SCENARIOS, ids=lambda path: path.stem)
def test_it_reproduces_every_expected_example_output(scenario: Path) -> None:
    # given a scenario and its expected output
    expected = json.loads(expected_path(scenario).read_text("utf-8"))

    # when it is calculated and rendered as in SPEC section 4
    actual = result_to_json(calculate(loads(scenario.read_text("utf-8"))))

    # then every expected key has exactly the expected value
    assert_matches(expected, actual)


@pytest.mark.parametrize("scenario", INVALID_SCENARIOS, ids=lambda path: path.stem)
def test_it_rejects_every_invalid_example_naming_the_field(scenario: Path) -> None:
    field = INVALID_FIELDS.get(scenario.stem)
    assert field, f"add the expected field of {scenario.name} to INVALID_FIELDS"

    with pytest.raises(BonusInputError) as caught:
        calculate(loads(scenario.read_text("utf-8")))

    assert caught.value.field == field
    assert field in str(caught.value)


def test_it_splits_the_book_example_at_55m() -> None:
    result = calculate(seed_input())

    assert result.pool == money("75000.00")
    assert result.earned == money("75000.00")
    assert result.head == money("30000.00")
    assert result.staff_pool == money("45000.00")
    assert result.equal_share == money("12000.00")
    assert bonuses(result) == {
        "Masha": money("27000.00"),
        "Vasya": money("6000.00"),
        "Olya": money("12000.00"),
    }


# --- exact ratios and splits ---------------------------------------------------------


def test_it_parses_one_third_exactly() -> None:
    assert parse_ratio("1/3", "rate") == Fraction(1, 3)
    assert parse_ratio("0.005", "rate") == Fraction(1, 200)
    assert parse_ratio(" 2 / 3 ", "rate") == Fraction(2, 3)


def test_it_keeps_one_third_exact_through_the_scenario_parser() -> None:
    data = loads((EXAMPLES / "seed-55m.json").read_text("utf-8"))

    assert [m.fraction for m in data.scheme.milestones] == [THIRD, THIRD]
    assert calculate(data).final_fraction == THIRD


def test_it_rejects_a_fraction_with_a_zero_denominator() -> None:
    with pytest.raises(BonusInputError) as caught:
        parse_ratio("1/0", "scheme.rate")

    assert caught.value.field == "scheme.rate"


@pytest.mark.parametrize(
    ("total", "weights", "parts"),
    [
        (1, [THIRD, THIRD, THIRD], [1, 0, 0]),
        (2, [THIRD, THIRD, THIRD], [1, 1, 0]),
        (2500000, [THIRD, THIRD, THIRD], [833334, 833333, 833333]),
        (5000000, [THIRD, THIRD, THIRD], [1666667, 1666667, 1666666]),
        (1, [Fraction(1, 2), Fraction(1, 2)], [1, 0]),
        # the largest remainder wins over the earlier part: 5/6, 1/2, 2/3
        (5, [Fraction(1, 6), Fraction(1, 2), THIRD], [1, 2, 2]),
        (0, [THIRD, THIRD, THIRD], [0, 0, 0]),
    ],
)
def test_it_splits_by_largest_remainder_with_ties_to_the_earlier_part(
    total: int, weights: list[Fraction], parts: list[int]
) -> None:
    assert split_largest_remainder(total, weights) == parts
    assert sum(parts) == total


def test_it_gives_the_tie_kopeck_to_the_earliest_tranche() -> None:
    # given a pool of one kopeck split in thirds
    data = whole_pool_input(
        "0.01",
        ("Masha",),
        scheme=dataclasses.replace(WHOLE_POOL_SCHEME, milestones=DEFAULT_MILESTONES),
        payments=(Payment(dt.date(2026, 10, 31), money("0.01")),),
    )

    result = calculate(data)

    # then the first tranche carries it, and nothing is earned because that gate failed
    assert [m.amount for m in result.milestones] == [money("0.01"), money("0.00")]
    assert result.final_tranche == money("0.00")
    assert result.earned == money("0.00")
    assert result.forfeited == money("0.01")


def test_it_rounds_the_pool_half_up_to_the_kopeck() -> None:
    # 0.05 collected above threshold at a rate of 1/10 is 0.005: half a kopeck rounds up
    data = whole_pool_input("0.05", ("Masha",))
    data = dataclasses.replace(data, scheme=dataclasses.replace(data.scheme, rate=Fraction(1, 10)))

    assert calculate(data).pool == money("0.01")


def test_it_rounds_the_head_share_half_up() -> None:
    # earned 0.01 with a half share: half a kopeck goes to the head
    data = whole_pool_input("0.01", ("Masha",))
    data = dataclasses.replace(
        data, scheme=dataclasses.replace(data.scheme, head_share=Fraction(1, 2))
    )

    result = calculate(data)

    assert result.head == money("0.01")
    assert result.staff_pool == money("0.00")


def test_it_pays_nothing_at_or_below_the_threshold() -> None:
    payments = (Payment(dt.date(2026, 10, 1), money("39000000.00")),)

    result = calculate(seed_input(payments=payments, awards={}, deductions={}))

    assert result.pool == money("0.00")
    assert result.earned == money("0.00")
    assert set(bonuses(result).values()) == {money("0.00")}


# --- milestone dates -----------------------------------------------------------------


def test_it_reads_day_31_in_a_30_day_month_as_the_30th() -> None:
    # given a gate on the 31st in November and a payment on November 30th
    scheme = dataclasses.replace(
        WHOLE_POOL_SCHEME,
        milestones=(Milestone(day=31, share_of_plan=Fraction(1), fraction=Fraction(1, 2)),),
    )
    data = whole_pool_input(
        "100.00",
        ("Masha",),
        scheme=scheme,
        month=11,
        payments=(Payment(dt.date(2026, 11, 30), money("100.00")),),
    )

    result = calculate(data)

    # then the gate falls on the 30th and is met
    (milestone,) = result.milestones
    assert milestone.date == dt.date(2026, 11, 30)
    assert milestone.met
    assert result.earned == money("100.00")


def test_it_reads_day_30_in_february_as_its_last_day() -> None:
    scheme = dataclasses.replace(
        WHOLE_POOL_SCHEME,
        milestones=(Milestone(day=30, share_of_plan=Fraction(1), fraction=Fraction(1, 2)),),
    )
    data = whole_pool_input(
        "100.00",
        ("Masha",),
        scheme=scheme,
        year=2028,
        month=2,
        payments=(Payment(dt.date(2028, 2, 29), money("100.00")),),
    )

    (milestone,) = calculate(data).milestones

    assert milestone.date == dt.date(2028, 2, 29)
    assert milestone.met


@pytest.mark.parametrize(
    ("payment_day", "met"),
    [(14, True), (15, True), (16, False)],
)
def test_it_counts_a_payment_on_the_milestone_day_itself(payment_day: int, met: bool) -> None:
    # given exactly the required 25 M by the 15th, paid on a given day
    payments = (
        Payment(dt.date(2026, 10, payment_day), money("25000000.00")),
        Payment(dt.date(2026, 10, 20), money("20000000.00")),
    )

    result = calculate(seed_input(payments=payments, awards={}, deductions={}))

    first = result.milestones[0]
    assert first.required == money("25000000.00")
    assert first.met is met
    assert first.earned == (first.amount if met else money("0.00"))


def test_it_rounds_the_required_amount_half_up() -> None:
    # plan 0.03 at half: 0.015 rounds up to 0.02, so 0.01 is not enough
    scheme = dataclasses.replace(
        WHOLE_POOL_SCHEME,
        plan=money("0.03"),
        milestones=(Milestone(day=10, share_of_plan=Fraction(1, 2), fraction=Fraction(1, 2)),),
    )
    data = whole_pool_input("0.01", ("Masha",), scheme=scheme)

    (milestone,) = calculate(data).milestones

    assert milestone.required == money("0.02")
    assert not milestone.met


# --- the staff split -----------------------------------------------------------------


def test_it_gives_leftover_kopecks_to_the_first_staff_in_order() -> None:
    # given 1.00 to split among three, listed not in alphabetical order
    result = calculate(whole_pool_input("1.00", ("Zoya", "Anna", "Boris")))

    assert result.equal_share == money("0.33")
    assert result.leftover_kopecks == 1
    assert bonuses(result) == {
        "Zoya": money("0.34"),
        "Anna": money("0.33"),
        "Boris": money("0.33"),
    }


def test_it_gives_two_leftover_kopecks_to_the_first_two() -> None:
    result = calculate(whole_pool_input("0.02", ("Zoya", "Anna", "Boris")))

    assert result.equal_share == money("0.00")
    assert [line.equal_share for line in result.staff] == [
        money("0.01"),
        money("0.01"),
        money("0.00"),
    ]


def test_it_adds_deductions_back_to_the_equal_split() -> None:
    # 45,000 - 15,000 + 6,000 = 36,000 over three
    result = calculate(seed_input())

    assert result.awards_total == money("15000.00")
    assert result.deductions_total == money("6000.00")
    assert result.remainder == money("36000.00")


def test_it_adds_base_salaries_to_give_pay() -> None:
    # given base salaries for two of the three staff and for the head
    data = seed_input(
        base_salaries={"Masha": money("25000.00"), "Vasya": money("25000.00")},
        head_base_salary=money("50000.00"),
    )

    result = calculate(data)

    # then pay is base plus bonus, and the head's is base plus the head share
    assert result.line("Masha").pay == money("52000.00")
    assert result.line("Vasya").pay == money("31000.00")
    assert result.line("Olya").pay is None
    assert result.head_pay == money("80000.00")
    rendered = result_to_json(result)
    assert rendered["staff"]["Masha"]["pay"] == "52000.00"
    assert "pay" not in rendered["staff"]["Olya"]
    assert rendered["head_pay"] == "80000.00"


def test_it_has_no_pay_without_base_salaries() -> None:
    result = calculate(seed_input())

    assert result.head_pay is None
    assert all(line.pay is None for line in result.staff)
    assert "head_pay" not in result_to_json(result)


def test_it_returns_money_as_two_place_decimals() -> None:
    result = calculate(whole_pool_input("1", ("Masha", "Vasya", "Olya")))

    amounts = [result.collected, result.pool, result.earned, result.head, result.staff_pool]
    amounts += [line.bonus for line in result.staff]
    for amount in amounts:
        assert isinstance(amount, Decimal)
        assert amount.as_tuple().exponent == -2


# --- validation ----------------------------------------------------------------------


def _milestones(*days: int, fraction: Fraction = THIRD) -> tuple[Milestone, ...]:
    return tuple(
        Milestone(day=day, share_of_plan=Fraction(1, 2), fraction=fraction) for day in days
    )


def _payment(date: dt.date, amount: str = "100.00") -> tuple[Payment, ...]:
    return (Payment(date, money(amount)),)


INVALID_INPUTS: list[tuple[str, Callable[[], BonusInput], str]] = [
    ("plan zero", lambda: with_scheme(plan=money("0.00")), "scheme.plan"),
    ("plan negative", lambda: with_scheme(plan=money("-1.00")), "scheme.plan"),
    ("plan with 3 decimals", lambda: with_scheme(plan=money("1.001")), "scheme.plan"),
    ("threshold negative", lambda: with_scheme(threshold=money("-0.01")), "scheme.threshold"),
    ("rate above 1", lambda: with_scheme(rate=Fraction(101, 100)), "scheme.rate"),
    ("rate negative", lambda: with_scheme(rate=Fraction(-1, 200)), "scheme.rate"),
    ("head share above 1", lambda: with_scheme(head_share=Fraction(3, 2)), "scheme.head_share"),
    ("head share negative", lambda: with_scheme(head_share=Fraction(-1)), "scheme.head_share"),
    (
        "days equal",
        lambda: with_scheme(milestones=_milestones(15, 15)),
        "scheme.milestones[1].day",
    ),
    (
        "days decreasing",
        lambda: with_scheme(milestones=_milestones(25, 15)),
        "scheme.milestones[1].day",
    ),
    ("day 0", lambda: with_scheme(milestones=_milestones(0)), "scheme.milestones[0].day"),
    ("day 32", lambda: with_scheme(milestones=_milestones(15, 32)), "scheme.milestones[1].day"),
    (
        "fractions sum above 1",
        lambda: with_scheme(milestones=_milestones(10, 20, fraction=Fraction(2, 3))),
        "scheme.milestones",
    ),
    (
        "fraction negative",
        lambda: with_scheme(milestones=_milestones(10, fraction=Fraction(-1, 3))),
        "scheme.milestones[0].fraction",
    ),
    (
        "share of plan negative",
        lambda: with_scheme(milestones=(Milestone(10, Fraction(-1, 2), THIRD),)),
        "scheme.milestones[0].share_of_plan",
    ),
    (
        "share of plan beyond any amount",
        lambda: with_scheme(milestones=(Milestone(10, Fraction(10**30), THIRD),)),
        "scheme.milestones[0].share_of_plan",
    ),
    (
        "amount with 3 decimals",
        lambda: seed_input(payments=_payment(dt.date(2026, 10, 1), "100.005")),
        "payments[0].amount",
    ),
    (
        "amount zero",
        lambda: seed_input(payments=_payment(dt.date(2026, 10, 1), "0.00")),
        "payments[0].amount",
    ),
    (
        "amount negative",
        lambda: seed_input(payments=_payment(dt.date(2026, 10, 1), "-5.00")),
        "payments[0].amount",
    ),
    (
        "payment after the month",
        lambda: seed_input(payments=_payment(dt.date(2026, 11, 1))),
        "payments[0].date",
    ),
    (
        "payment before the month",
        lambda: seed_input(payments=_payment(dt.date(2026, 9, 30))),
        "payments[0].date",
    ),
    ("month 13", lambda: seed_input(month=13), "month"),
    ("no staff", lambda: seed_input(staff=(), awards={}, deductions={}), "staff"),
    ("duplicate staff", lambda: seed_input(staff=("Masha", "Masha")), "staff"),
    (
        "award for a non-staff name",
        lambda: seed_input(awards={"Petya": money("1.00")}),
        "awards.Petya",
    ),
    (
        "deduction for a non-staff name",
        lambda: seed_input(deductions={"Petya": money("1.00")}),
        "deductions.Petya",
    ),
    (
        "negative deduction",
        lambda: seed_input(deductions={"Vasya": money("-1.00")}),
        "deductions.Vasya",
    ),
    ("negative award", lambda: seed_input(awards={"Masha": money("-1.00")}), "awards.Masha"),
    (
        "award with 3 decimals",
        lambda: seed_input(awards={"Masha": money("1.005")}),
        "awards.Masha",
    ),
    (
        "awards exceeding the staff pool",
        lambda: seed_input(awards={"Masha": money("51000.01")}),
        "awards",
    ),
    (
        "deduction exceeding the bonus",
        lambda: seed_input(deductions={"Vasya": money("15000.01")}),
        "deductions.Vasya",
    ),
    (
        "base salary for a non-staff name",
        lambda: seed_input(base_salaries={"Petya": money("1.00")}),
        "base_salaries.Petya",
    ),
    (
        "negative head base salary",
        lambda: seed_input(head_base_salary=money("-1.00")),
        "head_base_salary",
    ),
]


@pytest.mark.parametrize(
    ("build", "field"),
    [pytest.param(build, field, id=name) for name, build, field in INVALID_INPUTS],
)
def test_it_rejects_invalid_input_naming_the_field(
    build: Callable[[], BonusInput], field: str
) -> None:
    with pytest.raises(BonusInputError) as caught:
        calculate(build())

    assert caught.value.field == field
    assert str(caught.value).startswith(f"{field}: ")
    assert caught.value.message


def test_it_accepts_the_boundaries_of_every_rule() -> None:
    # given every bound at its edge: zero threshold, rate and head share of 1, days 1
    # and 31, fractions adding up to exactly 1, and the month's first and last day
    scheme = Scheme(
        plan=money("0.01"),
        threshold=money("0.00"),
        rate=Fraction(1),
        head_share=Fraction(1),
        milestones=(
            Milestone(day=1, share_of_plan=Fraction(0), fraction=Fraction(1, 2)),
            Milestone(day=31, share_of_plan=Fraction(1), fraction=Fraction(1, 2)),
        ),
    )
    data = BonusInput(
        scheme=scheme,
        year=2026,
        month=10,
        payments=(
            Payment(dt.date(2026, 10, 1), money("0.01")),
            Payment(dt.date(2026, 10, 31), money("999999999999.99")),
        ),
        staff=("Masha",),
        awards={"Masha": money("0.00")},
        deductions={"Masha": money("0.00")},
    )

    result = calculate(data)

    # then the final tranche is empty and the head takes everything
    assert result.final_fraction == 0
    assert result.final_tranche == money("0.00")
    assert result.earned == result.pool == money("1000000000000.00")
    assert result.head == result.earned
    assert result.line("Masha").bonus == money("0.00")


def test_it_accepts_a_deduction_up_to_the_bonus_and_awards_up_to_the_pool() -> None:
    # (45,000 - 15,000 + 15,000) / 3 = 15,000, all of which Vasya loses
    vasya_to_zero = calculate(seed_input(deductions={"Vasya": money("15000.00")}))
    # 45,000 - 45,000 = 0 left to split
    pool_to_zero = calculate(seed_input(awards={"Masha": money("45000.00")}, deductions={}))

    assert vasya_to_zero.line("Vasya").bonus == money("0.00")
    assert pool_to_zero.remainder == money("0.00")
    assert bonuses(pool_to_zero) == {
        "Masha": money("45000.00"),
        "Vasya": money("0.00"),
        "Olya": money("0.00"),
    }


def test_it_accepts_a_rate_and_head_share_of_zero() -> None:
    data = with_scheme(rate=Fraction(0), head_share=Fraction(0))

    result = calculate(dataclasses.replace(data, awards={}, deductions={}))

    assert result.pool == money("0.00")
    assert result.head == money("0.00")


def test_it_rejects_a_bad_scenario_field_while_parsing() -> None:
    text = (EXAMPLES / "seed-55m.json").read_text("utf-8").replace('"0.005"', '"lots"')

    with pytest.raises(BonusInputError) as caught:
        loads(text)

    assert caught.value.field == "scheme.rate"


@pytest.mark.parametrize(
    ("text", "field"),
    [
        ("not json", "scenario"),
        ("[]", "scenario"),
        ("{}", "scheme"),
        ('{"scheme": {}}', "scheme.plan"),
    ],
)
def test_it_rejects_malformed_scenarios_naming_the_field(text: str, field: str) -> None:
    with pytest.raises(BonusInputError) as caught:
        loads(text)

    assert caught.value.field == field
