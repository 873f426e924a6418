"""The payments kept by client and month always equal the payments they group, and the
usual-payer habit read from them is the one read from the payments themselves.

The forecast of every department's page and of the director's company pages reads the
habit from these rows: any drift would forecast the wrong money. Every way payments are
written is checked against a fresh aggregate, and both reads against the reads over the
payments they replaced (kept here as the reference).
"""

from __future__ import annotations

import datetime as dt
import itertools
import threading
import time
from collections import defaultdict
from decimal import Decimal
from pathlib import Path

import pytest
from django.contrib.postgres.aggregates import ArrayAgg
from django.db import connection, transaction
from django.db.models import Count, Q, Sum
from django.db.models.functions import TruncMonth
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from accounts.policy import SYSTEM
from compensation.company_cash import _usual_outlooks
from compensation.forecast import ClientOutlook
from core.money import KOPECK
from payments.importing import payments_import
from payments.models import Client, ClientMonthCollection, Invoice, Payment, Source
from payments.outstanding import USUAL_MONTHS, usual_payers
from payments.selectors import month_bounds
from payments.services import payment_record, payment_void
from tests.factories import Cast, ClientFactory, PaymentFactory

REFERENCES = itertools.count()
# Five days across a month's end, so writes move payments between client-months.
DAYS = [dt.date(2026, 9, 29) + dt.timedelta(days=n) for n in range(5)]
OCTOBER = dt.date(2026, 10, 1)
MonthKey = tuple[int, int, dt.date]
Figures = tuple[Decimal, int, list[int]]


def kept() -> dict[MonthKey, Figures]:
    return {
        (row.client_id, row.department_id, row.month): (
            row.amount,
            row.payment_count,
            row.days,
        )
        for row in ClientMonthCollection.objects.filter(payment_count__gt=0)
    }


def aggregated() -> dict[MonthKey, Figures]:
    grouped: dict[MonthKey, Figures] = {}
    for payment in Payment.objects.counted():
        key = (payment.client_id, payment.department_id, payment.received_on.replace(day=1))
        amount, count, days = grouped.get(key, (Decimal("0.00"), 0, []))
        grouped[key] = (
            amount + payment.amount,
            count + 1,
            sorted({*days, payment.received_on.day}),
        )
    return grouped


def assert_kept_exact() -> None:
    """The kept rows equal the counted payments they group; those left out, at zero,
    hold nothing indeed (readers skip them by their count)."""
    assert kept() == aggregated()
    stale = ClientMonthCollection.objects.filter(payment_count__lte=0).exclude(
        payment_count=0, amount=0, days=[]
    )
    assert list(stale.values()) == []


def test_recording_and_voiding_keep_the_days(cast: Cast) -> None:
    # given
    client = ClientFactory(department=cast.dept)
    # when two payments are recorded on one day, one on another, and one of the first voided
    first = payment_record(
        user=cast.admin, client=client, amount=Decimal("100.10"), received_on=DAYS[2]
    )
    payment_record(user=cast.admin, client=client, amount=Decimal("0.05"), received_on=DAYS[2])
    last = payment_record(
        user=cast.admin, client=client, amount=Decimal("7.00"), received_on=DAYS[4]
    )
    payment_void(user=cast.admin, payment=first, reason="Entered twice")
    # then the day stays while a payment is left on it
    assert kept() == {(client.pk, cast.dept.pk, OCTOBER): (Decimal("7.05"), 2, [1, 3])}
    # when the last payment of the 3rd is voided too, the 3rd goes
    payment_void(user=cast.admin, payment=last, reason="Wrong client")
    assert kept() == {(client.pk, cast.dept.pk, OCTOBER): (Decimal("0.05"), 1, [1])}


def test_a_payment_credited_again_moves_to_its_new_client_month(cast: Cast) -> None:
    # given
    before, after = ClientFactory(department=cast.dept), ClientFactory(department=cast.other)
    payment = PaymentFactory(client=before, received_on=DAYS[0], amount=Decimal("12.34"))
    # when it is credited again to another client of another department, a month later
    Payment.objects.filter(pk=payment.pk).update(
        client=after, department=cast.other, received_on=DAYS[3]
    )
    # then the old client-month is empty and the new one holds it
    assert kept() == {(after.pk, cast.other.pk, OCTOBER): (Decimal("12.34"), 1, [2])}
    assert_kept_exact()


def test_an_import_adds_its_payments_by_client_and_month(cast: Cast, tmp_path: Path) -> None:
    # given a file of four payments over a month's end (both write paths share the triggers)
    inn = ClientFactory(department=cast.dept).inn
    path = tmp_path / "days.csv"
    path.write_text(
        "date;amount;inn;reference\n"
        f"30.09.2026;10.01;{inn};a\n01.10.2026;20.02;{inn};b\n"
        f"01.10.2026;30.03;{inn};c\n03.10.2026;0.01;{inn};d\n",
        encoding="utf-8",
    )
    # when it is imported twice (the second time adds nothing)
    for _ in range(2):
        with path.open("rb") as stream:
            payments_import(user=SYSTEM, file_name="days.csv", data=stream)
    # then
    client = Client.objects.get(inn=inn)
    assert kept() == {
        (client.pk, cast.dept.pk, dt.date(2026, 9, 1)): (Decimal("10.01"), 1, [30]),
        (client.pk, cast.dept.pk, OCTOBER): (Decimal("50.06"), 3, [1, 3]),
    }


# Each operation is one statement against the payments table, as any code could issue.
OPERATIONS = st.lists(
    st.tuples(
        st.sampled_from(
            [
                "create",
                "bulk",
                "void",
                "unvoid",
                "move",
                "reprice",
                "reassign",
                "transfer",
                "delete",
            ]
        ),
        st.integers(min_value=0, max_value=4),
        st.decimals(min_value=Decimal("0.01"), max_value=Decimal("99999.99"), places=2),
    ),
    max_size=12,
)


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(operations=OPERATIONS)
def test_any_sequence_of_writes_keeps_the_client_months_exact(
    cast: Cast, operations: list[tuple[str, int, Decimal]]
) -> None:
    Payment.objects.all().delete()
    clients = [ClientFactory(department=cast.dept), ClientFactory(department=cast.other)]
    responsible = [cast.masha, None, cast.vasya]
    for kind, n, amount in operations:
        day, client = DAYS[n], clients[n % 2]
        payments = Payment.objects.order_by("pk")
        chosen = payments.filter(pk__in=payments.values("pk")[n : n + 2])
        if kind == "create":
            PaymentFactory(client=client, received_on=day, amount=amount)
        elif kind == "bulk":
            Payment.objects.bulk_create(
                [
                    Payment.of_client(
                        client,
                        amount=amount,
                        received_on=DAYS[(n + i) % 5],
                        source=Source.MANUAL,
                        source_ref=f"bulk-{next(REFERENCES)}",
                    )
                    for i in range(3)
                ]
            )
        elif kind == "void":
            chosen.filter(voided_at__isnull=True).update(
                voided_at=dt.datetime(2026, 11, 1, tzinfo=dt.UTC), void_reason="wrong"
            )
        elif kind == "unvoid":
            chosen.update(voided_at=None, void_reason="")
        elif kind == "move":
            chosen.update(received_on=day)
        elif kind == "reprice":
            chosen.update(amount=amount)
        elif kind == "reassign":
            chosen.update(responsible=responsible[n % 3])
        elif kind == "transfer":
            chosen.update(client=client, department=client.department)
        else:
            chosen.delete()
    assert_kept_exact()


@pytest.mark.django_db
@pytest.mark.parametrize("name", ["insert", "update", "delete"])
def test_the_triggers_exist(name: str) -> None:
    # A migration that rebuilt the payments table would lose them silently.
    with connection.cursor() as cursor:
        cursor.execute("SELECT tgname FROM pg_trigger WHERE tgrelid = 'payments_payment'::regclass")
        names = {row[0] for row in cursor.fetchall()}
    assert f"payments_client_month_{name}" in names, names


# --- the reads over the payments they replaced, as they were ---------------------------------


def payers_from_payments(department_id: int, month: dt.date) -> set[tuple]:
    first, last = month_bounds(month)
    since = (first - dt.timedelta(days=USUAL_MONTHS * 31)).replace(day=1)
    before = Q(received_on__lt=first)
    rows = (
        Payment.objects.counted()
        .filter(department_id=department_id, received_on__gte=since, received_on__lte=last)
        # Clients the department bills this month are forecast by their invoices.
        .exclude(
            client_id__in=Invoice.objects.filter(
                month=first, client__department_id=department_id
            ).values("client_id")
        )
        .values("client_id")
        .annotate(
            dates=ArrayAgg("received_on", distinct=True, filter=before, default=[]),
            months=Count(TruncMonth("received_on"), distinct=True, filter=before),
            total=Sum("amount", filter=before, default=Decimal("0.00")),
            this_month=Sum("amount", filter=~before, default=Decimal("0.00")),
        )
        .filter(months__gt=0)
        .order_by()
    )
    return {
        (
            row["client_id"],
            tuple(sorted(day.day for day in row["dates"])),
            (row["total"] / row["months"]).quantize(KOPECK),
            row["this_month"],
        )
        for row in rows
    }


OLD_COMPANY_SQL = """
WITH days AS (
    SELECT client_id, department_id, received_on, sum(amount) AS total
    FROM payments_payment
    WHERE voided_at IS NULL AND received_on BETWEEN %(since)s AND %(last)s
        AND client_id NOT IN (SELECT client_id FROM payments_invoice WHERE month = %(first)s)
    GROUP BY client_id, department_id, received_on
)
SELECT client_id, min(department_id),
    percentile_disc(0.5) WITHIN GROUP (ORDER BY extract(day FROM received_on))
        FILTER (WHERE received_on < %(first)s),
    sum(total) FILTER (WHERE received_on < %(first)s),
    count(DISTINCT date_trunc('month', received_on)) FILTER (WHERE received_on < %(first)s),
    coalesce(sum(total) FILTER (WHERE received_on >= %(first)s), 0)
FROM days
GROUP BY client_id
HAVING count(*) FILTER (WHERE received_on < %(first)s) > 0
"""


def company_from_payments(month: dt.date) -> dict[int, list[ClientOutlook]]:
    first, last = month_bounds(month)
    since = (first - dt.timedelta(days=USUAL_MONTHS * 31)).replace(day=1)
    with connection.cursor() as cursor:
        cursor.execute(OLD_COMPANY_SQL, {"since": since, "first": first, "last": last})
        rows = cursor.fetchall()
    outlooks: dict[int, list[ClientOutlook]] = defaultdict(list)
    for _client, department, day, total, months, this_month in rows:
        monthly = (total / months).quantize(KOPECK)
        outlooks[department].append(
            ClientOutlook(
                usual_day=int(day), usual_amount=max(Decimal("0.00"), monthly - this_month)
            )
        )
    return outlooks


def same_outlooks(outlooks: dict[int, list[ClientOutlook]]) -> dict[int, list[tuple]]:
    return {
        department: sorted((o.usual_day, o.usual_amount) for o in rows)
        for department, rows in outlooks.items()
    }


# A payment: (client 0-3, credited to the client's own department or the other, days
# before the month's end (up to ten months back), kopecks, voided, invoiced this month).
PAYMENTS = st.lists(
    st.tuples(
        st.integers(min_value=0, max_value=3),
        st.booleans(),
        st.integers(min_value=0, max_value=300),
        st.integers(min_value=1, max_value=10_000_000),
        st.booleans(),
    ),
    max_size=40,
)


@settings(
    max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(payments=PAYMENTS, invoiced=st.sets(st.integers(min_value=0, max_value=3)))
def test_the_habit_read_by_month_is_the_one_read_from_the_payments(
    cast: Cast, payments: list[tuple[int, bool, int, int, bool]], invoiced: set[int]
) -> None:
    # given payments over ten months, some voided, some credited to another department
    Invoice.objects.all().delete()
    Payment.objects.all().delete()
    departments = [cast.dept, cast.other]
    clients = [ClientFactory(department=departments[n % 2]) for n in range(4)]
    month_end = dt.date(2026, 10, 31)
    rows = []
    for client, elsewhere, back, kopecks, voided in payments:
        payment = Payment.of_client(
            clients[client],
            amount=Decimal(kopecks) / 100,
            received_on=month_end - dt.timedelta(days=back),
            source=Source.MANUAL,
            source_ref=f"habit-{next(REFERENCES)}",
        )
        if elsewhere:
            payment.department = departments[(client + 1) % 2]
        if voided:
            payment.voided_at, payment.void_reason = timezone.now(), "twice"
        rows.append(payment)
    Payment.objects.bulk_create(rows)
    for n in invoiced:
        Invoice.objects.create(
            client=clients[n],
            month=OCTOBER,
            number=f"INV-{next(REFERENCES)}",
            issued_on=OCTOBER,
            due_on=dt.date(2026, 10, 15),
            amount=Decimal("100.00"),
        )
    # then each department's payers and the company's habits are the same both ways
    for department in departments:
        new = {
            (p.client_id, tuple(sorted(p.days)), p.monthly, p.this_month)
            for p in usual_payers(department, OCTOBER)
        }
        assert new == payers_from_payments(department.pk, OCTOBER)
    assert same_outlooks(_usual_outlooks(OCTOBER)) == same_outlooks(company_from_payments(OCTOBER))


def test_the_habit_reads_one_query_whatever_the_payments(
    cast: Cast, django_assert_num_queries
) -> None:
    # given many clients paying on many days of many months
    clients = [ClientFactory(department=cast.dept) for _ in range(20)]
    Payment.objects.bulk_create(
        Payment.of_client(
            client,
            amount=Decimal("10.00"),
            received_on=dt.date(2026, 10, 20) - dt.timedelta(days=7 * week + n),
            source=Source.MANUAL,
            source_ref=f"many-{next(REFERENCES)}",
        )
        for n, client in enumerate(clients)
        for week in range(30)
    )
    # then each read is one query, and reads every client
    with django_assert_num_queries(1):
        payers = usual_payers(cast.dept, OCTOBER)
    assert len(payers) == 20
    with django_assert_num_queries(1):
        outlooks = _usual_outlooks(OCTOBER)
    assert len(outlooks[cast.dept.pk]) == 20


@pytest.mark.django_db(transaction=True)
def test_a_void_while_another_transaction_adds_to_the_month_loses_nothing() -> None:
    # given a client with one payment in October (outside any test transaction)
    from tests.factories import DepartmentFactory

    department = DepartmentFactory()
    client = ClientFactory(department=department)
    voided = PaymentFactory(client=client, received_on=DAYS[3], amount=Decimal("5.00"))
    # when one transaction adds a payment to the month and, before it commits, another
    # voids the first payment (its recount waits for the first transaction's row lock)
    with transaction.atomic():
        PaymentFactory(client=client, received_on=DAYS[4], amount=Decimal("7.00"))
        voiding = threading.Thread(target=_void_in_own_connection, args=[voided.pk])
        voiding.start()
        time.sleep(1)
    voiding.join()
    # then the month holds the added payment alone
    assert kept() == {(client.pk, department.pk, OCTOBER): (Decimal("7.00"), 1, [3])}
    assert_kept_exact()


def _void_in_own_connection(pk: int) -> None:
    try:
        Payment.objects.filter(pk=pk).update(voided_at=timezone.now(), void_reason="twice")
    finally:
        connection.close()
