"""The balances the database keeps per client and month are the pure settlement's.

The cockpit's lists, the forecast and the director's company pages read what each client
was invoiced, paid and still owes from ``ClientMonthBalance``, kept by triggers on the
payments and the invoices tables. Any drift from ``payments.settlement.settle`` would
show a debt that is paid or hide one that is not: every way the two tables are written
is checked here against the pure function run over the rows themselves, and the
database's reading of a purpose against ``named_numbers``.
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
from django.db import connection, transaction
from django.utils import timezone
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from accounts.policy import SYSTEM
from compensation.cockpit import expected_money
from compensation.company_cash import expected_by_department
from compensation.forecast import ClientOutlook, expected_by_day
from payments.importing import payments_import
from payments.models import Client, ClientMonthBalance, Invoice, Payment, Promise, Source
from payments.settlement import InvoiceDue, PaymentMade, named_numbers, settle
from tests.factories import Cast, ClientFactory, DepartmentFactory, PaymentFactory

D = Decimal
REFERENCES = itertools.count()
NUMBERS = itertools.count(1)
OCTOBER = dt.date(2026, 10, 1)
# Five days across a month's end, so writes move payments between client-months.
DAYS = [dt.date(2026, 9, 29) + dt.timedelta(days=n) for n in range(5)]
Row = tuple[Decimal, int, Decimal, Decimal, list[str], list[dt.date], list[Decimal], dt.date | None]


def kept() -> dict[tuple[int, dt.date], Row]:
    return {
        (row.client_id, row.month): (
            row.invoiced,
            row.invoice_count,
            row.paid,
            row.settled,
            row.open_numbers,
            row.open_due,
            row.open_amounts,
            row.overdue_from,
        )
        for row in ClientMonthBalance.objects.exclude(invoice_count=0, paid=0)
    }


def settled_by_python() -> dict[tuple[int, dt.date], Row]:
    """The pure settlement of every client-month with an invoice or a counted payment,
    the payments of a day in the order they were recorded."""
    invoices: dict[tuple[int, dt.date], list[InvoiceDue]] = defaultdict(list)
    for invoice in Invoice.objects.all():
        invoices[invoice.client_id, invoice.month].append(
            InvoiceDue(invoice.number, invoice.issued_on, invoice.due_on, invoice.amount)
        )
    payments: dict[tuple[int, dt.date], list[PaymentMade]] = defaultdict(list)
    for payment in Payment.objects.counted().order_by("received_on", "pk"):
        payments[payment.client_id, payment.received_on.replace(day=1)].append(
            PaymentMade(payment.received_on, payment.amount, payment.purpose)
        )
    expected = {}
    for key in set(invoices) | set(payments):
        result = settle(invoices[key], payments[key])
        still = result.open_invoices()
        expected[key] = (
            result.invoiced,
            len(invoices[key]),
            result.paid,
            result.settled,
            [i.number for i in still],
            [i.due_on for i in still],
            [i.open for i in still],
            min((i.due_on for i in still), default=None),
        )
    return expected


def assert_kept_exact() -> None:
    assert kept() == settled_by_python()
    # Each row is filed under its client's department and responsible person as they are.
    for row in ClientMonthBalance.objects.select_related("client"):
        assert (row.department_id, row.responsible_id) == (
            row.client.department_id,
            row.client.responsible_id,
        )
    # Rows left with nothing hold nothing indeed.
    empty = ClientMonthBalance.objects.filter(invoice_count=0, paid=0)
    assert all(
        (r.invoiced, r.settled, r.open_numbers, r.overdue_from) == (0, 0, [], None) for r in empty
    )


def invoice(client: Client, number: str, amount: str, *, day: int = 1, due: int = 10) -> Invoice:
    return Invoice.objects.create(
        client=client,
        month=OCTOBER,
        number=number,
        issued_on=OCTOBER.replace(day=day),
        due_on=OCTOBER.replace(day=due),
        amount=D(amount),
    )


def paid(client: Client, amount: str, *, day: int = 5, purpose: str = "") -> Payment:
    return PaymentFactory(
        client=client, amount=D(amount), received_on=OCTOBER.replace(day=day), purpose=purpose
    )


def balance(client: Client) -> ClientMonthBalance:
    return ClientMonthBalance.objects.get(client=client, month=OCTOBER)


# --- the settlement rules, as the database keeps them ---------------------------------------


def test_a_part_payment_leaves_the_rest_owed(cast: Cast) -> None:
    client = ClientFactory(department=cast.dept)
    invoice(client, "101", "1000.00")
    paid(client, "400.00")
    row = balance(client)
    assert (row.invoiced, row.paid, row.owed, row.credit) == (
        D("1000.00"),
        D("400.00"),
        D("600.00"),
        D("0.00"),
    )
    assert row.open_invoices == [("101", dt.date(2026, 10, 10), D("600.00"))]
    assert row.overdue_days(dt.date(2026, 10, 13)) == 3


def test_an_overpayment_is_credit_never_lost(cast: Cast) -> None:
    client = ClientFactory(department=cast.dept)
    invoice(client, "101", "1000.00")
    paid(client, "1250.50")
    row = balance(client)
    assert (row.owed, row.credit, row.open_numbers, row.overdue_from) == (
        D("0.00"),
        D("250.50"),
        [],
        None,
    )


def test_a_payment_naming_an_invoice_settles_that_one_first(cast: Cast) -> None:
    client = ClientFactory(department=cast.dept)
    invoice(client, "101", "300.00", day=1, due=5)
    invoice(client, "102", "500.00", day=2, due=12)
    paid(client, "500.00", purpose="Оплата по СЧЕТУ № 102 от 02.10.2026")
    row = balance(client)
    assert row.open_invoices == [("101", dt.date(2026, 10, 5), D("300.00"))]
    assert row.overdue_from == dt.date(2026, 10, 5)


def test_a_payment_naming_nothing_settles_the_oldest_first(cast: Cast) -> None:
    client = ClientFactory(department=cast.dept)
    invoice(client, "102", "500.00", day=2, due=12)
    invoice(client, "101", "300.00", day=1, due=5)
    paid(client, "350.00", purpose="Оплата за услуги")
    row = balance(client)
    assert row.open_invoices == [("102", dt.date(2026, 10, 12), D("450.00"))]
    assert (row.settled, row.owed) == (D("350.00"), D("450.00"))


def test_an_invoice_added_after_the_payment_is_settled_by_it(cast: Cast) -> None:
    # given a payment naming an invoice the billing system has not sent yet
    client = ClientFactory(department=cast.dept)
    invoice(client, "1", "100.00", day=1)
    paid(client, "80.00", purpose="сч. 2")
    assert balance(client).open_invoices == [("1", dt.date(2026, 10, 10), D("20.00"))]
    # when the invoice it names arrives
    invoice(client, "2", "80.00", day=3)
    # then the payment settles it, and the first stays open in full
    assert balance(client).open_invoices == [("1", dt.date(2026, 10, 10), D("100.00"))]
    assert_kept_exact()


def test_an_import_adds_its_payments_to_the_balance(cast: Cast, tmp_path: Path) -> None:
    # given a client with two invoices and a file of payments, one naming the second
    client = ClientFactory(department=cast.dept)
    invoice(client, "A-1", "100.00", day=1)
    invoice(client, "A-2", "100.00", day=2)
    path = tmp_path / "days.csv"
    path.write_text(
        "date;amount;inn;reference;purpose\n"
        f"30.09.2026;10.01;{client.inn};a;\n"
        f"01.10.2026;60.00;{client.inn};b;Оплата по счету A-2\n"
        f"03.10.2026;0.01;{client.inn};d;\n",
        encoding="utf-8",
    )
    # when it is imported twice (the second time adds nothing)
    for _ in range(2):
        with path.open("rb") as stream:
            payments_import(user=SYSTEM, file_name="days.csv", data=stream)
    # then
    assert balance(client).open_amounts == [D("99.99"), D("40.00")]
    assert_kept_exact()


# --- the database reads a purpose as Python does ---------------------------------------------

PURPOSE_PARTS = st.sampled_from(
    [
        "№",
        "счёт",
        "СЧЕТ",
        "счета",
        "сч.",
        "Сч",
        "No.",
        "NO",
        "invoice",
        "INVOICE",
        " ",
        "\u00a0",
        "\t",
        "-",
        "/",
        "_",
        ".",
        ",",
        "a",
        "Z",
        "ё",
        "Ё",
        "я",
        "é",
        "Ω",
        "٣",
        "0",
        "7",
        "12",
        "A-15",
        "7/12",
        "INV-0000001",
    ]
)


@pytest.mark.django_db
@settings(max_examples=300, deadline=None)
@given(parts=st.lists(PURPOSE_PARTS, max_size=12))
@example(parts=["счет", "абв", "1"])
@example(parts=["Invoice", " ", "No.", " ", "A-15"])
def test_the_database_reads_a_purpose_as_python_does(parts: list[str]) -> None:
    purpose = "".join(parts)
    with connection.cursor() as cursor:
        cursor.execute("SELECT payments_named_numbers(%s)", [purpose])
        (in_database,) = cursor.fetchone()
    assert in_database == named_numbers(purpose)


# --- every way the tables are written --------------------------------------------------------

# Each operation is one statement against the payments or the invoices table.
OPERATIONS = st.lists(
    st.tuples(
        st.sampled_from(
            [
                "pay",
                "pay_naming",
                "bulk",
                "void",
                "unvoid",
                "move",
                "reprice",
                "rename_purpose",
                "transfer",
                "delete",
                "invoice",
                "invoice_amount",
                "invoice_number",
                "invoice_delete",
                "hand_over",
            ]
        ),
        st.integers(min_value=0, max_value=4),
        st.decimals(min_value=Decimal("0.01"), max_value=Decimal("999.99"), places=2),
    ),
    max_size=14,
)


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(operations=OPERATIONS)
def test_any_sequence_of_writes_keeps_the_balances_exact(
    cast: Cast, operations: list[tuple[str, int, Decimal]]
) -> None:
    Payment.objects.all().delete()
    Invoice.objects.all().delete()
    clients = [ClientFactory(department=cast.dept), ClientFactory(department=cast.other)]
    for n, client in enumerate(clients):
        # Two invoices each, so that naming one of them changes which stays open.
        invoice(client, f"N{n}", "500.00", day=1 + n, due=5 + n)
        invoice(client, f"M{n}", "300.00", day=3 + n, due=8 + n)
    for kind, n, amount in operations:
        day, client = DAYS[n], clients[n % 2]
        payments = Payment.objects.order_by("pk")
        chosen = payments.filter(pk__in=payments.values("pk")[n : n + 2])
        invoices = Invoice.objects.order_by("pk")
        chosen_invoice = invoices.filter(pk__in=invoices.values("pk")[n : n + 1])
        numbers = list(Invoice.objects.filter(client=client).values_list("number", flat=True))
        # The latest invoice most often: naming the oldest settles as naming nothing does.
        named = numbers[-1 - n % 2] if len(numbers) > 1 else "404"
        naming = f"Оплата по счету № {named}"
        if kind == "pay":
            PaymentFactory(client=client, received_on=day, amount=amount)
        elif kind == "pay_naming":
            PaymentFactory(client=client, received_on=day, amount=amount, purpose=naming)
        elif kind == "bulk":
            Payment.objects.bulk_create(
                [
                    Payment.of_client(
                        client,
                        amount=amount,
                        received_on=DAYS[(n + i) % 5],
                        purpose=naming if i == 1 else "",
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
        elif kind == "rename_purpose":
            chosen.update(purpose=naming)
        elif kind == "transfer":
            chosen.update(client=client, department=client.department)
        elif kind == "delete":
            chosen.delete()
        elif kind == "invoice":
            invoice(client, f"{next(NUMBERS)}", str(amount), day=1 + n, due=5 + n)
        elif kind == "invoice_amount":
            chosen_invoice.update(amount=amount)
        elif kind == "invoice_number":
            chosen_invoice.update(number=f"R{next(NUMBERS)}")
        elif kind == "invoice_delete":
            chosen_invoice.delete()
        else:
            Client.objects.filter(pk=client.pk).update(
                department=[cast.dept, cast.other][n % 2], responsible=[cast.masha, None][n % 2]
            )
    assert_kept_exact()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("table", "name"),
    [
        ("payments_payment", "payments_balance_insert"),
        ("payments_payment", "payments_balance_update"),
        ("payments_payment", "payments_balance_delete"),
        ("payments_invoice", "payments_invoice_balance_insert"),
        ("payments_invoice", "payments_invoice_balance_update"),
        ("payments_invoice", "payments_invoice_balance_delete"),
        ("payments_client", "payments_client_balance_follow"),
    ],
)
def test_the_triggers_exist(table: str, name: str) -> None:
    # A migration that rebuilt either table would lose them silently.
    with connection.cursor() as cursor:
        cursor.execute("SELECT tgname FROM pg_trigger WHERE tgrelid = %s::regclass", [table])
        names = {row[0] for row in cursor.fetchall()}
    assert name in names, names


# --- two transactions at once -----------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_a_void_while_another_transaction_pays_loses_nothing() -> None:
    # given a client with two invoices and a payment (outside any test transaction)
    client = ClientFactory(department=DepartmentFactory())
    invoice(client, "1", "100.00", day=1)
    invoice(client, "2", "100.00", day=2)
    voided = paid(client, "30.00", day=3)
    # when one transaction pays the second invoice by name and, before it commits,
    # another voids the first payment (its recount waits for the first one's row lock)
    with transaction.atomic():
        paid(client, "70.00", day=4, purpose="№ 2")
        voiding = threading.Thread(target=_void_in_own_connection, args=[voided.pk])
        voiding.start()
        time.sleep(1)
    voiding.join()
    # then the month holds the named payment alone
    assert balance(client).open_amounts == [D("100.00"), D("30.00")]
    assert_kept_exact()


@pytest.mark.django_db(transaction=True)
def test_a_payment_while_another_transaction_invoices_the_month_loses_nothing() -> None:
    # given a client with nothing yet in October
    client = ClientFactory(department=DepartmentFactory())
    # when one transaction records the month's invoice and, before it commits, another
    # records a payment (its upsert waits for the first one's new row)
    with transaction.atomic():
        invoice(client, "1", "100.00")
        paying = threading.Thread(target=_pay_in_own_connection, args=[client.pk])
        paying.start()
        time.sleep(1)
    paying.join()
    # then the payment is counted against the invoice
    row = balance(client)
    assert (row.paid, row.owed) == (D("40.00"), D("60.00"))
    assert_kept_exact()


def _void_in_own_connection(pk: int) -> None:
    try:
        Payment.objects.filter(pk=pk).update(voided_at=timezone.now(), void_reason="twice")
    finally:
        connection.close()


def _pay_in_own_connection(client_pk: int) -> None:
    try:
        paid(Client.objects.get(pk=client_pk), "40.00", day=6)
    finally:
        connection.close()


# --- the forecast read from the balances is the one settled in Python -------------------------


def expected_by_python(
    department_id: int | None, today: dt.date
) -> tuple[dict[dt.date, Decimal], dict[dt.date, Decimal]]:
    """The billed clients' part of the forecast as it was read before the balances: every
    client settled in Python, their open invoices and promises through the pure
    function (everything expected, and the promised part alone)."""
    first, last = OCTOBER, dt.date(2026, 10, 31)
    outlooks = []
    for key, row in settled_by_python().items():
        client = Client.objects.get(pk=key[0])
        if key[1] != OCTOBER or row[1] == 0:
            continue
        if department_id is not None and client.department_id != department_id:
            continue
        promises = tuple(
            Promise.objects.filter(
                client=client, promised_on__gte=first, called_on__lte=last
            ).values_list("promised_on", "amount")
        )
        outlooks.append(
            ClientOutlook(open_invoices=tuple(zip(row[5], row[6], strict=True)), promises=promises)
        )
    return (
        expected_by_day(outlooks, today=today, last=last),
        expected_by_day(outlooks, today=today, last=last, promised_only=True),
    )


# A client's month: invoices (amount, due day), payments (amount, day, naming the second
# invoice) and promises (day called, day promised, amount).
CLIENT_MONTHS = st.lists(
    st.tuples(
        st.lists(st.tuples(st.integers(1, 90_000), st.integers(1, 31)), min_size=1, max_size=3),
        st.lists(st.tuples(st.integers(1, 90_000), st.integers(1, 31), st.booleans()), max_size=3),
        st.lists(
            st.tuples(st.integers(1, 31), st.integers(0, 40), st.integers(1, 90_000)),
            max_size=2,
        ),
    ),
    min_size=1,
    max_size=5,
)


@settings(
    max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(months=CLIENT_MONTHS, today=st.integers(1, 31))
# A promise for today itself: the promise says when, not the invoice (counted once).
@example(months=[([(50_000, 20)], [], [(5, 5, 10_000)])], today=10)
def test_the_forecast_read_from_the_balances_is_the_one_settled_in_python(
    cast: Cast, months: list, today: int
) -> None:
    # given billed clients of two departments, part paid, some with promises
    Promise.objects.all().delete()
    Payment.objects.all().delete()
    Invoice.objects.all().delete()
    day = OCTOBER.replace(day=today)
    for n, (invoices, payments, promises) in enumerate(months):
        client = ClientFactory(department=[cast.dept, cast.other][n % 2])
        for k, (kopecks, due) in enumerate(invoices):
            Invoice.objects.create(
                client=client,
                month=OCTOBER,
                number=f"{n}-{k}",
                issued_on=OCTOBER,
                due_on=OCTOBER.replace(day=due),
                amount=D(kopecks) / 100,
            )
        for kopecks, paid_on, naming in payments:
            purpose = f"сч. {n}-{len(invoices) - 1}" if naming else ""
            paid(client, str(D(kopecks) / 100), day=paid_on, purpose=purpose)
        for called, promised, kopecks in promises:
            called_on = OCTOBER.replace(day=called)
            Promise.objects.create(
                client=client,
                called_on=called_on,
                promised_on=called_on + dt.timedelta(days=promised),
                amount=D(kopecks) / 100,
                recorded_by=cast.masha.user,
            )
    # then the department's forecast and the company's, by department, are the same
    for department in (cast.dept, cast.other):
        assert expected_money(department, OCTOBER, today=day) == expected_by_python(
            department.pk, day
        )
    company = expected_by_department(OCTOBER, day)
    for department in (cast.dept, cast.other):
        assert company.get(department.pk, {}) == expected_by_python(department.pk, day)[0]
