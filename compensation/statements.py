"""A person's statement of a month, beyond its own calculation: the corrections.

A month corrected after it was paid shows what was paid, what it should have been and
the difference paid with a later payroll; a month that pays corrections of earlier ones
shows each, what this month's bonus covers of it and what is carried on. Reads only.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from accounts.models import Employee
from compensation.models import BonusPeriod, Correction, PayLine, Revision


@dataclass(frozen=True)
class MonthCorrections:
    """One person's corrections of a month, and those paid in it."""

    paid: Decimal | None = None  # the bonus as paid, when the month was corrected since
    of_month: list[Correction] = field(default_factory=list)  # this month's differences
    paid_here: list[Correction] = field(default_factory=list)  # earlier months', paid now

    @property
    def corrected(self) -> Decimal | None:
        if self.paid is None:
            return None
        return self.paid + sum((c.amount for c in self.of_month), Decimal("0.00"))

    def __bool__(self) -> bool:
        return bool(self.of_month or self.paid_here)


def month_corrections(employee: Employee, month: dt.date) -> MonthCorrections:
    """``employee``'s corrections of ``month`` and those paid with its payroll."""
    rows = list(
        Correction.objects.filter(employee=employee)
        .filter(month=month, carried_from__isnull=True)
        .union(Correction.objects.filter(employee=employee, paid_in=month))
        .order_by("month", "id")
    )
    of_month = [c for c in rows if c.month == month and c.carried_from_id is None]
    paid = None
    if of_month:
        line = (
            PayLine.objects.filter(
                employee=employee,
                revision__period__month=month,
                revision__period__department_id=of_month[0].department_id,
                revision__paid_at__isnull=False,
            )
            .order_by("revision__number")
            .first()
        )
        paid = None if line is None else line.bonus
    return MonthCorrections(
        paid=paid, of_month=of_month, paid_here=[c for c in rows if c.paid_in == month]
    )


@dataclass(frozen=True)
class PaidDifference:
    """A paid month whose current figures differ from what was paid."""

    paid_revision: int
    paid_collected: Decimal
    collected: Decimal  # as the current revision counts it
    corrections: list[Correction]

    @property
    def total(self) -> Decimal:
        return sum((c.amount for c in self.corrections), Decimal("0.00"))


def paid_difference(period: BonusPeriod, revision: Revision) -> PaidDifference | None:
    """What differs from what was paid, while a paid month is corrected and after."""
    if revision.number == 1 or period.collected is None:
        return None
    paid = period.revisions.filter(paid_at__isnull=False).order_by("-number").first()
    if paid is None or paid.number == revision.number:
        return None
    corrections = list(
        Correction.objects.filter(
            department_id=period.department_id, month=period.month, carried_from__isnull=True
        ).select_related("employee", "revision")
    )
    return PaidDifference(
        paid_revision=paid.number,
        paid_collected=period.collected if paid.collected is None else paid.collected,
        collected=period.collected if revision.collected is None else revision.collected,
        corrections=corrections,
    )
