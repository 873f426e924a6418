"""Which invoices a client's payments settle: a pure function, no database.

A payment settles invoices of its own client: first the invoice its purpose names
("№ 101", "счет 101", "сч. 101"), if that one is still open, then the rest oldest first.
A part left open stays owed; money beyond every invoice is the client's credit, kept and
shown, never lost. Everything adds up: Σ settled + credit = Σ paid, and
Σ settled + Σ open = Σ invoiced.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal

ZERO = Decimal("0.00")

# How a purpose is read, written once for Python and for the database's trigger
# (``ClientMonthBalance``), which runs the same pattern: no character class that depends
# on the database's locale. Letters are folded to lower case first (Latin and Cyrillic,
# the alphabets invoice numbers are written in); a number is a run of those letters,
# digits, "_", "-" and "/" that starts with a letter or a digit and holds a digit, after
# "№", "счёт"/"счет" (any ending), "сч.", "No." or "invoice".
UPPER = "ABCDEFGHIJKLMNOPQRSTUVWXYZАБВГДЕЁЖЗИЙКЛМНОПРСТУФХЦЧШЩЪЫЬЭЮЯ"
LOWER = "abcdefghijklmnopqrstuvwxyzабвгдеёжзийклмнопрстуфхцчшщъыьэюя"
_FOLD = str.maketrans(UPPER, LOWER)
_ALNUM = "0-9a-zа-яё"
_SPACE = " \t\n\r\f\v\u00a0"
NAMED_PATTERN = (
    f"(?:№|(?<![{_ALNUM}_])(?:сч[её]т[а-яё]*|сч\\.|no\\.|invoice))"
    f"[{_SPACE}]*(?:№[{_SPACE}]*)?((?:[0-9]|[{_ALNUM}][{_ALNUM}_/-]*[0-9])[{_ALNUM}_/-]*)"
)
_NAMED = re.compile(NAMED_PATTERN)


def fold(text: str) -> str:
    """Latin and Cyrillic capitals in lower case, nothing else changed."""
    return text.translate(_FOLD)


@dataclass(frozen=True)
class InvoiceDue:
    number: str
    issued_on: dt.date
    due_on: dt.date
    amount: Decimal


@dataclass(frozen=True)
class PaymentMade:
    received_on: dt.date
    amount: Decimal
    purpose: str = ""


@dataclass(frozen=True)
class InvoiceState:
    number: str
    issued_on: dt.date
    due_on: dt.date
    amount: Decimal
    settled: Decimal

    @property
    def open(self) -> Decimal:
        return self.amount - self.settled

    def overdue_days(self, today: dt.date) -> int:
        """Days past due with money still open (0 when paid or not yet due)."""
        return max(0, (today - self.due_on).days) if self.open else 0


@dataclass(frozen=True)
class Settlement:
    invoices: tuple[InvoiceState, ...]
    paid: Decimal
    credit: Decimal

    @property
    def invoiced(self) -> Decimal:
        return sum((i.amount for i in self.invoices), ZERO)

    @property
    def settled(self) -> Decimal:
        return sum((i.settled for i in self.invoices), ZERO)

    @property
    def open(self) -> Decimal:
        return sum((i.open for i in self.invoices), ZERO)

    def overdue_days(self, today: dt.date) -> int:
        return max((i.overdue_days(today) for i in self.invoices), default=0)

    def open_invoices(self) -> tuple[InvoiceState, ...]:
        return tuple(i for i in self.invoices if i.open)


def named_numbers(purpose: str) -> list[str]:
    """The invoice numbers a payment's purpose names, folded, in the order written."""
    return [match.group(1).rstrip("-/") for match in _NAMED.finditer(fold(purpose or ""))]


def settle(invoices: Iterable[InvoiceDue], payments: Iterable[PaymentMade]) -> Settlement:
    """Apply one client's payments, earliest first (those of one day in the order given),
    to their invoices."""
    ordered = sorted(invoices, key=lambda i: (i.issued_on, i.due_on, i.number))
    open_amounts = [i.amount for i in ordered]
    by_number: dict[str, int] = {}
    for index, invoice in enumerate(ordered):
        # Two numbers that differ only in case: a purpose names the older invoice.
        by_number.setdefault(fold(invoice.number), index)
    paid = credit = ZERO
    for payment in sorted(payments, key=lambda p: p.received_on):
        paid += payment.amount
        left = payment.amount
        named = [by_number[n] for n in named_numbers(payment.purpose) if n in by_number]
        for index in _order(named, len(ordered)):
            take = min(left, open_amounts[index])
            open_amounts[index] -= take
            left -= take
            if not left:
                break
        credit += left
    states = tuple(
        InvoiceState(i.number, i.issued_on, i.due_on, i.amount, i.amount - remaining)
        for i, remaining in zip(ordered, open_amounts, strict=True)
    )
    return Settlement(invoices=states, paid=paid, credit=credit)


def _order(named: Sequence[int], count: int) -> list[int]:
    """The invoices named first, then every other one, oldest first."""
    return [*dict.fromkeys(named), *(i for i in range(count) if i not in named)]
