"""The accountant's payroll download: one approved revision, logged every time."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.db.models import F
from django.utils.translation import gettext as _

from accounts.policy import Action, require
from compensation import exports
from compensation.company_payroll import CompanyMonth, company_month, company_rows
from compensation.errors import WorkflowError
from compensation.models import Correction, PeriodEvent, Revision
from compensation.services.corrections import corrects_paid
from core.months import month_label

CONTENT_TYPES = {
    "csv": "text/csv",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


@dataclass(frozen=True)
class PayrollFile:
    name: str
    content_type: str
    content: bytes


@transaction.atomic
def payroll_export(*, user: Any, revision: Revision, layout: str, extension: str) -> PayrollFile:
    """Build the file from the stored pay lines and record who downloaded what, when."""
    require(user, Action.EXPORT_PAYROLL, revision)
    if layout not in exports.LAYOUTS or extension not in CONTENT_TYPES:
        raise ValueError(f"unknown payroll file {layout}.{extension}")
    period = revision.period
    if corrects_paid(period, revision) is not None:
        raise WorkflowError(
            _(
                "This revision corrects a paid month: its differences are paid with the "
                "payroll of a later month, not in a file of their own."
            ),
            code="correction",
        )
    chosen = exports.LAYOUTS[layout]
    lines = list(revision.pay_lines.select_related("employee").order_by("order"))
    corrections = due_corrections(revision)
    write = exports.to_csv if extension == "csv" else exports.to_xlsx
    content = write(chosen, revision, lines, corrections)
    PeriodEvent.objects.create(
        period=period,
        revision=revision.number,
        action=PeriodEvent.Action.EXPORT,
        from_state=period.state,
        to_state=period.state,
        actor=user,
        details={
            "file": f"{layout}.{extension}",
            "rows": len(lines),
            "bonus_total": f"{sum(line.bonus for line in lines):.2f}",
            "corrections": [
                {
                    "month": month_label(c.month),
                    "employee": c.employee.personnel_number,
                    "amount": f"{c.applied:.2f}",
                }
                for c in corrections
            ],
        },
    )
    return PayrollFile(
        name=exports.export_file_name(chosen, revision, extension),
        content_type=CONTENT_TYPES[extension],
        content=content,
    )


def due_corrections(revision: Revision) -> list[Correction]:
    """The corrections of earlier paid months paid with this month's payroll."""
    period = revision.period
    return list(
        Correction.objects.filter(department_id=period.department_id, paid_in=period.month)
        .exclude(amount=-F("carried"))
        .select_related("employee", "revision__approved_by")
        .order_by("month", "employee__full_name", "id")
    )


def company_file_name(layout: str, month: dt.date, extension: str) -> str:
    # The month in words of the user's language ("октябрь-2026"), never "2026-10".
    return f"payroll-company-{layout}-{month_label(month).replace(' ', '-')}.{extension}"


@transaction.atomic
def payroll_company_export(
    *, user: Any, month: dt.date, layout: str, extension: str
) -> PayrollFile:
    """Every department's approved month in one file, logged on each period in it.

    A department whose month is not approved is named in the file as missing; a month
    no department has approved has no file.
    """
    require(user, Action.EXPORT_COMPANY_PAYROLL)
    if layout not in exports.LAYOUTS or extension not in CONTENT_TYPES:
        raise ValueError(f"unknown payroll file {layout}.{extension}")
    company = company_month(month)
    if not company.parts:
        raise WorkflowError(
            _("No department's bonus for %(month)s is approved yet: there is nothing to export.")
            % {"month": month_label(month)},
            code="nothing_approved",
        )
    chosen = exports.LAYOUTS[layout]
    write = exports.csv_bytes if extension == "csv" else exports.xlsx_bytes
    content = write(chosen, company_rows(chosen, company))
    _log_company_export(user, company, f"company-{layout}.{extension}")
    return PayrollFile(
        name=company_file_name(layout, month, extension),
        content_type=CONTENT_TYPES[extension],
        content=content,
    )


def _log_company_export(user: Any, company: CompanyMonth, file: str) -> None:
    """One download event on each period in the file, as a department's file logs it."""
    missing = [m.department.name for m in company.missing]
    PeriodEvent.objects.bulk_create(
        PeriodEvent(
            period=part.revision.period,
            revision=part.revision.number,
            action=PeriodEvent.Action.EXPORT,
            from_state=part.revision.period.state,
            to_state=part.revision.period.state,
            actor=user,
            details={
                "file": file,
                "rows": len(part.lines),
                "bonus_total": f"{part.totals.bonus:.2f}",
                "company_bonus_total": f"{company.totals.bonus:.2f}",
                "missing": missing,
            },
        )
        for part in company.parts
    )
