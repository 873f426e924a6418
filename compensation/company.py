"""The director's company views: every department's month and a department's year.

Reads at a fixed number of queries whatever the number of payments, departments or
months: collections come from the daily totals the database keeps (``DailyCollection``),
never from the payments themselves, and every bonus figure is the engine's.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Sum

from accounts.models import Department, Employee
from compensation import engine
from compensation.models import BonusPeriod, MonthlyScheme, PayLine, PeriodState
from payments.models import DailyCollection
from payments.selectors import month_bounds

ZERO = Decimal("0.00")
PERCENT = Decimal("0.1")
# The department's pool and the head's part do not depend on who the staff are; the
# engine's input rules want someone, so one placeholder stands in for them.
_PLACEHOLDER_STAFF = ("department",)


def shift(month: dt.date, by: int) -> dt.date:
    index = month.year * 12 + month.month - 1 + by
    return dt.date(index // 12, index % 12 + 1, 1)


def months_of_year(year: int) -> list[dt.date]:
    return [dt.date(year, number, 1) for number in range(1, 13)]


def daily_by_department(
    first: dt.date, last: dt.date, departments: Iterable[int] | None = None
) -> dict[int, dict[dt.date, Decimal]]:
    """Each department's collections by day from ``first`` to ``last`` (one query)."""
    rows = DailyCollection.objects.filter(day__range=(first, last), payment_count__gt=0)
    if departments is not None:
        rows = rows.filter(department_id__in=list(departments))
    by_department: dict[int, dict[dt.date, Decimal]] = defaultdict(dict)
    for department_id, day, amount in rows.values_list("department_id", "day", "amount"):
        by_department[department_id][day] = amount.quantize(ZERO)
    return by_department


def company_daily(first: dt.date, last: dt.date) -> dict[dt.date, Decimal]:
    """The whole company's collections by day (one query, at most a row a day)."""
    rows = (
        DailyCollection.objects.filter(day__range=(first, last), payment_count__gt=0)
        .values("day")
        .annotate(total=Sum("amount"))
        .order_by("day")
        .values_list("day", "total")
    )
    return {day: total.quantize(ZERO) for day, total in rows}


def in_month(series: Mapping[dt.date, Decimal], month: dt.date) -> dict[dt.date, Decimal]:
    first, last = month_bounds(month)
    return {day: amount for day, amount in series.items() if first <= day <= last}


def schemes_between(
    first: dt.date, last: dt.date, departments: Iterable[int] | None = None
) -> dict[tuple[int, dt.date], MonthlyScheme]:
    """The schemes of the months from ``first`` to ``last``, with milestones (two queries)."""
    schemes = MonthlyScheme.objects.filter(month__range=(first, last)).prefetch_related(
        "milestones"
    )
    if departments is not None:
        schemes = schemes.filter(department_id__in=list(departments))
    return {(s.department_id, s.month): s for s in schemes}


def periods_between(
    first: dt.date, last: dt.date, departments: Iterable[int] | None = None
) -> dict[tuple[int, dt.date], BonusPeriod]:
    periods = BonusPeriod.objects.filter(month__range=(first, last)).only(
        "pk", "department_id", "month", "state", "revision"
    )
    if departments is not None:
        periods = periods.filter(department_id__in=list(departments))
    return {(p.department_id, p.month): p for p in periods}


def month_result(
    scheme: MonthlyScheme | None, month: dt.date, daily: Mapping[dt.date, Decimal]
) -> engine.BonusResult | None:
    """The engine on the month's collections; None without a scheme or with one it refuses."""
    if scheme is None:
        return None
    try:
        return engine.calculate(
            engine.BonusInput(
                scheme=scheme.to_engine(list(scheme.milestones.all())),
                year=month.year,
                month=month.month,
                payments=tuple(engine.Payment(day, total) for day, total in sorted(daily.items())),
                staff=_PLACEHOLDER_STAFF,
            )
        )
    except engine.BonusInputError:
        return None


def percent_of(part: Decimal, whole: Decimal | None) -> Decimal | None:
    if not whole:
        return None
    return (part * 100 / whole).quantize(PERCENT, rounding=ROUND_HALF_UP)


# --- a department's year --------------------------------------------------------------


@dataclass(frozen=True)
class YearMonth:
    month: dt.date
    plan: Decimal | None
    collected: Decimal
    percent_of_plan: Decimal | None
    gates_met: int | None
    gates: int | None
    pool: Decimal | None  # the earned bonus: met tranches and the final one
    head: Decimal | None
    staff_pool: Decimal | None
    state: str | None

    @property
    def state_label(self) -> str:
        return PeriodState(self.state).label if self.state else ""


@dataclass(frozen=True)
class DepartmentYear:
    department: Department
    year: int
    months: tuple[YearMonth, ...]

    def total(self, name: str) -> Decimal:
        return sum((getattr(m, name) or ZERO for m in self.months), ZERO)

    @property
    def totals(self) -> dict[str, Decimal]:
        names = ("plan", "collected", "pool", "head", "staff_pool")
        return {name: self.total(name) for name in names}


def year_month(
    month: dt.date,
    scheme: MonthlyScheme | None,
    daily: Mapping[dt.date, Decimal],
    period: BonusPeriod | None,
) -> YearMonth:
    result = month_result(scheme, month, daily)
    collected = sum(daily.values(), ZERO)
    return YearMonth(
        month=month,
        plan=scheme.plan if scheme else None,
        collected=collected,
        percent_of_plan=percent_of(collected, scheme.plan if scheme else None),
        gates_met=sum(m.met for m in result.milestones) if result else None,
        gates=len(result.milestones) if result else None,
        pool=result.earned if result else None,
        head=result.head if result else None,
        staff_pool=result.staff_pool if result else None,
        state=period.state if period else None,
    )


def department_year(department: Department, year: int) -> DepartmentYear:
    """Twelve months of plan, collected, gates, pool and its split (four queries)."""
    months = months_of_year(year)
    first, last = months[0], month_bounds(months[-1])[1]
    daily = daily_by_department(first, last, [department.pk]).get(department.pk, {})
    schemes = schemes_between(first, last, [department.pk])
    periods = periods_between(first, last, [department.pk])
    rows = tuple(
        year_month(
            month,
            schemes.get((department.pk, month)),
            in_month(daily, month),
            periods.get((department.pk, month)),
        )
        for month in months
    )
    return DepartmentYear(department=department, year=year, months=rows)


# --- a person's own year ----------------------------------------------------------------


@dataclass(frozen=True)
class PersonMonth:
    month: dt.date
    department: str
    base_salary: Decimal
    bonus: Decimal
    total: Decimal
    paid: bool


def person_year(employee: Employee, year: int) -> list[PersonMonth]:
    """The person's own approved pay, month by month: the latest approved revision of each
    period (one query). Months not approved yet have no line."""
    lines = (
        PayLine.objects.filter(
            employee=employee,
            revision__approved_at__isnull=False,
            revision__period__month__year=year,
        )
        .order_by("revision__period__month", "revision__period_id", "-revision__number")
        .distinct("revision__period__month", "revision__period_id")
        .values_list(
            "revision__period__month",
            "revision__period__department__name",
            "base_salary",
            "bonus",
            "total",
            "revision__paid_at",
        )
    )
    return [
        PersonMonth(month, name, base, bonus, total, paid_at is not None)
        for month, name, base, bonus, total, paid_at in lines
    ]


# --- every department's month -----------------------------------------------------------


class GateState:
    MET = "met"
    MISSED = "missed"
    ON_TRACK = "on_track"  # open, and what is expected by its day would meet it
    AT_RISK = "at_risk"  # open, and even what is expected by its day falls short


@dataclass(frozen=True)
class GateGlance:
    day: int
    required: Decimal
    state: str


@dataclass(frozen=True)
class DepartmentMonth:
    department: Department
    month: dt.date
    plan: Decimal | None
    collected: Decimal
    percent_of_plan: Decimal | None
    forecast: Decimal | None  # collected + expected: a forecast, only while the month runs
    bonus: Decimal | None  # the earned bonus as it stands (the engine's)
    gates: tuple[GateGlance, ...]
    state: str | None

    @property
    def state_label(self) -> str:
        return PeriodState(self.state).label if self.state else PeriodState.OPEN.label

    @property
    def gates_met(self) -> int:
        return sum(g.state == GateState.MET for g in self.gates)

    @property
    def gates_at_risk(self) -> int:
        return sum(g.state == GateState.AT_RISK for g in self.gates)


def _gates(
    result: engine.BonusResult | None, expected: Mapping[dt.date, Decimal], today: dt.date
) -> tuple[GateGlance, ...]:
    if result is None:
        return ()
    gates = []
    for gate in result.milestones:
        if gate.met:
            state = GateState.MET
        elif gate.date < today:
            state = GateState.MISSED
        else:
            coming = sum((a for day, a in expected.items() if day <= gate.date), ZERO)
            ok = gate.collected + coming >= gate.required
            state = GateState.ON_TRACK if ok else GateState.AT_RISK
        gates.append(GateGlance(day=gate.day, required=gate.required, state=state))
    return tuple(gates)


def department_month(
    department: Department,
    month: dt.date,
    *,
    today: dt.date,
    scheme: MonthlyScheme | None,
    daily: Mapping[dt.date, Decimal],
    expected: Mapping[dt.date, Decimal] | None,
    period: BonusPeriod | None,
) -> DepartmentMonth:
    result = month_result(scheme, month, daily)
    collected = sum(daily.values(), ZERO)
    plan = scheme.plan if scheme else None
    return DepartmentMonth(
        department=department,
        month=month,
        plan=plan,
        collected=collected,
        percent_of_plan=percent_of(collected, plan),
        forecast=None if expected is None else collected + sum(expected.values(), ZERO),
        bonus=result.earned if result else None,
        gates=_gates(result, expected or {}, today),
        state=period.state if period else None,
    )


SORTS = {
    "name": lambda row: row.department.name.lower(),
    "collected": lambda row: row.collected,
    "percent": lambda row: row.percent_of_plan if row.percent_of_plan is not None else -1,
    "forecast": lambda row: row.forecast if row.forecast is not None else -1,
    "bonus": lambda row: row.bonus if row.bonus is not None else -1,
    "at_risk": lambda row: row.gates_at_risk,
}


def sort_rows(rows: list[DepartmentMonth], sort: str) -> list[DepartmentMonth]:
    """Rows in the order ``sort`` names (``-`` first: descending); unknown: by name."""
    key = SORTS.get(sort.removeprefix("-"), SORTS["name"])
    return sorted(rows, key=key, reverse=sort.startswith("-") and sort[1:] in SORTS)
