"""The rules every invoice obeys, from a file or a form: a known client, a number, an
amount, a due date on or after the invoice's date; one number per client."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from payments.importing import rules
from payments.importing.readers.invoices import InvoiceRow
from payments.importing.rows import RowError
from payments.models import Client

NUMBER_MAX = 100
FOREIGN = -1  # a client of a department the importer may not write to


@dataclass(frozen=True)
class InvoiceLine:
    line: int
    client_id: int
    number: str
    issued_on: dt.date
    due_on: dt.date
    amount: Decimal

    @property
    def month(self) -> dt.date:
        return self.issued_on.replace(day=1)


def clean_number(value: str) -> str:
    number = (value or "").strip()
    if not number:
        raise ValidationError(_("The invoice number is empty."))
    if len(number) > NUMBER_MAX:
        raise ValidationError(
            _("The invoice number is longer than %(max)d characters.") % {"max": NUMBER_MAX}
        )
    return number


def clean_due(issued_on: dt.date | None, due: str | dt.date) -> dt.date:
    due_on = due if isinstance(due, dt.date) else rules._parse_date(due)
    if issued_on is not None and due_on < issued_on:
        raise ValidationError(_("The due date is before the invoice's date."))
    return due_on


def check_invoices(
    rows: Iterable[InvoiceRow], departments: frozenset[int] | None = None
) -> tuple[list[InvoiceLine], list[RowError]]:
    """Every row checked (one query for the clients): the lines, or the errors by row.

    ``departments``: those whose clients the importer may bill (None: any).
    """
    rows = list(rows)
    inns = {row.inn.strip() for row in rows}
    found = Client.objects.filter(inn__in=inns).values_list("inn", "pk", "department_id")
    clients = {
        inn: pk if departments is None or department in departments else FOREIGN
        for inn, pk, department in found
    }
    lines: list[InvoiceLine] = []
    errors: list[RowError] = []
    seen: dict[tuple[int, str], int] = {}
    for row in rows:
        line = _check_row(row, clients, errors)
        if line is None:
            continue
        key = (line.client_id, line.number)
        if key in seen:
            message = _("The same number as row %(row)d for this client.") % {"row": seen[key]}
            errors.append(RowError(row.line, row.titles["number"], message))
            continue
        seen[key] = row.line
        lines.append(line)
    return lines, errors


def _check_row(
    row: InvoiceRow, clients: dict[str, int], errors: list[RowError]
) -> InvoiceLine | None:
    found: dict[str, object] = {}
    checks = {
        "inn": lambda: _client(row.inn, clients),
        "number": lambda: clean_number(row.number),
        "date": lambda: rules.clean_date(row.date),
        "amount": lambda: rules.clean_amount(row.amount),
        "due": lambda: clean_due(found.get("date"), row.due),  # type: ignore[arg-type]
    }
    for name, check in checks.items():
        try:
            found[name] = check()
        except ValidationError as error:
            errors.append(RowError(row.line, row.titles[name], " ".join(error.messages)))
    if len(found) < len(checks):
        return None
    return InvoiceLine(
        line=row.line,
        client_id=found["inn"],  # type: ignore[arg-type]
        number=found["number"],  # type: ignore[arg-type]
        issued_on=found["date"],  # type: ignore[arg-type]
        due_on=found["due"],  # type: ignore[arg-type]
        amount=found["amount"],  # type: ignore[arg-type]
    )


def _client(inn: str, clients: dict[str, int]) -> int:
    inn = (inn or "").strip()
    if inn not in clients:
        raise ValidationError(_("No client has the INN %(inn)s.") % {"inn": inn or '""'})
    if clients[inn] == FOREIGN:
        raise ValidationError(
            _("The client %(client)s belongs to a department this token may not write to.")
            % {"client": inn}
        )
    return clients[inn]
