"""Settling a client's invoices with their payments (payments/settlement.py)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from payments.settlement import InvoiceDue, PaymentMade, named_numbers, settle

D = Decimal


def invoice(number: str, day: int, amount: str, due: int | None = None) -> InvoiceDue:
    return InvoiceDue(
        number=number,
        issued_on=dt.date(2026, 12, day),
        due_on=dt.date(2026, 12, due or day + 7),
        amount=D(amount),
    )


def paid(day: int, amount: str, purpose: str = "") -> PaymentMade:
    return PaymentMade(received_on=dt.date(2026, 12, day), amount=D(amount), purpose=purpose)


def test_a_partial_payment_leaves_the_rest_open() -> None:
    result = settle([invoice("101", 1, "1000.00")], [paid(5, "400.00")])

    assert [(i.number, i.settled, i.open) for i in result.invoices] == [
        ("101", D("400.00"), D("600.00"))
    ]
    assert result.credit == D("0.00")
    assert result.open == D("600.00")


def test_an_overpayment_is_credit_never_lost() -> None:
    result = settle([invoice("101", 1, "1000.00")], [paid(5, "1250.50")])

    assert result.invoices[0].open == D("0.00")
    assert result.credit == D("250.50")
    assert result.paid == D("1250.50")


def test_a_payment_naming_its_invoice_settles_that_one_first() -> None:
    invoices = [invoice("101", 1, "1000.00"), invoice("102", 2, "500.00")]

    result = settle(invoices, [paid(5, "500.00", "Оплата по счету № 102 от 02.12.2026")])

    assert {i.number: i.open for i in result.invoices} == {"101": D("1000.00"), "102": D("0.00")}


def test_a_payment_naming_nothing_settles_the_oldest_first() -> None:
    invoices = [invoice("B-2", 3, "300.00"), invoice("A-1", 1, "200.00")]

    result = settle(invoices, [paid(5, "350.00", "Оплата за услуги")])

    assert [(i.number, i.open) for i in result.invoices] == [
        ("A-1", D("0.00")),
        ("B-2", D("150.00")),
    ]


def test_what_a_named_invoice_does_not_take_goes_to_the_oldest() -> None:
    invoices = [invoice("101", 1, "1000.00"), invoice("102", 2, "500.00")]

    result = settle(invoices, [paid(5, "700.00", "сч. 102")])

    assert {i.number: i.open for i in result.invoices} == {"101": D("800.00"), "102": D("0.00")}


def test_a_mixture_in_date_order() -> None:
    invoices = [invoice("1", 1, "100.00"), invoice("2", 2, "200.00"), invoice("3", 3, "300.00")]
    payments = [paid(9, "250.00"), paid(4, "300.00", "счет 3"), paid(10, "100.00")]

    result = settle(invoices, payments)

    # 4th: 300 to №3; 9th: 100 to №1, 150 to №2; 10th: 50 to №2, 50 credit.
    assert [i.open for i in result.invoices] == [D("0.00"), D("0.00"), D("0.00")]
    assert result.credit == D("50.00")


def test_overdue_days_count_from_the_due_date_of_what_is_open() -> None:
    result = settle([invoice("1", 1, "100.00", due=5), invoice("2", 2, "50.00", due=3)], [])

    assert result.overdue_days(dt.date(2026, 12, 10)) == 7
    assert result.overdue_days(dt.date(2026, 12, 2)) == 0


def test_the_numbers_a_purpose_names() -> None:
    assert named_numbers("Оплата по счёту №101 от 01.12") == ["101"]
    assert named_numbers("сч. 7/12, счет-фактура") == ["7/12"]
    assert named_numbers("Invoice No. A-15") == ["a-15"]
    assert named_numbers("за декабрь 2026") == []


amounts = st.integers(min_value=1, max_value=10_000_00).map(lambda k: D(k) / 100)


@given(
    invoice_amounts=st.lists(amounts, max_size=6),
    payments=st.lists(
        st.tuples(st.integers(1, 31), amounts, st.integers(0, 7)),
        max_size=6,
    ),
)
def test_settled_open_and_credit_add_up(
    invoice_amounts: list[Decimal], payments: list[tuple[int, Decimal, int]]
) -> None:
    invoices = [invoice(str(n), 1 + n, str(a)) for n, a in enumerate(invoice_amounts)]
    made = [paid(day, str(a), f"№ {named}") for day, a, named in payments]

    result = settle(invoices, made)

    assert result.settled + result.credit == sum((a for _d, a, _n in payments), D("0"))
    assert result.settled + result.open == sum(invoice_amounts, D("0"))
    assert all(i.open >= 0 and i.settled >= 0 for i in result.invoices)
    # Credit only once every invoice is settled.
    assert result.credit == 0 or result.open == 0
