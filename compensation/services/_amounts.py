"""Awards and deductions as typed into a form, checked by the engine on frozen data."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from compensation.engine import BonusInputError, BonusResult, calculate
from compensation.engine_messages import engine_message
from compensation.models import BonusPeriod
from compensation.scenario import parse_decimal
from compensation.selectors import frozen_input, period_members, staff_key
from core import money

# award and deduction per employee id
Amounts = Mapping[int, tuple[Decimal, Decimal]]
# names the form field of ("award" | "deduction", employee id)
FieldName = Callable[[str, int], str]


def parse_amount(value: Any, field: str, errors: dict[str, list[str]]) -> Decimal:
    """A non-negative amount in kopecks; blank means zero. Problems go into ``errors``."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return Decimal("0.00")
    try:
        if isinstance(value, str):
            return money.parse_amount(value, allow_zero=True)
        return money.check_amount(parse_decimal(value, field), allow_zero=True)
    except BonusInputError:
        message = _("Enter an amount such as 15000.00.")
    except money.MoneyError as error:
        message = {
            "not_positive": _("The amount cannot be negative."),
            "decimals": _("Use at most two decimal places (kopecks)."),
        }.get(error.code, _("Enter an amount such as 15000.00."))
    errors.setdefault(field, []).append(message)
    return Decimal("0.00")


def check_with_engine(period: BonusPeriod, amounts: Amounts, field_name: FieldName) -> BonusResult:
    """Run the engine on the frozen data with these amounts; refuse what it refuses.

    Awards beyond the staff pool and deductions beyond a person's share are the
    engine's rules (SPEC section 3, steps 6-7); here they become errors on the lines.
    """
    members = period_members(period)
    awards = {pk: award for pk, (award, _deduction) in amounts.items()}
    deductions = {pk: deduction for pk, (_award, deduction) in amounts.items()}
    try:
        return calculate(
            frozen_input(period, awards=awards, deductions=deductions, members=members)
        )
    except BonusInputError as error:
        by_key = {staff_key(m.employee): m.employee_id for m in members}
        raise _line_errors(period, error, amounts, by_key, field_name) from None


def _line_errors(
    period: BonusPeriod,
    error: BonusInputError,
    amounts: Amounts,
    by_key: dict[str, int],
    field_name: FieldName,
) -> ValidationError:
    """The engine's refusal, translated, on the field it concerns."""
    kind, _dot, key = error.field.partition(".")
    if kind == "awards" and not key:
        message = _awards_message(period, error)
        awarded = [pk for pk, (award, _deduction) in amounts.items() if award]
        return ValidationError({field_name("award", pk): message for pk in awarded})
    if kind == "deductions" and key in by_key:
        return ValidationError({field_name("deduction", by_key[key]): engine_message(error)})
    return ValidationError(engine_message(error))


def _awards_message(period: BonusPeriod, error: BonusInputError) -> str:
    staff_pool = calculate(frozen_input(period, awards={}, deductions={})).staff_pool
    if not staff_pool:
        return _(
            "The staff pool is 0.00 this month (collections stayed below the threshold "
            "or no tranche was earned), so no award can be given."
        )
    return engine_message(error)
