"""Invoices into their table, set-based: those already there (the same client and number)
are left as they are; a number already there with another amount or date is an error."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history

from accounts.policy import recorded_user
from payments.importing.invoice_rules import InvoiceLine, check_invoices
from payments.importing.readers.invoices import InvoiceRow
from payments.importing.rows import RowError
from payments.models import ImportBatch, Invoice

if TYPE_CHECKING:
    from payments.importing.pipeline import Context

BATCH = 2000


def invoices_known(lines: list[InvoiceLine]) -> tuple[list[InvoiceLine], int, list[RowError]]:
    """The lines not yet recorded, how many are recorded already, and the conflicts: one
    query."""
    stored = {
        (client_id, number): (issued_on, due_on, amount)
        for client_id, number, issued_on, due_on, amount in Invoice.objects.filter(
            client_id__in={line.client_id for line in lines},
            number__in={line.number for line in lines},
        ).values_list("client_id", "number", "issued_on", "due_on", "amount")
    }
    new, known, conflicts = [], 0, []
    for line in lines:
        recorded = stored.get((line.client_id, line.number))
        if recorded is None:
            new.append(line)
        elif recorded == (line.issued_on, line.due_on, line.amount):
            known += 1
        else:
            message = _("This client's invoice %(number)s is recorded with another date or amount.")
            conflicts.append(RowError(line.line, "number", message % {"number": line.number}))
    return new, known, conflicts


def import_rows(rows: Iterable[InvoiceRow], context: Context) -> None:
    """The pipeline's step for a file of invoices: check every row, sort out those on
    record, and (unless rejected or a dry run) write the new ones with their batch."""
    result = context.result
    lines, errors = check_invoices(rows, context.departments)
    new, known, conflicts = invoices_known(lines)
    by_line: dict[int, list[RowError]] = defaultdict(list)
    for error in sorted(errors + conflicts, key=lambda error: error.line):
        by_line[error.line].append(error)
    for line_errors in by_line.values():
        result.reject(line_errors)
    result.new = len(new)
    result.duplicate += known
    result.new_amount = sum((line.amount for line in new), Decimal("0.00"))
    if result.accepted and not result.dry_run:
        batch = context.batch
        invoices_write(new, user=batch.created_by, batch=batch)


def invoices_write(lines: list[InvoiceLine], *, user: Any, batch: ImportBatch | None = None) -> int:
    """Insert the new lines with their history rows, in batches; the caller's transaction."""
    user = recorded_user(user)
    invoices = [
        Invoice(
            client_id=line.client_id,
            month=line.month,
            number=line.number,
            issued_on=line.issued_on,
            due_on=line.due_on,
            amount=line.amount,
            import_batch=batch,
            recorded_by=user,
        )
        for line in lines
    ]
    bulk_create_with_history(invoices, Invoice, batch_size=BATCH, default_user=user)
    return len(invoices)
