"""A client's promise history: who promised what and when, kept, broken or open; per
client and per invoice; reachable from the outstanding and call lists; access by policy."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.test import Client as HttpClient
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from payments.cockpit.promises import PaidByDay, PromiseStatus, promise_status
from payments.models import Client, ClientAssignment, Invoice, Promise
from tests.factories import Cast, ClientFactory, PaymentFactory
from tests.test_workflow_helpers import OCTOBER

D = Decimal
TODAY = dt.date(2026, 10, 10)


def day(n: int) -> dt.date:
    return dt.date(2026, 10, n)


@pytest.fixture(autouse=True)
def _on_the_10th(settings: object, monkeypatch: pytest.MonkeyPatch) -> None:
    settings.LANGUAGE_CODE = "en"
    settings.CALL_LIST_FROM_DAY = 7
    settings.CALL_LIST_MIN_AMOUNT = 100_000
    monkeypatch.setattr(timezone, "localdate", lambda *args: TODAY)


def test_kept_once_paid_in_full_broken_once_the_day_passed_open_until_then() -> None:
    def status(paid: str, promised_on: dt.date) -> PromiseStatus:
        return promise_status(
            paid=D(paid), amount=D("100.00"), promised_on=promised_on, today=TODAY
        )

    assert status("100.00", day(5)) == PromiseStatus.KEPT
    assert status("150.00", day(20)) == PromiseStatus.KEPT
    assert status("99.99", day(9)) == PromiseStatus.BROKEN
    assert status("99.99", day(10)) == PromiseStatus.OPEN
    assert status("0.00", day(14)) == PromiseStatus.OPEN


def test_paid_between_two_days_counts_both_ends() -> None:
    paid = PaidByDay(
        [(day(3), D("1.00")), (day(5), D("2.00")), (day(5), D("4.00")), (day(9), D("8.00"))]
    )

    assert paid.between(day(3), day(5)) == D("7.00")
    assert paid.between(day(4), day(8)) == D("6.00")
    assert paid.between(day(6), day(8)) == D("0.00")
    assert paid.between(day(1), day(31)) == D("15.00")


def promise(
    client: Client, user: object, called: int, promised: int, amount: str, **more: object
) -> Promise:
    return Promise.objects.create(
        client=client,
        called_on=day(called),
        promised_on=day(promised),
        amount=D(amount),
        recorded_by=user,
        **more,
    )


@pytest.fixture
def alpha(cast: Cast) -> Client:
    """Alpha (Masha's) was invoiced № 101 and № 102 and promised three times: 50,000 by
    the 4th for № 101 (paid on the 3rd: kept), 100,000 by the 8th (20,000 came: broken),
    70,000 by the 14th for № 102 (open)."""
    client = ClientFactory(name="Alpha", department=cast.dept, responsible=cast.masha)
    invoices = {
        number: Invoice.objects.create(
            client=client,
            month=OCTOBER,
            number=number,
            issued_on=day(1),
            due_on=day(due),
            amount=D("200000.00"),
        )
        for number, due in (("101", 5), ("102", 20))
    }
    PaymentFactory(client=client, received_on=day(3), amount=D("50000.00"))
    PaymentFactory(client=client, received_on=day(6), amount=D("20000.00"))
    promise(client, cast.masha.user, 1, 4, "50000.00", invoice=invoices["101"])
    promise(client, cast.head.user, 5, 8, "100000.00", note="board meets on the 7th")
    promise(client, cast.masha.user, 10, 14, "70000.00", invoice=invoices["102"])
    return client


def signed_in(user: object, language: str = "en") -> HttpClient:
    http = HttpClient(HTTP_ACCEPT_LANGUAGE=language)
    http.force_login(user)
    return http


def history_url(client: Client, invoice: str = "") -> str:
    url = reverse("promise_history", args=[client.pk])
    return f"{url}?invoice={invoice}" if invoice else url


def test_every_promise_with_who_when_and_whether_it_was_kept(cast: Cast, alpha: Client) -> None:
    response = signed_in(cast.masha.user).get(history_url(alpha))

    assert response.status_code == 200
    rows = [
        (
            r.promise.called_on,
            r.promise.recorded_by,
            r.promise.promised_on,
            r.promise.amount,
            r.paid,
            r.status,
        )
        for r in response.context["rows"]
    ]
    assert rows == [
        (day(10), cast.masha.user, day(14), D("70000.00"), D("0.00"), PromiseStatus.OPEN),
        (day(5), cast.head.user, day(8), D("100000.00"), D("20000.00"), PromiseStatus.BROKEN),
        (day(1), cast.masha.user, day(4), D("50000.00"), D("50000.00"), PromiseStatus.KEPT),
    ]
    page = response.content.decode()
    assert "Ivan Petrov" in page
    assert "Masha Ivanova" in page
    assert "board meets on the 7th" in page
    assert "✓ kept" in page
    assert "✗ broken" in page
    assert "○ open" in page


def test_per_invoice_the_promises_naming_it_and_those_naming_none(
    cast: Cast, alpha: Client
) -> None:
    http = signed_in(cast.head.user)

    first = http.get(history_url(alpha, "101")).context["rows"]
    second = http.get(history_url(alpha, "102")).context["rows"]

    assert [(r.promise.promised_on, r.status) for r in first] == [
        (day(8), PromiseStatus.BROKEN),
        (day(4), PromiseStatus.KEPT),
    ]
    assert [(r.promise.promised_on, r.status) for r in second] == [
        (day(14), PromiseStatus.OPEN),
        (day(8), PromiseStatus.BROKEN),
    ]


def test_an_invoice_the_client_does_not_have_is_not_found(cast: Cast, alpha: Client) -> None:
    other = ClientFactory(department=cast.dept, responsible=cast.masha)
    Invoice.objects.create(
        client=other, month=OCTOBER, number="999", issued_on=day(1), due_on=day(2), amount=D("1.00")
    )

    assert signed_in(cast.head.user).get(history_url(alpha, "999")).status_code == 404
    assert signed_in(cast.head.user).get(history_url(alpha, "%00")).status_code == 404


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("masha", 200),  # responsible
        ("vasya", 404),  # a colleague who neither holds nor covers Alpha
        ("head", 200),
        ("other_head", 404),
        ("director", 200),
        ("accountant", 404),
        ("sergey", 404),
    ],
)
def test_who_may_read_a_clients_promises(cast: Cast, alpha: Client, who: str, status: int) -> None:
    assert signed_in(getattr(cast, who).user).get(history_url(alpha)).status_code == status


def test_who_covers_a_client_reads_its_promises_and_so_does_who_is_away(
    cast: Cast, alpha: Client
) -> None:
    # Masha is away from the 10th to the 20th; Vasya covers; Alpha returns on the 21st.
    ClientAssignment.objects.create(
        client=alpha, employee=cast.masha, started_on=day(1), ended_on=day(9)
    )
    ClientAssignment.objects.create(
        client=alpha, employee=cast.vasya, started_on=day(10), ended_on=day(20)
    )
    ClientAssignment.objects.create(client=alpha, employee=cast.masha, started_on=day(21))
    Client.objects.filter(pk=alpha.pk).update(responsible=cast.vasya)

    assert signed_in(cast.vasya.user).get(history_url(alpha)).status_code == 200
    assert signed_in(cast.masha.user).get(history_url(alpha)).status_code == 200
    assert signed_in(cast.olya.user).get(history_url(alpha)).status_code == 404


def test_reached_from_the_outstanding_and_call_lists_where_allowed(
    cast: Cast, alpha: Client
) -> None:
    beta = ClientFactory(name="Beta", department=cast.dept, responsible=cast.vasya)
    Invoice.objects.create(
        client=beta,
        month=OCTOBER,
        number="B1",
        issued_on=day(1),
        due_on=day(3),
        amount=D("300000.00"),
    )
    masha = signed_in(cast.masha.user)
    owed = masha.get(reverse("cockpit_outstanding", args=[cast.dept.pk, OCTOBER])).content.decode()
    calls = masha.get(reverse("cockpit_calls", args=[cast.dept.pk, OCTOBER])).content.decode()

    assert f'href="{history_url(alpha)}"' in owed
    assert f'href="{history_url(alpha, "101")}"' in owed
    assert f'href="{history_url(beta)}"' not in owed
    assert f'href="{history_url(alpha)}"' in calls
    assert f'href="{history_url(beta)}"' not in calls
    head_calls = signed_in(cast.head.user).get(
        reverse("cockpit_calls", args=[cast.dept.pk, OCTOBER])
    )
    assert f'href="{history_url(beta)}"' in head_calls.content.decode()


def test_a_promise_names_its_invoice_and_an_unknown_number_is_refused(
    cast: Cast, alpha: Client
) -> None:
    http = signed_in(cast.masha.user)
    url = reverse("cockpit_promise", args=[cast.dept.pk, OCTOBER])
    post = {
        "client": alpha.pk,
        "called_on": "2026-10-10",
        "promised_on": "2026-10-12",
        "amount": "5.00",
    }

    refused = http.post(url, {**post, "invoice": "777"})
    recorded = http.post(url, {**post, "invoice": " 102 "})

    assert refused.status_code == 400
    assert refused.context["form"].errors["invoice"] == ["Alpha has no invoice numbered 777."]
    assert recorded.status_code == 302
    newest = Promise.objects.order_by("-id").first()
    assert (newest.invoice.number, newest.amount) == ("102", D("5.00"))
    assert Promise.objects.count() == 4


def test_the_page_in_russian(cast: Cast, alpha: Client) -> None:
    page = signed_in(cast.masha.user, "ru").get(history_url(alpha)).content.decode()

    assert "Обещания клиента Alpha" in page
    assert "✓ выполнено" in page
    assert "✗ нарушено" in page
    assert "○ в силе" in page
    assert "70\xa0000,00" in page


def test_the_history_reads_a_fixed_number_of_queries(cast: Cast, alpha: Client) -> None:
    http = signed_in(cast.masha.user)

    def count() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert http.get(history_url(alpha, "101")).status_code == 200
        return len(captured)

    before = count()
    for n in range(5):
        promise(alpha, cast.olya.user, 2 + n, 9 + n, "10.00")
        PaymentFactory(client=alpha, received_on=day(2 + n), amount=D("3.00"))
    assert count() == before
    assert len(http.get(history_url(alpha)).context["rows"]) == 8
