"""The accountant's payroll download: one approved revision, logged every time."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db import transaction

from accounts.policy import Action, require
from compensation import exports
from compensation.models import PeriodEvent, Revision

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
    chosen = exports.LAYOUTS[layout]
    lines = list(revision.pay_lines.select_related("employee").order_by("order"))
    write = exports.to_csv if extension == "csv" else exports.to_xlsx
    content = write(chosen, revision, lines)
    period = revision.period
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
        },
    )
    return PayrollFile(
        name=exports.export_file_name(chosen, revision, extension),
        content_type=CONTENT_TYPES[extension],
        content=content,
    )
