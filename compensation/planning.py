"""A year of plans at once: the twelve months as the grid shows them (reads only).

Each month's plan and threshold, last year's beside them, and whether the month can
still change: a month whose period is closed, approved or paid is shown, never changed.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from accounts.models import Department
from compensation import lifecycle
from compensation.models import BonusPeriod, MonthlyScheme
from core.calendar import exceptions_between, month_bounds
from core.money import round_half_up
from core.months import next_month

MONTHS = 12


@dataclass(frozen=True)
class PlanMonth:
    month: dt.date
    scheme: MonthlyScheme | None  # the month's own scheme, if it has one
    last_year: MonthlyScheme | None  # the same month a year before
    state: str | None  # the period's state; None without a period (open)
    gate_dates: tuple[dt.date, ...] = ()  # the days its scheme's gates fall on this month

    @property
    def frozen(self) -> bool:
        """The month's scheme is frozen: its period is closed, approved or paid."""
        return self.state is not None and not lifecycle.takes_payments(self.state)


def year_months(first: dt.date) -> list[dt.date]:
    months = [first.replace(day=1)]
    while len(months) < MONTHS:
        months.append(next_month(months[-1]))
    return months


def year_ago(month: dt.date) -> dt.date:
    return month.replace(year=month.year - 1)


def year_plans(department: Department, first: dt.date) -> list[PlanMonth]:
    """The twelve months from ``first`` with last year's schemes beside them, and the days
    each month's gates fall on (four queries)."""
    months = year_months(first)
    schemes = {
        scheme.month: scheme
        for scheme in MonthlyScheme.objects.filter(
            department=department, month__gte=year_ago(months[0]), month__lte=months[-1]
        ).prefetch_related("milestones")
    }
    calendar = exceptions_between(months[0], month_bounds(months[-1])[1])
    states = dict(
        BonusPeriod.objects.filter(
            department=department, month__gte=months[0], month__lte=months[-1]
        ).values_list("month", "state")
    )
    return [
        PlanMonth(
            month,
            schemes.get(month),
            schemes.get(year_ago(month)),
            states.get(month),
            _gate_dates(schemes.get(month), calendar),
        )
        for month in months
    ]


def _gate_dates(scheme: MonthlyScheme | None, calendar: dict[dt.date, bool]) -> tuple:
    if scheme is None:
        return ()
    last = month_bounds(scheme.month)[1]
    days = [gate.day for gate in scheme.to_engine(calendar=calendar).milestones]
    return tuple(last.replace(day=min(day, last.day)) for day in days)


def grown_by(amount: Decimal, percent: Decimal) -> Decimal:
    """``amount`` changed by ``percent`` (10 → +10 %), exact, then to the kopeck."""
    return round_half_up(amount * (Decimal(100) + percent) / Decimal(100))
