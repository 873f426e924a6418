"""A client's promise history: every promise recorded, and whether it was kept.

A promise is kept once the client's payments received from the day of the call through
the promised day add up to the amount promised; broken when the promised day has passed
without that; open until then. Three queries whatever the history's length: the
promises, the client's payments over their days, and (on the page) the client.
"""

from __future__ import annotations

import bisect
import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from payments.models import Client, Invoice, Payment, Promise

ZERO = Decimal("0.00")


class PromiseStatus(models.TextChoices):
    KEPT = "kept", _("kept")
    BROKEN = "broken", _("broken")
    OPEN = "open", pgettext_lazy("promise", "open")


@dataclass(frozen=True)
class PromiseRow:
    promise: Promise
    paid: Decimal  # received from the call through the promised day
    status: PromiseStatus


class PaidByDay:
    """A client's payments as running totals by day: the sum over any days in two looks."""

    def __init__(self, payments: Sequence[tuple[dt.date, Decimal]]) -> None:
        self.days: list[dt.date] = []
        self.running: list[Decimal] = []
        total = ZERO
        for day, amount in sorted(payments):
            total += amount
            self.days.append(day)
            self.running.append(total)

    def _upto(self, day: dt.date) -> Decimal:
        index = bisect.bisect_right(self.days, day)
        return self.running[index - 1] if index else ZERO

    def between(self, first: dt.date, last: dt.date) -> Decimal:
        return self._upto(last) - self._upto(first - dt.timedelta(days=1))


def promise_status(
    *, paid: Decimal, amount: Decimal, promised_on: dt.date, today: dt.date
) -> PromiseStatus:
    if paid >= amount:
        return PromiseStatus.KEPT
    return PromiseStatus.BROKEN if promised_on < today else PromiseStatus.OPEN


def promise_history(
    client: Client, *, today: dt.date, invoice: Invoice | None = None
) -> list[PromiseRow]:
    """Every promise of ``client``, newest call first, each with its status.

    For one ``invoice``: the promises naming it, and those naming none recorded while it
    was billed (called from its date to the end of its month).
    """
    promises = Promise.objects.filter(client=client).select_related(
        "recorded_by__employee", "invoice"
    )
    if invoice is not None:
        month_end = (invoice.month + dt.timedelta(days=31)).replace(day=1) - dt.timedelta(days=1)
        unnamed = Q(invoice__isnull=True, called_on__range=(invoice.issued_on, month_end))
        promises = promises.filter(Q(invoice=invoice) | unnamed)
    promises = list(promises.order_by("-called_on", "-id"))
    if not promises:
        return []
    paid = PaidByDay(
        Payment.objects.counted()
        .filter(
            client=client,
            received_on__range=(
                min(p.called_on for p in promises),
                max(p.promised_on for p in promises),
            ),
        )
        .values_list("received_on", "amount")
        .order_by()
    )
    return [_row(promise, paid, today) for promise in promises]


def _row(promise: Promise, paid: PaidByDay, today: dt.date) -> PromiseRow:
    received = paid.between(promise.called_on, promise.promised_on)
    status = promise_status(
        paid=received, amount=promise.amount, promised_on=promise.promised_on, today=today
    )
    return PromiseRow(promise=promise, paid=received, status=status)
