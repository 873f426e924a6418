"""One payroll file for the whole company: every department's month in one file.

Each department's approved pay lines of the month, then the corrections of earlier paid
months due with them (``services.payroll.due_corrections``), in the department's own
layout (``exports``), followed by the department's total; after all departments, the
company's total, exact to the kopeck. A department whose month is not approved (not
closed yet, or still being decided) is named as missing on a row of its own, never
skipped in silence. Total and missing rows leave the personnel number empty, so that
nothing keys them in as a person's pay.

A month that was paid and is being corrected is in the file as it was paid: its
differences are paid with a later month's payroll.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import F, Prefetch
from django.utils import translation
from django.utils.translation import gettext as _

from accounts.models import Department
from compensation import lifecycle
from compensation.exports import ZUP, Layout
from compensation.models import BonusPeriod, Correction, PayLine, PeriodState, Revision

ZERO = Decimal("0.00")


@dataclass
class Totals:
    base_salary: Decimal = ZERO
    bonus: Decimal = ZERO
    total: Decimal = ZERO

    def add(self, *, base_salary: Decimal, bonus: Decimal, total: Decimal) -> None:
        self.base_salary += base_salary
        self.bonus += bonus
        self.total += total


@dataclass
class DepartmentPart:
    """One department's approved month: the revision it is paid on, its lines, its due
    corrections and their sum."""

    department: Department
    revision: Revision
    lines: list[PayLine]
    corrections: list[Correction]
    totals: Totals = field(default_factory=Totals)


@dataclass(frozen=True)
class Missing:
    department: Department
    state: str | None  # None: the month has no period yet

    @property
    def why(self) -> str:
        if self.state is None:
            return _("Missing: the month is not closed, so it is not approved.")
        return _("Missing: the month is “%(state)s”, not approved.") % {
            "state": PeriodState(self.state).label
        }


@dataclass(frozen=True)
class CompanyMonth:
    month: dt.date
    parts: list[DepartmentPart]
    missing: list[Missing]

    @property
    def totals(self) -> Totals:
        overall = Totals()
        for part in self.parts:
            overall.add(
                base_salary=part.totals.base_salary,
                bonus=part.totals.bonus,
                total=part.totals.total,
            )
        return overall


def _paid_on(period: BonusPeriod, revisions: list[Revision]) -> Revision:
    """The revision the month is paid on: the paid one once a correction follows it."""
    paid = [r for r in revisions if r.paid_at is not None]
    # Under correction the current revision is not approved (not among ``revisions``).
    current = next((r for r in revisions if r.number == period.revision), None)
    if current is None or (paid and paid[-1].number < current.number):
        return paid[-1]
    return current


def company_month(month: dt.date) -> CompanyMonth:
    """Every department's month: approved parts, and those missing (four queries)."""
    lines = PayLine.objects.select_related("employee").order_by("order")
    periods = {
        p.department_id: p
        for p in BonusPeriod.objects.filter(month=month).prefetch_related(
            Prefetch(
                "revisions",
                queryset=Revision.objects.filter(approved_at__isnull=False)
                .select_related("approved_by")
                .prefetch_related(Prefetch("pay_lines", queryset=lines))
                .order_by("number"),
            )
        )
    }
    due = _due_corrections(month)
    parts, missing = [], []
    for department in Department.objects.order_by("name"):
        period = periods.get(department.pk)
        revisions = [] if period is None else list(period.revisions.all())
        # A paid month under correction is in the file as it was paid.
        paid = any(r.paid_at is not None for r in revisions)
        if period is None or not (lifecycle.is_settled(period.state) or paid):
            missing.append(Missing(department, None if period is None else period.state))
            continue
        revision = _paid_on(period, revisions)
        revision.period = period
        period.department = department
        part = DepartmentPart(
            department, revision, list(revision.pay_lines.all()), due[department.pk]
        )
        for line in part.lines:
            part.totals.add(base_salary=line.base_salary, bonus=line.bonus, total=line.total)
        for correction in part.corrections:
            part.totals.add(base_salary=ZERO, bonus=correction.applied, total=correction.applied)
        parts.append(part)
    return CompanyMonth(month=month, parts=parts, missing=missing)


def _due_corrections(month: dt.date) -> dict[int, list[Correction]]:
    """The month's due corrections by department, as ``due_corrections`` reads them."""
    rows = (
        Correction.objects.filter(paid_in=month)
        .exclude(amount=-F("carried"))
        .select_related("employee", "revision__approved_by")
        .order_by("month", "employee__full_name", "id")
    )
    by_department: dict[int, list[Correction]] = defaultdict(list)
    for row in rows:
        by_department[row.department_id].append(row)
    return by_department


def company_rows(layout: Layout, company: CompanyMonth) -> list[list[Any]]:
    """The file's rows in ``layout``: each department, its total; the company's total,
    and a row for each department missing."""
    rows: list[list[Any]] = []
    for part in company.parts:
        rows += layout.rows(part.revision, part.lines, part.corrections)
        rows.append(_total_row(layout, company.month, part.totals, part.department.name))
    rows.append(_total_row(layout, company.month, company.totals, None))
    rows += [_missing_row(layout, company.month, m) for m in company.missing]
    return rows


def _total_row(layout: Layout, month: dt.date, totals: Totals, department: str | None) -> list[Any]:
    if layout is ZUP:
        label = "Итого по компании" if department is None else "Итого по подразделению"
        return ["", label, department or "", "", month, None, None, totals.bonus, ""]
    label = _("Total of the company") if department is None else _("Total of the department")
    return [
        month,
        "",
        label,
        "",
        department or "",
        totals.base_salary,
        totals.bonus,
        totals.total,
        "",
        None,
        None,
        None,
    ]


def _missing_row(layout: Layout, month: dt.date, missing: Missing) -> list[Any]:
    name = missing.department.name
    if layout is ZUP:
        return ["", "", name, "", month, None, None, None, _zup_missing(missing)]
    return [month, "", missing.why, "", name, None, None, None, "", None, None, None]


def _zup_missing(missing: Missing) -> str:
    # The 1C layout is Russian whatever the user's language.
    with translation.override("ru"):
        return missing.why
