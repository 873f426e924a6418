"""The company's obligations: a month's total, or a schedule of due dates from a file.

The file (CSV or XLSX, headed in English or Russian: due date, amount, description) is
all-or-nothing like every import: each problem is reported with its row and field
(``core.rows.RowError``) and only a file without a single error is written, in one
transaction. A file replaces the schedule of the months it covers, so importing the same
file twice leaves one schedule.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from accounts.policy import Action, require
from compensation.models import MonthlyObligation, ObligationDue
from core.months import in_range
from core.rows import RowError, RowReport
from core.tables import TableRows, read_table
from payments.importing.rules import clean_amount

MAX_REPORTED_ERRORS = 200
COLUMNS = {
    "due date": "due_on",
    "due_on": "due_on",
    "date": "due_on",
    "дата": "due_on",
    "срок": "due_on",
    "amount": "amount",
    "сумма": "amount",
    "description": "description",
    "назначение": "description",
    "описание": "description",
}
REQUIRED = ("due_on", "amount")


@dataclass
class ObligationImportResult(RowReport):
    """What an import of a schedule did (or, for a dry run or a rejected file, would do)."""

    file_name: str
    dry_run: bool
    new: int = 0
    total: Decimal = Decimal("0.00")
    months: list[dt.date] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    errors_left_out: int = 0

    max_reported = MAX_REPORTED_ERRORS


def read_schedule(file_name: str, data: bytes) -> TableRows:
    """The rows of a CSV (UTF-8 or Windows-1251, ; or , separated) or an XLSX file."""
    return read_table(file_name, data, columns=COLUMNS, required=REQUIRED)


def _date(text: str) -> dt.date | None:
    for pattern in ("%Y-%m-%d", "%d.%m.%Y"):
        try:
            day = dt.datetime.strptime(text, pattern).date()
        except ValueError:
            continue
        return day if in_range(day) else None
    return None


def _checked(line: int, cells: dict[str, str], result: ObligationImportResult) -> Any:
    due_on = _date(cells["due_on"])
    if due_on is None:
        message = _("Not a date (YYYY-MM-DD or DD.MM.YYYY): %(value)s.")
        result.add_error(RowError(line, "due_on", message % {"value": cells["due_on"]}))
    try:
        amount = clean_amount(cells["amount"])
    except ValidationError as error:
        result.add_error(RowError(line, "amount", " ".join(error.messages)))
        amount = None
    if due_on is None or amount is None:
        return None
    return ObligationDue(
        due_on=due_on,
        amount=amount,
        description=cells.get("description", "")[:200],
        source_file=result.file_name[:200],
    )


@transaction.atomic
def obligations_import(
    *, user: Any, file_name: str, data: bytes, dry_run: bool = False
) -> ObligationImportResult:
    """Import a schedule of obligations: all of it, replacing the months it covers, or none."""
    require(user, Action.MANAGE_OBLIGATIONS)
    result = ObligationImportResult(file_name=file_name, dry_run=dry_run)
    try:
        rows = read_schedule(file_name, data)
    except ValidationError as error:
        result.add_error(RowError(0, "file", " ".join(error.messages)))
        return result
    dues = [due for line, cells in rows if (due := _checked(line, cells, result)) is not None]
    if not rows:
        result.add_error(RowError(0, "file", _("The file has no obligations.")))
    result.new = len(dues)
    result.total = sum((due.amount for due in dues), Decimal("0.00"))
    result.months = sorted({due.due_on.replace(day=1) for due in dues})
    if result.written:
        for month in result.months:
            last = (month + dt.timedelta(days=32)).replace(day=1) - dt.timedelta(days=1)
            ObligationDue.objects.filter(due_on__range=(month, last)).delete()
        ObligationDue.objects.bulk_create(dues)
    return result


@transaction.atomic
def obligation_set(*, user: Any, month: dt.date, total: Decimal, note: str = "") -> None:
    """Set the month's total obligations (spread over its working days without a schedule)."""
    require(user, Action.MANAGE_OBLIGATIONS)
    MonthlyObligation.objects.update_or_create(
        month=month.replace(day=1), defaults={"total": total, "note": note}
    )
