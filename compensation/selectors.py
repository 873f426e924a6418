"""Reads for bonus periods: the engine's input from a period's frozen data, and live figures.

A closed period is computed only from what was frozen into it at close (the scheme, the
daily totals, the staff and their base salaries) plus its proposal lines: never from
live payments or salaries. :func:`period_input` is the one place that builds that input.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal

from accounts.models import Absence, Department, Employee
from accounts.selectors import month_presence
from compensation.engine import (
    KOPECK,
    SPLIT_BY_PRESENCE,
    BonusInput,
    BonusResult,
    Payment,
    Presence,
    calculate,
)
from compensation.errors import SchemeMissing
from compensation.models import (
    BonusPeriod,
    DayRule,
    MonthlyScheme,
    PayLine,
    PeriodMember,
    Revision,
    SchemeMilestone,
)
from compensation.scenario import parse_scheme
from core.months import previous_month
from payments.selectors import (
    ZERO,
    CollectionsSummary,
    daily_collections,
    month_bounds,
    totals_by_cover,
)


def staff_key(employee: Employee) -> str:
    """The engine's name for a person: the personnel number, unique and stable."""
    return employee.personnel_number


def scheme_to_json(scheme: MonthlyScheme) -> dict:
    """The scheme in the scenario JSON shape (SPEC section 4), as frozen at close.

    Each gate's ``day`` is the day it fell on in the month (``compensation.gates``); a
    gate moved off a day off also keeps the day it was set for and its rule.
    """
    # sorted here, not by the query: milestones prefetched with the scheme are used
    rows = sorted(scheme.milestones.all(), key=lambda m: m.day)
    resolved = scheme.to_engine(rows).milestones
    return {
        "id": scheme.pk,
        "plan": f"{scheme.plan:.2f}",
        "threshold": f"{scheme.threshold:.2f}",
        "rate": scheme.rate,
        "head_share": scheme.head_share,
        "split": scheme.split,
        "milestones": [
            _frozen_gate(row, gate.day) for row, gate in zip(rows, resolved, strict=True)
        ],
    }


def _frozen_gate(row: SchemeMilestone, day: int) -> dict:
    gate = {"day": day, "share_of_plan": row.share_of_plan, "fraction": row.fraction}
    if row.day_rule != DayRule.CALENDAR:
        gate.update(set_day=row.day, day_rule=row.day_rule)
    return gate


# --- live figures of a month (open periods, and what a close would freeze) ------------


@dataclass(frozen=True)
class StaffMember:
    employee: Employee
    base_salary: Decimal | None


@dataclass(frozen=True)
class MonthFigures:
    """A month's figures read from live data: what closing it now would freeze."""

    department: Department
    month: dt.date
    scheme: MonthlyScheme | None
    collected: Decimal
    payment_count: int
    daily_totals: tuple[tuple[dt.date, Decimal], ...]
    head: Employee | None
    head_base_salary: Decimal | None
    staff: tuple[StaffMember, ...]


def month_staff(department: Department, month: dt.date) -> tuple[StaffMember, ...]:
    """Members overlapping the month, the head excluded, by full name, with salaries."""
    first, last = month_bounds(month)
    employees = (
        Employee.objects.members_of(department, first, last)
        .exclude(pk=department.head_id)
        .with_base_salary(first)
        .order_by("full_name", "personnel_number")
    )
    return tuple(StaffMember(employee=e, base_salary=e.base_salary) for e in employees)


def _month_people(department: Department, first: dt.date) -> dict:
    """The head of record and the staff, each with the base salary in force (two queries)."""
    head = (
        None
        if department.head_id is None
        else Employee.objects.with_base_salary(first).get(pk=department.head_id)
    )
    return {
        "head": head,
        "head_base_salary": None if head is None else head.base_salary,
        "staff": month_staff(department, first),
    }


def month_figures(
    department: Department, month: dt.date, collections: CollectionsSummary | None = None
) -> MonthFigures:
    """The month's collections, scheme and people.

    Given the month's ``collections`` as the dashboard has read them (the daily totals
    and the scheme with its milestones), only the people are read: two queries.
    """
    first, _last = month_bounds(month)
    if collections is None:
        by_day = daily_collections(department, first)
        scheme = MonthlyScheme.objects.filter(department=department, month=first).first()
    else:
        by_day = collections.daily_collections
        scheme = collections.scheme
    return MonthFigures(
        department=department,
        month=first,
        scheme=scheme,
        collected=sum((total for _day, total, _count in by_day), ZERO).quantize(KOPECK),
        payment_count=sum(count for _day, _total, count in by_day),
        daily_totals=tuple((day, total.quantize(KOPECK)) for day, total, _count in by_day),
        **_month_people(department, first),
    )


def latest_scheme_before(department: Department, month: dt.date) -> MonthlyScheme | None:
    """The latest scheme of an earlier month: the terms a new month starts from."""
    return (
        MonthlyScheme.objects.filter(department=department, month__lt=month.replace(day=1))
        .order_by("-month")
        .first()
    )


def figures_input(figures: MonthFigures) -> BonusInput:
    """Engine input from live figures: daily totals stand in for the payments."""
    if figures.scheme is None:
        raise SchemeMissing()
    staff = [m for m in figures.staff if m.base_salary is not None]
    scheme = figures.scheme.to_engine()
    return BonusInput(
        scheme=scheme,
        year=figures.month.year,
        month=figures.month.month,
        payments=tuple(Payment(date=day, amount=total) for day, total in figures.daily_totals),
        staff=tuple(staff_key(m.employee) for m in figures.staff),
        base_salaries={staff_key(m.employee): m.base_salary for m in staff},
        head_base_salary=figures.head_base_salary,
        presence=_live_presence(figures) if scheme.split == SPLIT_BY_PRESENCE else {},
    )


def _live_presence(figures: MonthFigures) -> dict[str, Presence]:
    """Days present so far as the calendar and the absences say (read only when used)."""
    people = {m.employee.pk: m.employee for m in figures.staff}
    return {
        staff_key(people[pk]): Presence(days=p.days, of=p.of)
        for pk, p in month_presence(figures.department, figures.month, people).items()
    }


def live_result(
    department: Department, month: dt.date, collections: CollectionsSummary | None = None
) -> BonusResult | None:
    """The month so far, for the dashboard; None while there is no scheme or no staff.

    ``collections``: the month as the dashboard has read it (see ``month_figures``).
    """
    figures = month_figures(department, month, collections)
    if figures.scheme is None or not figures.staff:
        return None
    return calculate(figures_input(figures))


# --- frozen figures of a closed period -------------------------------------------------


def current_revision(period: BonusPeriod) -> Revision:
    return period.revisions.get(number=period.revision)


def period_members(period: BonusPeriod) -> list[PeriodMember]:
    return list(period.members.select_related("employee").order_by("order"))


def previous_bonuses(period: BonusPeriod) -> dict[int, Decimal]:
    """Each person's bonus the month before, by employee id, from that month's latest
    approved revision (one query); nobody's if that month was never approved."""
    lines = (
        PayLine.objects.filter(
            revision__period__department_id=period.department_id,
            revision__period__month=previous_month(period.month),
            revision__approved_at__isnull=False,
        )
        .order_by("employee_id", "-revision__number")
        .distinct("employee_id")
        .values_list("employee_id", "bonus")
    )
    return dict(lines)


def effective_amounts(revision: Revision) -> dict[int, tuple[Decimal, Decimal]]:
    """Award and deduction per employee id as they count: the director's edit if any."""
    return {line.employee_id: (line.award, line.deduction) for line in revision.proposal.all()}


def frozen_input(
    period: BonusPeriod,
    *,
    awards: Mapping[int, Decimal],
    deductions: Mapping[int, Decimal],
    members: list[PeriodMember] | None = None,
    daily_totals: list | None = None,
) -> BonusInput:
    """Engine input from the period's frozen data, with awards/deductions by employee id.

    ``daily_totals``: a correction's recounted collections in place of those at close.
    """
    members = period_members(period) if members is None else members
    keys = {m.employee_id: staff_key(m.employee) for m in members}
    return BonusInput(
        scheme=parse_scheme(period.frozen_scheme),
        year=period.month.year,
        month=period.month.month,
        payments=tuple(
            Payment(date=dt.date.fromisoformat(day), amount=Decimal(total))
            for day, total in (period.daily_totals if daily_totals is None else daily_totals)
        ),
        staff=tuple(keys.values()),
        awards={keys[pk]: amount for pk, amount in awards.items() if amount},
        deductions={keys[pk]: amount for pk, amount in deductions.items() if amount},
        base_salaries={keys[m.employee_id]: m.base_salary for m in members},
        head_base_salary=period.head_base_salary,
        presence={
            keys[m.employee_id]: Presence(days=m.days_present, of=m.working_days)
            for m in members
            if m.days_present is not None and m.working_days
        },
    )


def period_input(
    period: BonusPeriod,
    revision: Revision | None = None,
    members: list[PeriodMember] | None = None,
) -> BonusInput:
    """The engine input of a closed period's revision (the current one by default)."""
    revision = current_revision(period) if revision is None else revision
    amounts = effective_amounts(revision)
    return frozen_input(
        period,
        awards={pk: award for pk, (award, _deduction) in amounts.items()},
        deductions={pk: deduction for pk, (_award, deduction) in amounts.items()},
        members=members,
        daily_totals=revision.daily_totals,
    )


def period_result(
    period: BonusPeriod,
    revision: Revision | None = None,
    members: list[PeriodMember] | None = None,
) -> BonusResult:
    return calculate(period_input(period, revision, members))


# --- what-ifs and the bonus chain for the pages -----------------------------------------

# The engine needs at least one staff member; department-level figures do not depend on who.


# --- evidence where awards are decided --------------------------------------------------


@dataclass(frozen=True)
class CoverEvidence:
    covered_for: Employee | None
    total: Decimal
    count: int


@dataclass(frozen=True)
class PersonEvidence:
    """One staff member's month, as the head and the director weigh awards."""

    employee: Employee
    days: int | None
    of: int | None
    absences: tuple
    own_total: Decimal
    own_count: int
    covered: tuple[CoverEvidence, ...]

    @property
    def absent(self) -> int | None:
        return None if self.days is None or self.of is None else self.of - self.days

    @property
    def collected(self) -> Decimal:
        """All they collected in the month: their own clients and those they covered."""
        return self.own_total + sum((cover.total for cover in self.covered), ZERO)


def period_evidence(period: BonusPeriod) -> list[PersonEvidence]:
    """Per staff member: days present (frozen at close) and the absences behind them,
    the collections on their own clients, and on clients covered for whom. Four queries."""
    members = period_members(period)
    first, last = month_bounds(period.month)
    ids = [m.employee_id for m in members]
    away: dict[int, list[Absence]] = {pk: [] for pk in ids}
    for absence in Absence.objects.filter(
        employee_id__in=ids, started_on__lte=last, ended_on__gte=first
    ).order_by("started_on"):
        away[absence.employee_id].append(absence)
    totals = totals_by_cover(period.department, period.month)
    covered_ids = {row.covered_for_id for row in totals if row.covered_for_id}
    people = {m.employee_id: m.employee for m in members}
    people |= Employee.objects.in_bulk(covered_ids - people.keys())
    return [_person_evidence(m, away[m.employee_id], totals, people) for m in members]


def _person_evidence(
    member: PeriodMember, absences: list, totals: list, people: dict[int, Employee]
) -> PersonEvidence:
    mine = [row for row in totals if row.responsible_id == member.employee_id]
    own = [row for row in mine if row.covered_for_id is None]
    return PersonEvidence(
        employee=member.employee,
        days=member.days_present,
        of=member.working_days,
        absences=tuple(absences),
        own_total=sum((row.total for row in own), ZERO),
        own_count=sum(row.count for row in own),
        covered=tuple(
            CoverEvidence(people.get(row.covered_for_id), row.total, row.count)
            for row in mine
            if row.covered_for_id is not None
        ),
    )


# --- the accountant's payroll -----------------------------------------------------------


@dataclass
class PayTotals:
    """Base salaries, bonuses and total pay added up, to the kopeck."""

    name: str
    base_salary: Decimal = ZERO
    bonus: Decimal = ZERO
    total: Decimal = ZERO
    people: int = 0

    def add(self, line: PayLine) -> None:
        self.base_salary += line.base_salary
        self.bonus += line.bonus
        self.total += line.total
        self.people += 1


def payroll_totals(revisions: list[Revision]) -> tuple[list[PayTotals], PayTotals]:
    """Per department and overall, the pay lines of the revisions in force (a superseded
    revision is not paid), from the revisions' prefetched pay lines: no query."""
    by_department: dict[int, PayTotals] = {}
    overall = PayTotals(name="")
    for revision in revisions:
        if revision.number != revision.period.revision:
            continue
        department = revision.period.department
        totals = by_department.setdefault(department.pk, PayTotals(name=department.name))
        for line in revision.pay_lines.all():
            totals.add(line)
            overall.add(line)
    return sorted(by_department.values(), key=lambda totals: totals.name), overall
