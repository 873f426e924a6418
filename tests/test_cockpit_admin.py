"""Invoices and promises in the admin site: access from the policy, corrections kept in
their history, and the rules a form by hand must keep."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.contrib import admin
from django.test import Client as WebClient
from django.test import RequestFactory
from django.urls import reverse

from payments.models import Client, Invoice, Promise
from tests.factories import Cast, ClientFactory

D = Decimal


@pytest.fixture(autouse=True)
def _english(settings: object) -> None:
    settings.LANGUAGE_CODE = "en"


def browser(user: object) -> WebClient:
    web = WebClient()
    web.force_login(user)
    return web


@pytest.fixture
def alpha(cast: Cast) -> Client:
    return ClientFactory(name="Alpha", department=cast.dept, responsible=cast.masha)


@pytest.fixture
def invoice(alpha: Client) -> Invoice:
    return Invoice.objects.create(
        client=alpha,
        month=dt.date(2026, 10, 1),
        number="101",
        issued_on=dt.date(2026, 10, 1),
        due_on=dt.date(2026, 10, 5),
        amount=D("300000.00"),
    )


def invoice_fields(invoice: Invoice, **change: str) -> dict[str, object]:
    fields = {
        "client": invoice.client_id,
        "number": invoice.number,
        "issued_on": "2026-10-01",
        "due_on": "2026-10-05",
        "amount": "300000.00",
    }
    return {**fields, **change}


@pytest.mark.parametrize("model", [Invoice, Promise])
@pytest.mark.parametrize("who", ["admin", "director", "accountant", "head", "masha"])
def test_only_the_administrator_reaches_them(cast: Cast, model: type, who: str) -> None:
    user = cast.admin if who == "admin" else getattr(cast, who).user
    user.is_staff = True  # past Django's own door: the policy decides
    user.save()
    request = RequestFactory().get("/")
    request.user = user
    model_admin = admin.site._registry[model]
    url = reverse(f"admin:payments_{model._meta.model_name}_changelist")

    response = browser(user).get(url)

    allowed = who == "admin"
    assert (response.status_code == 200) is allowed
    assert model_admin.has_view_permission(request) is allowed
    assert model_admin.has_change_permission(request) is allowed
    assert model_admin.has_add_permission(request) is allowed


def test_an_invoice_corrected_by_hand_keeps_its_history(cast: Cast, invoice: Invoice) -> None:
    url = reverse("admin:payments_invoice_change", args=[invoice.pk])

    response = browser(cast.admin).post(
        url,
        invoice_fields(invoice, amount="250000.00", issued_on="2026-11-02", due_on="2026-11-09"),
    )

    assert response.status_code == 302
    invoice.refresh_from_db()
    assert (invoice.amount, invoice.month) == (D("250000.00"), dt.date(2026, 11, 1))
    history = list(invoice.history.order_by("history_date"))
    assert [(h.amount, h.history_type) for h in history] == [
        (D("300000.00"), "+"),
        (D("250000.00"), "~"),
    ]
    assert history[-1].history_user == cast.admin


def test_an_invoice_due_before_its_date_is_refused_and_unchanged(
    cast: Cast, invoice: Invoice
) -> None:
    url = reverse("admin:payments_invoice_change", args=[invoice.pk])

    response = browser(cast.admin).post(url, invoice_fields(invoice, due_on="2026-09-30"))

    assert response.status_code == 200
    assert "An invoice is due on or after its date." in response.content.decode()
    invoice.refresh_from_db()
    assert invoice.due_on == dt.date(2026, 10, 5)
    assert invoice.history.count() == 1


def test_a_new_invoice_by_hand_is_recorded_as_the_administrators(cast: Cast, alpha: Client) -> None:
    response = browser(cast.admin).post(
        reverse("admin:payments_invoice_add"),
        {
            "client": alpha.pk,
            "number": "A-7",
            "issued_on": "2026-10-03",
            "due_on": "2026-10-13",
            "amount": "1000.50",
        },
    )

    assert response.status_code == 302
    added = Invoice.objects.get(number="A-7")
    assert (added.month, added.recorded_by, added.amount) == (
        dt.date(2026, 10, 1),
        cast.admin,
        D("1000.50"),
    )


def test_a_promise_corrected_by_hand_keeps_its_history_and_its_invoice_must_be_the_clients(
    cast: Cast, alpha: Client, invoice: Invoice
) -> None:
    promise = Promise.objects.create(
        client=alpha,
        called_on=dt.date(2026, 10, 10),
        promised_on=dt.date(2026, 10, 14),
        amount=D("150000.00"),
        recorded_by=cast.masha.user,
    )
    stranger = Invoice.objects.create(
        client=ClientFactory(department=cast.dept),
        month=dt.date(2026, 10, 1),
        number="900",
        issued_on=dt.date(2026, 10, 1),
        due_on=dt.date(2026, 10, 5),
        amount=D("1.00"),
    )
    url = reverse("admin:payments_promise_change", args=[promise.pk])
    fields = {
        "client": alpha.pk,
        "called_on": "2026-10-10",
        "promised_on": "2026-10-15",
        "amount": "15000.00",
        "note": "typo: one zero too many",
    }
    web = browser(cast.admin)

    refused = web.post(url, {**fields, "invoice": stranger.pk})
    corrected = web.post(url, {**fields, "invoice": invoice.pk})

    assert refused.status_code == 200
    assert "The invoice is another client&#x27;s." in refused.content.decode()
    assert corrected.status_code == 302
    promise.refresh_from_db()
    assert (promise.amount, promise.promised_on, promise.invoice) == (
        D("15000.00"),
        dt.date(2026, 10, 15),
        invoice,
    )
    # Who recorded the call stays who called; the history says who corrected it.
    assert promise.recorded_by == cast.masha.user
    assert [h.amount for h in promise.history.order_by("history_date")] == [
        D("150000.00"),
        D("15000.00"),
    ]
    assert promise.history.latest().history_user == cast.admin
