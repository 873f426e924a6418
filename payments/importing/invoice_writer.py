"""Invoices into their table, set-based: those already there (the same client and number)
are left as they are; a number already there with another amount or date is an error."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history

from accounts.policy import recorded_user
from payments.importing.invoice_rules import InvoiceLine
from payments.importing.rows import RowError
from payments.models import Invoice

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


def invoices_write(lines: list[InvoiceLine], *, user: Any) -> int:
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
            recorded_by=user,
        )
        for line in lines
    ]
    bulk_create_with_history(invoices, Invoice, batch_size=BATCH, default_user=user)
    return len(invoices)
