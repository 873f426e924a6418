"""What each client of a department still owes this month, and who chases them.

Read from ``ClientMonthBalance``, each client's month as the database settles it: a
page of clients and the totals over all of them in a fixed number of queries, whatever
the number of clients and payments.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.conf import settings
from django.contrib.postgres.aggregates import StringAgg
from django.core.paginator import Page
from django.db import connection
from django.db.models import Count, F, Func, Q, QuerySet, Sum, Value, Window

from accounts.models import Department, Employee
from core.money import KOPECK
from core.queries import any_of
from payments.models import (
    Client,
    ClientMonthBalance,
    ClientMonthCollection,
    OpenInvoice,
    Promise,
)
from payments.selectors import month_bounds

ZERO = Decimal("0.00")


def billed(department: Department, month: dt.date) -> QuerySet[ClientMonthBalance]:
    """The department's clients invoiced for ``month``, each with their month's balance."""
    return ClientMonthBalance.objects.filter(
        department=department, month=month.replace(day=1), invoice_count__gt=0
    )


def owing(department: Department, month: dt.date) -> QuerySet[ClientMonthBalance]:
    """Those of them who still owe, largest debt first."""
    return billed(department, month).filter(owed__gt=0).order_by("-owed", "pk")


@dataclass(frozen=True)
class ClientOwed:
    """One client's month on a list: the database's balance and their promises."""

    balance: ClientMonthBalance
    promises: tuple[Promise, ...]
    overdue_days: int

    @property
    def client(self) -> Client:
        return self.balance.client

    @property
    def invoiced(self) -> Decimal:
        return self.balance.invoiced

    @property
    def received(self) -> Decimal:
        return self.balance.paid

    @property
    def owed(self) -> Decimal:
        return self.balance.owed

    @property
    def credit(self) -> Decimal:
        return self.balance.credit

    @property
    def open_invoices(self) -> list[OpenInvoice]:
        return self.balance.open_invoices

    @property
    def responsible(self) -> Employee | None:
        return self.balance.responsible


def with_promises(
    balances: list[ClientMonthBalance], month: dt.date, *, today: dt.date
) -> list[ClientOwed]:
    """The rows of one page, each with the client's promises for the month (one query)."""
    first, last = month_bounds(month)
    promises: dict[int, list[Promise]] = defaultdict(list)
    ids = any_of(row.client_id for row in balances)
    for promise in Promise.objects.filter(
        client_id__in=ids, promised_on__gte=first, called_on__lte=last
    ).select_related("recorded_by"):
        promises[promise.client_id].append(promise)
    return [
        ClientOwed(
            balance=row,
            promises=tuple(promises[row.client_id]),
            overdue_days=row.overdue_days(today),
        )
        for row in balances
    ]


@dataclass
class ResponsibleGroup:
    """Who is responsible for a group of clients today, what the whole group owes and the
    group's clients shown on the page."""

    employee: Employee | None
    owed: Decimal
    clients: list[ClientOwed] = field(default_factory=list)


def groups_of(rows: QuerySet[ClientMonthBalance]) -> list[ResponsibleGroup]:
    """Each responsible person's total over ``rows`` (who is responsible for the client
    today, a colleague covering a leave included): the group owing most first (two
    queries)."""
    totals = list(
        rows.order_by()
        .values("responsible")
        .annotate(total=Sum("owed"))
        .order_by("-total", "responsible")
    )
    people = {
        person.pk: person
        for person in Employee.objects.filter(pk__in=any_of(row["responsible"] for row in totals))
    }
    return [ResponsibleGroup(people.get(row["responsible"]), row["total"]) for row in totals]


def in_group_order(rows: QuerySet[ClientMonthBalance]) -> QuerySet[ClientMonthBalance]:
    """``rows`` in the order the grouped list shows them (to cut in pages): by their
    group's total, then largest debt first within it."""
    group_total = Window(Sum("owed"), partition_by=[F("responsible")])
    return rows.annotate(group_total=group_total).order_by(
        "-group_total", "responsible", "-owed", "pk"
    )


def taken(
    rows: QuerySet[ClientMonthBalance], start: int, count: int, *, largest: str = "owed"
) -> list[ClientMonthBalance]:
    """``count`` of ``rows`` from ``start``, with each client and responsible person, the
    ``largest`` first: the database cuts the rows in their own order first and joins
    only those (one query, for an empty page too). ``on_page`` groups them."""
    cut = rows.values("pk")[start : start + count]
    return list(
        ClientMonthBalance.objects.filter(pk__in=cut)
        .select_related("client", "responsible")
        .order_by(f"-{largest}", "pk")
    )


def of_page(rows: QuerySet[ClientMonthBalance], page: Page) -> list[ClientMonthBalance]:
    """The rows of ``page`` of ``rows`` (see ``taken``), largest debt first."""
    size = page.paginator.per_page
    return taken(rows, (page.number - 1) * size, size)


def on_page(groups: list[ResponsibleGroup], rows: list[ClientOwed]) -> list[ResponsibleGroup]:
    """The groups of one page's ``rows``, each still headed by what the whole group owes."""
    parts = []
    for group in groups:
        key = group.employee.pk if group.employee else None
        clients = [row for row in rows if row.balance.responsible_id == key]
        if clients:
            parts.append(ResponsibleGroup(group.employee, group.owed, clients))
    return parts


@dataclass(frozen=True)
class Totals:
    clients: int
    amount: Decimal


def totals(rows: QuerySet[ClientMonthBalance], column: str = "owed") -> Totals:
    """How many clients ``rows`` holds and their sum of ``column`` (one query)."""
    figures = rows.order_by().aggregate(clients=Count("pk"), amount=Sum(column, default=ZERO))
    return Totals(figures["clients"], figures["amount"])


def call_list_open(month: dt.date, today: dt.date) -> bool:
    """Calls start on the morning of ``CALL_LIST_FROM_DAY`` (the 7th) of the month."""
    first = month.replace(day=1)
    return today >= first.replace(day=settings.CALL_LIST_FROM_DAY)


def call_list(department: Department, month: dt.date) -> QuerySet[ClientMonthBalance]:
    """Medium and large clients (invoiced at least ``CALL_LIST_MIN_AMOUNT``) still owing,
    largest debt first."""
    minimum = Decimal(settings.CALL_LIST_MIN_AMOUNT)
    return owing(department, month).filter(invoiced__gte=minimum)


def with_credit(department: Department, month: dt.date) -> QuerySet[ClientMonthBalance]:
    """The clients who paid beyond their month's invoices, the largest credit first."""
    return billed(department, month).filter(credit__gt=0).order_by("-credit", "pk")


# --- the forecast's part of the invoiced clients ------------------------------------------

# Money still open on each billed client's invoices, by the day it is expected: the due
# date, or today for an invoice already overdue; none after the month's last day. Only the
# clients with no promise still to come: a promise says when their money comes instead
# (``promising``). One query for a department or the whole company.
_OPEN_BY_DAY_SQL = """
SELECT b.department_id, GREATEST(u.due, %(today)s) AS day, sum(u.amount)
FROM {balances} b
CROSS JOIN LATERAL unnest(b.open_due, b.open_amounts) AS u(due, amount)
WHERE b.month = %(first)s AND b.owed > 0
    AND (%(department)s::bigint IS NULL OR b.department_id = %(department)s::bigint)
    AND GREATEST(u.due, %(today)s) <= %(last)s
    AND NOT EXISTS (
        SELECT 1 FROM {promises} p
        WHERE p.client_id = b.client_id AND p.promised_on >= %(today)s
            AND p.promised_on >= %(first)s AND p.called_on <= %(last)s
    )
GROUP BY b.department_id, GREATEST(u.due, %(today)s)
"""


def open_by_day(
    month: dt.date, *, today: dt.date, department: Department | None = None
) -> dict[int, dict[dt.date, Decimal]]:
    """Per department, the money the billed clients without a promise still to come owe,
    by the day it is expected (see ``_OPEN_BY_DAY_SQL``)."""
    first, last = month_bounds(month)
    sql = _OPEN_BY_DAY_SQL.format(
        balances=ClientMonthBalance._meta.db_table, promises=Promise._meta.db_table
    )
    params = {
        "first": first,
        "last": last,
        "today": today,
        "department": department.pk if department else None,
    }
    expected: dict[int, dict[dt.date, Decimal]] = defaultdict(dict)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        for department_id, day, amount in cursor.fetchall():
            expected[department_id][day] = amount
    return dict(expected)


@dataclass(frozen=True)
class Promising:
    """A billed client with a promise still to come: their open invoices and promises."""

    department_id: int
    open_invoices: tuple[tuple[dt.date, Decimal], ...]  # (due on, still open)
    promises: tuple[tuple[dt.date, Decimal], ...]  # (promised on, amount)


def promising(
    month: dt.date, *, today: dt.date, department: Department | None = None
) -> list[Promising]:
    """The billed clients still owing who promised to pay on a day still to come, with
    every promise of the month (two queries)."""
    first, last = month_bounds(month)
    live = Promise.objects.filter(promised_on__gte=max(first, today), called_on__lte=last)
    rows = ClientMonthBalance.objects.filter(
        month=first, owed__gt=0, client__in=live.values("client_id")
    )
    if department is not None:
        rows = rows.filter(department=department)
    balances = list(rows.values("client_id", "department_id", "open_due", "open_amounts"))
    promised: dict[int, list[tuple[dt.date, Decimal]]] = defaultdict(list)
    for client, day, amount in Promise.objects.filter(
        client_id__in=any_of(row["client_id"] for row in balances),
        promised_on__gte=first,
        called_on__lte=last,
    ).values_list("client_id", "promised_on", "amount"):
        promised[client].append((day, amount))
    return [
        Promising(
            department_id=row["department_id"],
            open_invoices=tuple(zip(row["open_due"], row["open_amounts"], strict=True)),
            promises=tuple(promised[row["client_id"]]),
        )
        for row in balances
    ]


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
    """The clients who paid the department in the months before this one
    (``usual_since``) and are billed nothing by it this month: the invoices of those who
    are say what they owe.

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
        .exclude(client__in=billed(department, first).values("client_id"))
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
