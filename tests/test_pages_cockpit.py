"""The cockpit's pages: what clients still owe, the call list, recording a promise."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.test import Client as HttpClient
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.models import Employee
from payments.models import Client, Invoice, Promise
from tests.factories import Cast, ClientFactory, PaymentFactory
from tests.test_workflow_helpers import OCTOBER

D = Decimal
TODAY = dt.date(2026, 10, 10)


@pytest.fixture(autouse=True)
def _english_on_the_10th(settings: object, monkeypatch: pytest.MonkeyPatch) -> None:
    settings.LANGUAGE_CODE = "en"
    settings.CALL_LIST_FROM_DAY = 7
    settings.CALL_LIST_MIN_AMOUNT = 100_000
    monkeypatch.setattr(timezone, "localdate", lambda *args: TODAY)


def signed_in(user: object) -> HttpClient:
    client = HttpClient(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(user)
    return client


def invoiced(client: Client, number: str, amount: str, due: int = 5) -> Invoice:
    return Invoice.objects.create(
        client=client,
        month=OCTOBER,
        number=number,
        issued_on=dt.date(2026, 10, 1),
        due_on=dt.date(2026, 10, due),
        amount=D(amount),
    )


def paid(client: Client, amount: str, day: int = 6, purpose: str = "") -> None:
    PaymentFactory(
        client=client, amount=D(amount), received_on=dt.date(2026, 10, day), purpose=purpose
    )


@pytest.fixture
def clients(cast: Cast) -> dict[str, Client]:
    """Three clients of the department: Alpha (Masha's) owes 300,000 of 500,000; Beta
    (Vasya's) owes 80,000; Gamma (Masha's) paid 10,000 beyond its invoice."""
    alpha = ClientFactory(
        name="Alpha", department=cast.dept, responsible=cast.masha, contact="Irina, +7 900"
    )
    beta = ClientFactory(name="Beta", department=cast.dept, responsible=cast.vasya)
    gamma = ClientFactory(name="Gamma", department=cast.dept, responsible=cast.masha)
    invoiced(alpha, "101", "300000.00", due=5)
    invoiced(alpha, "102", "200000.00", due=20)
    paid(alpha, "200000.00", purpose="Оплата по счету № 102")
    invoiced(beta, "201", "80000.00", due=3)
    invoiced(gamma, "301", "50000.00")
    paid(gamma, "60000.00")
    return {"alpha": alpha, "beta": beta, "gamma": gamma}


def owed_url(cast: Cast, **query: str) -> str:
    url = reverse("cockpit_outstanding", args=[cast.dept.pk, OCTOBER])
    return url + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")


def test_the_outstanding_list_groups_debts_by_who_is_responsible(
    cast: Cast, clients: dict[str, Client]
) -> None:
    response = signed_in(cast.masha.user).get(owed_url(cast))

    assert response.status_code == 200
    groups = response.context["groups"]
    assert [(g.employee, g.owed) for g in groups] == [
        (cast.masha, D("300000.00")),
        (cast.vasya, D("80000.00")),
    ]
    alpha = groups[0].clients[0]
    # № 102 was paid by name: what is open is № 101, overdue since the 5th.
    assert [(i.number, i.open) for i in alpha.open_invoices] == [("101", D("300000.00"))]
    assert alpha.overdue_days == 5
    assert response.context["total_owed"] == D("380000.00")
    assert [(r.client.name, r.credit) for r in response.context["credit"]] == [
        ("Gamma", D("10000.00"))
    ]


def test_the_filters_narrow_by_size_and_overdue_days(
    cast: Cast, clients: dict[str, Client]
) -> None:
    big = signed_in(cast.head.user).get(owed_url(cast, min_invoiced="100000"))
    overdue = signed_in(cast.head.user).get(owed_url(cast, min_overdue="6"))

    assert [c.client.name for g in big.context["groups"] for c in g.clients] == ["Alpha"]
    assert [c.client.name for g in overdue.context["groups"] for c in g.clients] == ["Beta"]


def test_a_bad_filter_value_is_named_and_nothing_is_narrowed(
    cast: Cast, clients: dict[str, Client]
) -> None:
    response = signed_in(cast.head.user).get(owed_url(cast, min_overdue="soon"))

    assert response.status_code == 200
    assert response.context["filters"].form.errors["min_overdue"]
    assert response.context["total_owed"] == D("380000.00")


def test_the_outstanding_list_reads_a_fixed_number_of_queries(cast: Cast) -> None:
    def queries(count: int) -> int:
        for n in range(count):
            client = ClientFactory(department=cast.dept, responsible=cast.olya)
            invoiced(client, f"Q{n}", "1000.00")
            paid(client, "10.00")
            Promise.objects.create(
                client=client,
                called_on=TODAY,
                promised_on=TODAY,
                amount=D("1.00"),
                recorded_by=cast.olya.user,
            )
        http = signed_in(cast.head.user)
        with CaptureQueriesContext(connection) as captured:
            assert http.get(owed_url(cast, min_invoiced="1")).status_code == 200
            assert (
                http.get(reverse("cockpit_calls", args=[cast.dept.pk, OCTOBER])).status_code == 200
            )
        return len(captured)

    assert queries(2) == queries(5)


def test_staff_of_another_department_cannot_see_the_list(
    cast: Cast, clients: dict[str, Client]
) -> None:
    assert signed_in(cast.sergey.user).get(owed_url(cast)).status_code == 404


def test_the_call_list_shows_large_unpaid_clients_with_contact_and_caller(
    cast: Cast, clients: dict[str, Client]
) -> None:
    response = signed_in(cast.vasya.user).get(
        reverse("cockpit_calls", args=[cast.dept.pk, OCTOBER])
    )

    assert [r.client.name for r in response.context["rows"]] == ["Alpha"]
    page = response.content.decode()
    assert "Irina, +7 900" in page
    assert "Masha Ivanova" in page
    assert response.context["form"] is not None


def test_before_the_7th_there_is_nobody_to_call_yet(
    cast: Cast, clients: dict[str, Client], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(timezone, "localdate", lambda *args: dt.date(2026, 10, 6))

    response = signed_in(cast.masha.user).get(
        reverse("cockpit_calls", args=[cast.dept.pk, OCTOBER])
    )

    assert response.context["rows"] == []
    assert "Calls start on the 7th" in response.content.decode()


def test_a_promise_is_recorded_and_shown_on_the_list(
    cast: Cast, clients: dict[str, Client]
) -> None:
    http = signed_in(cast.masha.user)
    url = reverse("cockpit_promise", args=[cast.dept.pk, OCTOBER])

    response = http.post(
        url,
        {
            "client": clients["alpha"].pk,
            "called_on": "2026-10-10",
            "promised_on": "2026-10-14",
            "amount": "150000.00",
            "note": "after their board meets",
        },
    )

    assert response.status_code == 302
    promise = Promise.objects.get()
    assert (promise.client, promise.promised_on, promise.amount, promise.recorded_by) == (
        clients["alpha"],
        dt.date(2026, 10, 14),
        D("150000.00"),
        cast.masha.user,
    )
    assert promise.history.count() == 1
    page = http.get(reverse("cockpit_calls", args=[cast.dept.pk, OCTOBER])).content.decode()
    assert "150,000.00" in page
    assert "14 October" in page


def test_a_promise_before_the_call_is_refused_naming_the_field(
    cast: Cast, clients: dict[str, Client]
) -> None:
    response = signed_in(cast.head.user).post(
        reverse("cockpit_promise", args=[cast.dept.pk, OCTOBER]),
        {
            "client": clients["alpha"].pk,
            "called_on": "2026-10-10",
            "promised_on": "2026-10-09",
            "amount": "1.00",
        },
    )

    assert response.status_code == 400
    assert "promised_on" in response.context["form"].errors
    assert not Promise.objects.exists()


@pytest.mark.parametrize("who", ["director", "accountant", "sergey"])
def test_only_the_department_records_promises(
    cast: Cast, clients: dict[str, Client], who: str
) -> None:
    user = getattr(cast, who).user
    response = signed_in(user).post(
        reverse("cockpit_promise", args=[cast.dept.pk, OCTOBER]),
        {
            "client": clients["alpha"].pk,
            "called_on": "2026-10-10",
            "promised_on": "2026-10-14",
            "amount": "1.00",
        },
    )

    assert response.status_code in (403, 404)
    assert not Promise.objects.exists()


def test_the_director_sees_the_call_list_without_the_form(
    cast: Cast, clients: dict[str, Client]
) -> None:
    response = signed_in(cast.director.user).get(
        reverse("cockpit_calls", args=[cast.dept.pk, OCTOBER])
    )

    assert response.status_code == 200
    assert response.context["form"] is None
    assert "Record a call" not in response.content.decode()


def test_the_call_date_is_filled_in_as_a_date_input_reads_it_in_russian(
    cast: Cast, clients: dict[str, Client]
) -> None:
    http = HttpClient(HTTP_ACCEPT_LANGUAGE="ru")
    http.force_login(cast.masha.user)

    page = http.get(reverse("cockpit_calls", args=[cast.dept.pk, OCTOBER])).content.decode()

    # A date input takes yyyy-mm-dd only: "10.10.2026" would leave it empty.
    assert 'name="called_on" value="2026-10-10"' in page


def test_the_payments_page_leads_to_the_invoice_import_for_who_may_use_it(cast: Cast) -> None:
    from django.test import Client as Browser

    link = reverse("invoice_upload")
    accountant = Browser()
    accountant.force_login(cast.accountant.user)
    assert f'href="{link}"' in accountant.get(reverse("payment_list")).content.decode()
    staff = Browser()
    staff.force_login(cast.masha.user)
    assert f'href="{link}"' not in staff.get(reverse("payment_list")).content.decode()


def owing(cast: Cast, count: int, *, responsible: Employee | None = None) -> None:
    """``count`` clients each owing a different amount (1,000 ₽ more per client) above
    the call list's minimum: client N owes 100,000 + N × 1,000."""
    for n in range(count):
        client = ClientFactory(
            name=f"Owing {n:03}", department=cast.dept, responsible=responsible or cast.olya
        )
        invoiced(client, f"P{n}", f"{100_000 + n * 1000}.00")


def test_the_outstanding_list_shows_fifty_clients_a_page_largest_first_totals_over_all(
    cast: Cast,
) -> None:
    # given 60 of Olya's clients owing and one of Masha's owing the least
    owing(cast, 60)
    invoiced(ClientFactory(name="Small", department=cast.dept, responsible=cast.masha), "S", "5")
    http = signed_in(cast.head.user)
    # when the first two pages are read
    first = http.get(owed_url(cast))
    second = http.get(owed_url(cast, page="2"))
    # then the largest debts come first, 50 of them, the rest on the second page
    names = [c.client.name for g in first.context["groups"] for c in g.clients]
    assert names == [f"Owing {n:03}" for n in range(59, 9, -1)]
    rest = [(g.employee, [c.client.name for c in g.clients]) for g in second.context["groups"]]
    assert rest == [
        (cast.olya, [f"Owing {n:03}" for n in range(9, -1, -1)]),
        (cast.masha, ["Small"]),
    ]
    # and every figure still covers all 61 clients: the total, Olya's group on both pages
    whole = D(sum(100_000 + n * 1000 for n in range(60)))
    for page in (first, second):
        assert page.context["total_owed"] == whole + D("5.00")
        assert page.context["groups"][0].owed == whole
    assert "Page 2 of 2" in second.content.decode()
    assert 'href="?page=1"' in second.content.decode()


def test_a_page_of_the_outstanding_list_keeps_the_filter_in_its_links(cast: Cast) -> None:
    owing(cast, 55)
    page = signed_in(cast.head.user).get(owed_url(cast, min_invoiced="1"))

    assert 'href="?min_invoiced=1&amp;page=2"' in page.content.decode()


def test_the_call_list_shows_fifty_clients_a_page_and_counts_them_all(cast: Cast) -> None:
    owing(cast, 53)
    http = signed_in(cast.masha.user)
    url = reverse("cockpit_calls", args=[cast.dept.pk, OCTOBER])

    first, last = http.get(url), http.get(url + "?page=2")

    assert [r.client.name for r in first.context["rows"]][:2] == ["Owing 052", "Owing 051"]
    assert len(first.context["rows"]) == 50
    assert [r.client.name for r in last.context["rows"]] == ["Owing 002", "Owing 001", "Owing 000"]
    owed = sum(100_000 + n * 1000 for n in range(53))
    assert f"53 clients to call, owing {owed:,}.00" in last.content.decode()
    # the form offers the clients of its page, and sends the page along
    assert [name for _pk, name in last.context["form"].fields["client"].choices] == [
        "Owing 002",
        "Owing 001",
        "Owing 000",
    ]
    assert "?page=2" in last.content.decode()


def test_a_promise_is_recorded_for_a_client_on_the_second_page(cast: Cast) -> None:
    # given 53 clients to call: the three owing least are on the second page
    owing(cast, 53)
    http = signed_in(cast.masha.user)
    promise_url = reverse("cockpit_promise", args=[cast.dept.pk, OCTOBER])
    least = Client.objects.get(name="Owing 000")
    call = {
        "client": least.pk,
        "called_on": "2026-10-10",
        "promised_on": "2026-10-20",
        "amount": "1000.00",
    }
    # when the form of the first page is sent for them, it is refused, nothing recorded
    refused = http.post(promise_url, call)
    assert refused.status_code == 400
    assert refused.context["form"].errors["client"]
    assert not Promise.objects.exists()
    # when the second page's form is sent, the promise is recorded
    recorded = http.post(promise_url + "?page=2", call)
    assert recorded.status_code == 302
    assert Promise.objects.get().client == least


def test_a_page_of_the_cockpit_reads_as_many_queries_whatever_the_clients(cast: Cast) -> None:
    def queries(count: int) -> int:
        owing(cast, count)
        http = signed_in(cast.head.user)
        with CaptureQueriesContext(connection) as captured:
            for url in (owed_url(cast, page="2"), owed_url(cast)):
                assert http.get(url).status_code == 200
            calls = reverse("cockpit_calls", args=[cast.dept.pk, OCTOBER])
            assert http.get(calls + "?page=2").status_code == 200
        return len(captured)

    # An empty list reads as many queries as a full one.
    assert queries(0) == queries(3) == queries(120)


def test_credit_is_counted_over_every_client_and_the_largest_listed(cast: Cast) -> None:
    # given 55 clients who each paid 1 ₽ more than the one before beyond their invoice
    for n in range(55):
        client = ClientFactory(name=f"Over {n:03}", department=cast.dept)
        invoiced(client, f"C{n}", "100.00")
        paid(client, f"{101 + n}.00")
    # when the outstanding list is read
    page = signed_in(cast.head.user).get(owed_url(cast))
    # then the count and the total cover all 55, and the 50 largest credits are listed
    total = sum(1 + n for n in range(55))
    assert (
        f"55 clients paid {total:,}.00\xa0₽ beyond their invoices this month. The 50 largest:"
        in page.content.decode()
    )
    listed = [(row.client.name, row.credit) for row in page.context["credit"]]
    assert listed[0] == ("Over 054", D("55.00"))
    assert listed[-1] == ("Over 005", D("6.00"))
    assert len(listed) == 50


def test_an_overdue_filter_beyond_ten_years_is_named_and_nothing_is_narrowed(
    cast: Cast, clients: dict[str, Client]
) -> None:
    response = signed_in(cast.head.user).get(owed_url(cast, min_overdue="99999999"))

    assert response.status_code == 200
    assert response.context["filters"].form.errors["min_overdue"]
    assert response.context["total_owed"] == D("380000.00")
