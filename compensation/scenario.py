"""Scenario JSON (SPEC section 4) to engine input, and engine result to JSON.

Pure Python like the engine: the ``bonus_preview`` command and the tests use it.
"""

from __future__ import annotations

import datetime as dt
import itertools
import json
import re
from collections.abc import Callable, Mapping
from decimal import Decimal, InvalidOperation
from fractions import Fraction
from typing import Any

from compensation.engine import (
    BonusInput,
    BonusInputError,
    BonusResult,
    Milestone,
    Payment,
    Presence,
    Scheme,
)
from compensation.gates import GateDay, needs_calendar, resolve_scheme
from core.calendar import CALENDAR_DAY, DAY_RULES
from core.numbers import has_foreign_digits

# The company calendar's days of a month (``core.calendar.month_exceptions``).
Calendar = Callable[[dt.date], Mapping[dt.date, bool]]

DEFAULT_MILESTONES = (
    {"day": 15, "share_of_plan": "0.50", "fraction": "1/3"},
    {"day": 25, "share_of_plan": "0.90", "fraction": "1/3"},
)
MAX_EXPONENT = 30
_MONTH = re.compile(r"^([0-9]{4})-([0-9]{2})$")  # ASCII digits: \d matches any script's


def parse_decimal(value: Any, field: str) -> Decimal:
    """A decimal from a JSON string or number; floats never reach here (see ``loads``)."""
    if isinstance(value, bool) or not isinstance(value, str | int | Decimal):
        raise BonusInputError(field, "must be a decimal number written as a string")
    if isinstance(value, str) and has_foreign_digits(value):
        raise BonusInputError(field, "is not a decimal number")
    try:
        number = Decimal(value.strip() if isinstance(value, str) else value)
    except InvalidOperation:
        raise BonusInputError(field, "is not a decimal number") from None
    if not number.is_finite():
        raise BonusInputError(field, "is not a finite number")
    # Bound the exponent: "1e-99999999" would otherwise make exact arithmetic crawl.
    if number and not -MAX_EXPONENT <= number.adjusted() <= MAX_EXPONENT:
        raise BonusInputError(field, "is out of range")
    return number


def parse_ratio(value: Any, field: str) -> Fraction:
    """An exact ratio: a decimal (``"0.005"``) or a fraction (``"1/3"``)."""
    if isinstance(value, str) and "/" in value:
        numerator, _, denominator = value.partition("/")
        top = parse_decimal(numerator, field)
        bottom = parse_decimal(denominator, field)
        if bottom == 0:
            raise BonusInputError(field, "division by zero")
        return Fraction(top) / Fraction(bottom)
    return Fraction(parse_decimal(value, field))


def _parse_date(value: Any, field: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except (TypeError, ValueError):
        raise BonusInputError(field, f"{value!r} is not a date (YYYY-MM-DD)") from None


def _require(mapping: Any, key: str, field: str) -> Any:
    if not isinstance(mapping, dict):
        raise BonusInputError(field, "must be an object")
    if key not in mapping:
        raise BonusInputError(f"{field}.{key}".lstrip("."), "is required")
    return mapping[key]


def _amounts(raw: Any, field: str) -> dict[str, Decimal]:
    if raw is None:
        return {}
    if not isinstance(raw, dict):
        raise BonusInputError(field, "must be an object of name to amount")
    return {str(name): parse_decimal(amount, f"{field}.{name}") for name, amount in raw.items()}


def parse_scheme(raw: Any, prefix: str = "scheme") -> Scheme:
    milestones_raw = raw.get("milestones", DEFAULT_MILESTONES) if isinstance(raw, dict) else ()
    if not isinstance(milestones_raw, list | tuple):
        raise BonusInputError(f"{prefix}.milestones", "must be a list")
    milestones = []
    for index, item in enumerate(milestones_raw):
        where = f"{prefix}.milestones[{index}]"
        day = _require(item, "day", where)
        if isinstance(day, bool) or not isinstance(day, int):
            raise BonusInputError(f"{where}.day", "must be a whole number")
        milestones.append(
            Milestone(
                day=day,
                share_of_plan=parse_ratio(
                    _require(item, "share_of_plan", where), f"{where}.share_of_plan"
                ),
                fraction=parse_ratio(_require(item, "fraction", where), f"{where}.fraction"),
            )
        )
    return Scheme(
        plan=parse_decimal(_require(raw, "plan", prefix), f"{prefix}.plan"),
        threshold=parse_decimal(_require(raw, "threshold", prefix), f"{prefix}.threshold"),
        rate=parse_ratio(_require(raw, "rate", prefix), f"{prefix}.rate"),
        head_share=parse_ratio(_require(raw, "head_share", prefix), f"{prefix}.head_share"),
        milestones=tuple(milestones),
        split=_split(raw, prefix),
    )


def _split(raw: Any, prefix: str) -> str:
    split = raw.get("split", "equal") if isinstance(raw, dict) else "equal"
    if not isinstance(split, str):
        raise BonusInputError(f"{prefix}.split", "must be a string")
    return split


def _presence(raw: Any) -> dict[str, Presence]:
    """``{"Olya": {"days": 10, "of": 22}}``; the engine checks the numbers."""
    if raw is None:
        return {}
    if not isinstance(raw, dict):
        raise BonusInputError("presence", "must be an object of name to {days, of}")
    presence = {}
    for name, item in raw.items():
        where = f"presence.{name}"
        days, of = _require(item, "days", where), _require(item, "of", where)
        for key, value in (("days", days), ("of", of)):
            if isinstance(value, bool) or not isinstance(value, int):
                raise BonusInputError(f"{where}.{key}", "must be a whole number")
        presence[str(name)] = Presence(days=days, of=of)
    return presence


def gate_days(raw: Any, prefix: str = "scheme") -> list[GateDay]:
    """Each milestone's ``(day, day_rule)``; ``day_rule`` is optional (the calendar day).

    Read after :func:`parse_scheme`, which has checked the days.
    """
    gates = []
    for index, item in enumerate(raw.get("milestones", DEFAULT_MILESTONES)):
        rule = item.get("day_rule", CALENDAR_DAY)
        if rule not in DAY_RULES:
            where = f"{prefix}.milestones[{index}].day_rule"
            raise BonusInputError(where, "is not a rule for a day off")
        gates.append((item["day"], rule))
    return gates


def _resolved(scheme: Scheme, raw: Any, month: dt.date, calendar: Calendar | None) -> Scheme:
    """The scheme with its gates on their days in ``month`` (``compensation.gates``)."""
    gates = gate_days(raw)
    if not needs_calendar(gates):
        return scheme
    if calendar is None:
        raise BonusInputError("scheme.milestones", "a day rule needs the company calendar")
    days = [day for day, _rule in gates]
    if any(later <= earlier for earlier, later in itertools.pairwise(days)):
        return scheme  # refused by the engine, naming the day
    return resolve_scheme(scheme, gates, month, calendar(month))


def parse_scenario(raw: Any, calendar: Calendar | None = None) -> BonusInput:
    """Turn a decoded scenario JSON into engine input, naming the field on error.

    ``calendar``: the company calendar's days of a month, for gates that move off a
    day off (``day_rule``); a scenario with such a gate needs it.
    """
    scheme = parse_scheme(_require(raw, "scheme", ""))
    month = _require(raw, "month", "")
    match = _MONTH.match(month) if isinstance(month, str) else None
    if not match:
        raise BonusInputError("month", f"{month!r} is not a month (YYYY-MM)")
    if 1 <= int(match.group(2)) <= 12 and int(match.group(1)) >= 1:
        first = dt.date(int(match.group(1)), int(match.group(2)), 1)
        scheme = _resolved(scheme, raw["scheme"], first, calendar)
    payments_raw = raw.get("payments", [])
    if not isinstance(payments_raw, list):
        raise BonusInputError("payments", "must be a list")
    payments = tuple(
        Payment(
            date=_parse_date(_require(item, "date", f"payments[{i}]"), f"payments[{i}].date"),
            amount=parse_decimal(
                _require(item, "amount", f"payments[{i}]"), f"payments[{i}].amount"
            ),
        )
        for i, item in enumerate(payments_raw)
    )
    staff = _require(raw, "staff", "")
    if not isinstance(staff, list) or not all(isinstance(name, str) for name in staff):
        raise BonusInputError("staff", "must be a list of names")
    head_base = raw.get("head_base_salary")
    return BonusInput(
        scheme=scheme,
        year=int(match.group(1)),
        month=int(match.group(2)),
        payments=payments,
        staff=tuple(staff),
        awards=_amounts(raw.get("awards"), "awards"),
        deductions=_amounts(raw.get("deductions"), "deductions"),
        base_salaries=_amounts(raw.get("base_salaries"), "base_salaries"),
        head_base_salary=None
        if head_base is None
        else parse_decimal(head_base, "head_base_salary"),
        presence=_presence(raw.get("presence")),
    )


def loads(text: str, calendar: Calendar | None = None) -> BonusInput:
    """Parse scenario JSON text; numbers are read as exact decimals, never floats."""
    try:
        raw = json.loads(text, parse_float=Decimal)
    except json.JSONDecodeError as error:
        raise BonusInputError(
            "scenario", f"not valid JSON (line {error.lineno}, column {error.colno})"
        ) from None
    if not isinstance(raw, dict):
        raise BonusInputError("scenario", "must be a JSON object")
    return parse_scenario(raw, calendar)


def _money(value: Decimal) -> str:
    return f"{value:.2f}"


def _ratio(value: Fraction) -> str:
    return str(value)


def result_to_json(result: BonusResult) -> dict[str, Any]:
    """The SPEC section 4 output: amounts as strings with exactly two decimals."""
    out: dict[str, Any] = {
        "collected": _money(result.collected),
        "excess": _money(result.excess),
        "pool": _money(result.pool),
        "milestones": [
            {
                "day": m.day,
                "date": m.date.isoformat(),
                "share_of_plan": _ratio(m.share_of_plan),
                "fraction": _ratio(m.fraction),
                "required": _money(m.required),
                "collected": _money(m.collected),
                "met": m.met,
                "amount": _money(m.amount),
                "earned": _money(m.earned),
            }
            for m in result.milestones
        ],
        "final_fraction": _ratio(result.final_fraction),
        "final_tranche": _money(result.final_tranche),
        "earned": _money(result.earned),
        "forfeited": _money(result.forfeited),
        "head": _money(result.head),
        "staff_pool": _money(result.staff_pool),
        "remainder": _money(result.remainder),
        "equal_share": _money(result.equal_share),
        "split": result.split,
        "staff": {},
    }
    for line in result.staff:
        entry = {
            "equal_share": _money(line.equal_share),
            "award": _money(line.award),
            "deduction": _money(line.deduction),
            "bonus": _money(line.bonus),
        }
        if line.presence is not None:
            entry["presence"] = {"days": line.presence.days, "of": line.presence.of}
        if line.pay is not None:
            entry["base_salary"] = _money(line.base_salary)
            entry["pay"] = _money(line.pay)
        out["staff"][line.name] = entry
    if result.head_pay is not None:
        out["head_base_salary"] = _money(result.head_base_salary)
        out["head_pay"] = _money(result.head_pay)
    return out
