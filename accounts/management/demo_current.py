"""The demo's current month for ``load_demo``: the month of today, once it is past the
seed's fixed October and November 2026.

The collections cockpit (the outstanding list, the call list from the 7th, the forecast
against each gate) opens on the current month, so the demo gives it one: November's
scheme; every client invoiced on the 1st or 2nd; the clients whose usual payment day
(their November one) is already behind them have paid, up to yesterday and never later;
one of them paid only part; the early payers' invoices fell due a few days after issue,
so those still owing are overdue, while the late payers' are due a few days from today;
two staff members recorded promises from clients still owing.

Idempotent like the rest of ``load_demo``: invoices are found by client and number,
payments by their source reference, promises by their invoice.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from accounts.management import demo_data as demo
from accounts.models import Department
from compensation.models import MonthlyObligation
from payments.models import Client, Invoice, Promise
from payments.selectors import month_bounds

if TYPE_CHECKING:
    from accounts.management.commands.load_demo import Loader

# The last of the seed's fixed months: the current month is loaded only after it.
LAST_FIXED_MONTH = dt.date(2026, 11, 1)
DUE_AFTER = dt.timedelta(days=4)  # the early payers' invoices: due a few days after issue
LATE_DUE_FROM_TODAY = dt.timedelta(days=5)  # the late payers': due a few days from today
LATE_PAYER_FROM_DAY = 16  # a usual payment day from this one on makes a late payer
PARTIAL = ("ООО «Альфа-Трейд»", "1300000.00")  # (client, paid of its invoice)
OBLIGATIONS = Decimal("64000000.00")  # the company's, as in November (demo_history)
PROMISES = (
    # (client, caller's username, promised this many days from today)
    ("ООО «Альфа-Трейд»", "masha", 2),
    ("ООО «Вектор Плюс»", "olya", 3),
)
CONTACTS = {"ООО «Альфа-Трейд»": "Наталья Орлова, бухгалтерия, +7 495 555-11-02"}


@dataclass(frozen=True)
class CurrentInvoice:
    client: Client
    serial: int
    usual_day: int | None  # the day the client paid in November, if it paid
    amount: Decimal


def current_month_load(
    loader: Loader,
    department: Department,
    clients: dict[str, Client],
    *,
    today: dt.date,
    recorded_by: Any,
) -> None:
    """Loads the month of ``today`` when it comes after the seed's fixed months."""
    month = today.replace(day=1)
    if month <= LAST_FIXED_MONTH:
        return
    loader.scheme(department, month)  # November's terms
    # The company's obligations of the month, as November's: the director's cash gap runs on.
    loader.get_or_create(MonthlyObligation, month=month, defaults={"total": OBLIGATIONS})
    rows = [current_row(clients, serial, row) for serial, row in enumerate(demo.CLIENTS, 1)]
    invoices = {row.client.name: current_invoice(loader, row, today, recorded_by) for row in rows}
    for row in rows:
        current_payment(loader, row, invoices[row.client.name], today, recorded_by)
    current_promises(loader, invoices, today)


def current_row(clients: dict[str, Client], serial: int, row: demo.DemoClient) -> CurrentInvoice:
    # Billed what it paid in November (October for those that did not pay in November).
    day, amount = row.november or (None, row.october[1])
    return CurrentInvoice(clients[row.name], serial, day, Decimal(amount))


def current_invoice(
    loader: Loader, row: CurrentInvoice, today: dt.date, recorded_by: Any
) -> Invoice:
    first = today.replace(day=1)
    # Odd serials on the 1st, even ones on the 2nd; never issued after today.
    issued_on = min(first + dt.timedelta(days=(row.serial + 1) % 2), today)
    due_on = issued_on + DUE_AFTER
    if row.usual_day is not None and row.usual_day >= LATE_PAYER_FROM_DAY:
        due_on = max(due_on, min(month_bounds(first)[1], today + LATE_DUE_FROM_TODAY))
    invoice, _created = loader.get_or_create(
        Invoice,
        client=row.client,
        number=f"{first:%Y-%m}-{row.serial:03d}",
        defaults={
            "month": first,
            "issued_on": issued_on,
            "due_on": due_on,
            "amount": row.amount,
            "recorded_by": recorded_by,
        },
    )
    return invoice


def current_payment(
    loader: Loader, row: CurrentInvoice, invoice: Invoice, today: dt.date, recorded_by: Any
) -> None:
    """The client pays on its usual day if that is already behind today (up to yesterday)."""
    if row.usual_day is None or row.usual_day >= today.day:
        return
    day = today.replace(day=row.usual_day)
    partial_client, partial_amount = PARTIAL
    amount = partial_amount if row.client.name == partial_client else str(invoice.amount)
    ref = f"demo-{today:%Y-%m}-{row.serial:03d}"
    loader.payment(
        row.client, ref, day, amount, recorded_by, purpose=f"Оплата по счёту № {invoice.number}"
    )


def current_promises(loader: Loader, invoices: dict[str, Invoice], today: dt.date) -> None:
    """Promises recorded by staff yesterday (today on the 1st), to pay in a few days."""
    called_on = max(today.replace(day=1), today - dt.timedelta(days=1))
    for name, caller, days in PROMISES:
        invoice = invoices[name]
        loader.get_or_create(
            Promise,
            client=invoice.client,
            invoice=invoice,
            defaults={
                "called_on": called_on,
                "promised_on": today + dt.timedelta(days=days),
                "amount": invoice.amount - paid_part(name),
                "recorded_by": loader.employees[caller].user,
            },
        )
        client = invoice.client
        if not client.contact and name in CONTACTS:
            client.contact = CONTACTS[name]
            client.save(update_fields=["contact"])


def paid_part(name: str) -> Decimal:
    partial_client, partial_amount = PARTIAL
    return Decimal(partial_amount) if name == partial_client else Decimal("0.00")
