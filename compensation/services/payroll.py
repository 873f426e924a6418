"""The accountant's payroll download: one approved revision, logged every time."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.db.models import F
from django.utils.translation import gettext as _

from accounts.policy import Action, require
from compensation import exports
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
