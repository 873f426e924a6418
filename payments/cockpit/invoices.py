"""Writes of invoices: a file of them (dry run, then all or nothing) and one by hand."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import IO, Any

from django.core.exceptions import ValidationError
from django.db import transaction

from accounts import policy
from accounts.policy import Action
from payments.importing.invoice_rules import clean_due, clean_number
from payments.importing.pipeline import ImportResult, payments_import
from payments.models import Client, ImportBatch, ImportKind, Invoice


def invoices_import(
    *,
    user: Any,
    data: bytes | IO[bytes],
    fmt: str,
    dry_run: bool = False,
    file_name: str = "invoices",
    batch: ImportBatch | None = None,
) -> ImportResult:
    """Read, check and (unless ``dry_run``) write a file of invoices: every row or none,
    through the one import pipeline, which keeps its batch (new: ``new``; on record
    already: ``duplicate``)."""
    return payments_import(
        kind=ImportKind.INVOICES,
        file_name=file_name,
        data=data,
        fmt=fmt,
        user=user,
        dry_run=dry_run,
        batch=batch,
    )


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
