"""What each client of a department still owes this month, and who chases them.

Reads four queries whatever the number of clients: the clients with whom they are
assigned to, their invoices of the month, their payments of the month, their promises.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.conf import settings
from django.contrib.postgres.aggregates import StringAgg
from django.db.models import Count, F, Func, Q, QuerySet, Sum, Value

from accounts.models import Department, Employee
from core.money import KOPECK
from payments.models import Client, ClientMonthCollection, Invoice, Payment, Promise
from payments.selectors import month_bounds
from payments.settlement import InvoiceDue, PaymentMade, Settlement, settle


@dataclass(frozen=True)
class ClientOwed:
    client: Client
    settlement: Settlement
    promises: tuple[Promise, ...]
    overdue_days: int

    @property
    def invoiced(self) -> Decimal:
        return self.settlement.invoiced

    @property
    def received(self) -> Decimal:
        return self.settlement.paid

    @property
    def owed(self) -> Decimal:
        return self.settlement.open

    @property
    def credit(self) -> Decimal:
        return self.settlement.credit

    @property
    def responsible(self) -> Employee | None:
        return self.client.responsible


@dataclass
class ResponsibleGroup:
    employee: Employee | None
    clients: list[ClientOwed] = field(default_factory=list)
    # What the whole group owes, when ``clients`` is only the part of it on one page.
    whole: Decimal | None = None

    @property
    def owed(self) -> Decimal:
        if self.whole is not None:
            return self.whole
        return sum((c.owed for c in self.clients), Decimal("0.00"))


def clients_owed(
    department: Department,
    month: dt.date,
    *,
    today: dt.date,
    among: QuerySet[Client] | None = None,
) -> list[ClientOwed]:
    """Every client invoiced this month with what they were invoiced, paid and still owe,
    largest debt first (``among``: only those clients, a filter's result)."""
    first, last = month_bounds(month)
    clients = Client.objects.filter(department=department, invoices__month=first).distinct()
    if among is not None:
        clients = clients.filter(pk__in=among.values("pk"))
    clients_by_id = {c.pk: c for c in clients.select_related("responsible").order_by()}
    ids = list(clients_by_id)
    invoices = defaultdict(list)
    for row in Invoice.objects.filter(client_id__in=ids, month=first).values(
        "client_id", "number", "issued_on", "due_on", "amount"
    ):
        invoices[row.pop("client_id")].append(InvoiceDue(**row))
    payments = defaultdict(list)
    for row in (
        Payment.objects.counted()
        .filter(client_id__in=ids, received_on__range=(first, last))
        .values("client_id", "received_on", "amount", "purpose")
    ):
        payments[row.pop("client_id")].append(PaymentMade(**row))
    promises = defaultdict(list)
    for promise in Promise.objects.filter(
        client_id__in=ids, promised_on__gte=first, called_on__lte=last
    ).select_related("recorded_by"):
        promises[promise.client_id].append(promise)
    owed = []
    for pk, client in clients_by_id.items():
        settlement = settle(invoices[pk], payments[pk])
        owed.append(
            ClientOwed(
                client=client,
                settlement=settlement,
                promises=tuple(promises[pk]),
                overdue_days=settlement.overdue_days(today),
            )
        )
    return sorted(owed, key=lambda c: (-c.owed, c.client.name))


def by_responsible(owed: list[ClientOwed]) -> list[ResponsibleGroup]:
    """The clients who still owe, grouped by who is responsible for them today (a
    colleague covering a leave included): the group owing most first."""
    groups: dict[int | None, ResponsibleGroup] = {}
    for row in owed:
        if row.owed:
            key = row.client.responsible_id
            groups.setdefault(key, ResponsibleGroup(row.responsible)).clients.append(row)
    return sorted(groups.values(), key=lambda g: (-g.owed, str(g.employee or "")))


def in_group_order(groups: list[ResponsibleGroup]) -> list[ClientOwed]:
    """The groups' clients one after another, as the list shows them (to cut in pages)."""
    return [row for group in groups for row in group.clients]


def on_page(groups: list[ResponsibleGroup], rows: list[ClientOwed]) -> list[ResponsibleGroup]:
    """The groups of one page's ``rows``, each still headed by what the whole group owes."""
    shown = {row.client.pk for row in rows}
    parts = []
    for group in groups:
        clients = [row for row in group.clients if row.client.pk in shown]
        if clients:
            parts.append(ResponsibleGroup(group.employee, clients, whole=group.owed))
    return parts


def call_list_open(month: dt.date, today: dt.date) -> bool:
    """Calls start on the morning of ``CALL_LIST_FROM_DAY`` (the 7th) of the month."""
    first = month.replace(day=1)
    return today >= first.replace(day=settings.CALL_LIST_FROM_DAY)


def call_list(owed: list[ClientOwed]) -> list[ClientOwed]:
    """Medium and large clients (invoiced at least ``CALL_LIST_MIN_AMOUNT``) still owing."""
    minimum = Decimal(settings.CALL_LIST_MIN_AMOUNT)
    return [row for row in owed if row.owed and row.invoiced >= minimum]


@dataclass(frozen=True)
class UsualPayer:
    """A client's habit over the months before this one (``usual_since``), and this
    month so far."""

    client_id: int
    days: tuple[int, ...]  # the day of the month of each payment
    monthly: Decimal  # what they paid in an average month they paid in
    this_month: Decimal


USUAL_MONTHS = 6


def usual_payers(department: Department, month: dt.date) -> list[UsualPayer]:
    """The department's clients who paid in the months before this one (``usual_since``).

    One query, a row a client, over the payments kept by client and month
    (``ClientMonthCollection``): a client-month is one row, whatever its payments.
    """
    first, _last = month_bounds(month)
    before = Q(month__lt=first)
    # By the department the payments were credited to, as the month rows are kept.
    rows = (
        ClientMonthCollection.objects.filter(
            department=department, month__gte=usual_since(first), month__lte=first
        )
        .filter(payment_count__gt=0)
        .values("client_id")
        .annotate(
            # Each row's days, all of them ("3,14,3"): an array of arrays of unequal
            # lengths is not one PostgreSQL can build.
            days=StringAgg(
                Func(F("days"), Value(","), function="array_to_string"),
                delimiter=",",
                filter=before,
                default="",
            ),
            months=Count("month", filter=before),
            total=Sum("amount", filter=before, default=Decimal("0.00")),
            this_month=Sum("amount", filter=~before, default=Decimal("0.00")),
        )
        .filter(months__gt=0)
        .order_by()
    )
    return [
        UsualPayer(
            client_id=row["client_id"],
            days=tuple(int(day) for day in row["days"].split(",")),
            monthly=(row["total"] / row["months"]).quantize(KOPECK),
            this_month=row["this_month"],
        )
        for row in rows
    ]


def usual_since(first: dt.date) -> dt.date:
    """The first month a habit is read from: the month in which the day ``USUAL_MONTHS``
    × 31 days before this month's first falls (so seven whole months before it)."""
    return (first - dt.timedelta(days=USUAL_MONTHS * 31)).replace(day=1)
