"""Voiding a payment the service refuses: a message, never a 500, nothing changed."""

from __future__ import annotations

import threading

import pytest
from django.db import connection
from django.test import Client as HttpClient
from django.urls import reverse

from payments import views as payments_views
from payments.models import Payment
from tests.factories import Cast
from tests.test_immutability import paid_october
from tests.test_workflow_helpers import OCTOBER


def signed_in(user: object) -> HttpClient:
    http = HttpClient(HTTP_ACCEPT_LANGUAGE="en", raise_request_exception=False)
    http.force_login(user)
    return http


def october_payment() -> Payment:
    return Payment.objects.filter(received_on__month=OCTOBER.month).order_by("pk").first()


def test_a_payment_of_a_paid_month_is_refused_with_a_message(cast: Cast) -> None:
    # given October paid
    paid_october(cast)
    payment = october_payment()
    http = signed_in(cast.accountant.user)
    url = reverse("payment_void", args=[payment.pk])

    # the page says why and offers nothing to post
    page = http.get(url)
    assert page.status_code == 200
    text = page.content.decode()
    assert "counted in the closed period October 2026" in text
    assert "Void the payment" not in text

    # and a post anyway is refused with a message, the payment untouched
    response = http.post(url, {"reason": "Bank reversed it"}, follow=True)
    assert response.status_code == 200
    assert "counted in the closed period October 2026" in response.content.decode()
    payment.refresh_from_db()
    assert not payment.is_void


def test_the_same_void_twice_is_refused_the_second_time(cast: Cast) -> None:
    paid = cast.dept
    from tests.factories import ClientFactory, PaymentFactory

    payment = PaymentFactory(client=ClientFactory(department=paid), received_on=OCTOBER)
    http = signed_in(cast.accountant.user)
    url = reverse("payment_void", args=[payment.pk])
    assert http.post(url, {"reason": "Bank reversed it"}).status_code == 302
    second = http.post(url, {"reason": "Again"}, follow=True)
    assert second.status_code == 200
    assert "This payment is already void." in second.content.decode()
    payment.refresh_from_db()
    assert payment.void_reason == "Bank reversed it"


def test_the_services_own_refusal_reaches_the_form(
    cast: Cast, monkeypatch: pytest.MonkeyPatch
) -> None:
    # given a void that the page's check missed (another person voided it meanwhile)
    from tests.factories import ClientFactory, PaymentFactory

    payment = PaymentFactory(client=ClientFactory(department=cast.dept), received_on=OCTOBER)
    Payment.objects.filter(pk=payment.pk).update(
        voided_at=payment.recorded_at, void_reason="Someone else"
    )
    monkeypatch.setattr(payments_views, "_void_refusal", lambda payment: "")

    # when the form is posted, the service's refusal (keyed "payment") shows above it
    response = signed_in(cast.accountant.user).post(
        reverse("payment_void", args=[payment.pk]), {"reason": "Mine"}
    )
    assert response.status_code == 200
    assert response.context["form"].non_field_errors() == ["This payment is already void."]


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_five_voids_at_once_give_one_void_and_no_error(cast: Cast) -> None:
    from tests.factories import ClientFactory, PaymentFactory

    payment = PaymentFactory(client=ClientFactory(department=cast.dept), received_on=OCTOBER)
    url = reverse("payment_void", args=[payment.pk])
    statuses: list[int] = []
    start = threading.Barrier(5)

    def void(n: int) -> None:
        try:
            http = signed_in(cast.accountant.user)
            start.wait()
            statuses.append(http.post(url, {"reason": f"Reason {n}"}).status_code)
        finally:
            connection.close()

    threads = [threading.Thread(target=void, args=(n,)) for n in range(5)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert 500 not in statuses, statuses
    assert sorted(statuses) == [200, 200, 200, 200, 302] or statuses.count(302) == 1, statuses
    payment.refresh_from_db()
    assert payment.is_void
