"""Writes of invoices: a file of them (dry run, then all or nothing) and one by hand."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import IO, Any

from django.core.exceptions import ValidationError
from django.db import transaction

from accounts import policy
from accounts.policy import Action
from payments.importing.invoice_rules import check_invoices, clean_due, clean_number
from payments.importing.invoice_writer import invoices_known, invoices_write
from payments.importing.readers.invoices import READERS
from payments.importing.rows import ImportFileError, RowError
from payments.models import Client, Invoice


@dataclass
class InvoiceImportResult:
    new: int = 0
    known: int = 0
    errors: list[RowError] = field(default_factory=list)
    written: bool = False

    def as_json(self) -> dict[str, Any]:
        return {
            "new": self.new,
            "known": self.known,
            "errors": [error.as_json() for error in self.errors],
        }


def invoices_import(
    *, user: Any, data: IO[bytes], fmt: str, dry_run: bool = False
) -> InvoiceImportResult:
    """Read, check and (unless ``dry_run``) write a file of invoices: every row or none."""
    policy.require(user, Action.MANAGE_PAYMENTS)
    try:
        lines, errors = check_invoices(READERS[fmt](data), policy.writable_departments(user))
    except ImportFileError as failure:
        return InvoiceImportResult(errors=[failure.error])
    with transaction.atomic():
        new, known, conflicts = invoices_known(lines)
        errors = sorted(errors + conflicts, key=lambda e: e.line)
        result = InvoiceImportResult(new=len(new), known=known, errors=errors)
        if not errors and not dry_run:
            invoices_write(new, user=user)
            result.written = True
    return result


@transaction.atomic
def invoice_record(
    *,
    user: Any,
    client: Client,
    number: str,
    issued_on: dt.date,
    due_on: dt.date,
    amount: Decimal,
) -> Invoice:
    """One invoice entered by hand, under the same rules as a file's."""
    policy.require(user, Action.MANAGE_PAYMENTS)
    errors: dict[str, list[str]] = {}
    for name, check in (
        ("number", lambda: clean_number(number)),
        ("due_on", lambda: clean_due(issued_on, due_on)),
    ):
        try:
            check()
        except ValidationError as error:
            errors[name] = error.messages
    invoice = Invoice(
        client=client,
        month=issued_on.replace(day=1),
        number=number.strip(),
        issued_on=issued_on,
        due_on=due_on,
        amount=amount,
        recorded_by=user,
    )
    if errors:
        raise ValidationError(errors)
    invoice.full_clean()
    invoice.save()
    return invoice
