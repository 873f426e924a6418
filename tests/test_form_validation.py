"""Forms refuse bad amounts and dates with a message by the field, and save nothing."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client as WebClient
from django.urls import reverse
from django.utils import timezone

from compensation.models import BonusPeriod, PeriodEvent, ProposalLine
from payments.models import Client, Payment
from tests.factories import Cast, ClientFactory
from tests.test_workflow_helpers import closed_october

# --- the manual payment form -------------------------------------------------------------


@pytest.fixture
def client_of(cast: Cast) -> Client:
    return ClientFactory(department=cast.dept, responsible=cast.masha)


def signed_in(user: object) -> WebClient:
    web = WebClient(HTTP_ACCEPT_LANGUAGE="en")
    web.force_login(user)
    return web


def post_payment(cast: Cast, client: Client, **fields: str) -> dict[str, list[str]]:
    """Post the form; return its errors by field, checking that nothing was saved."""
    before = Payment.objects.count()
    data = {"client": client.pk, "amount": "1000.00", "received_on": "2025-11-05", **fields}

    response = signed_in(cast.admin).post(reverse("payment_create"), data)

    assert response.status_code == 200, "an invalid form is shown again, not redirected"
    assert Payment.objects.count() == before
    return response.context["form"].errors


def test_a_valid_payment_is_saved(cast: Cast, client_of: Client) -> None:
    response = signed_in(cast.admin).post(
        reverse("payment_create"),
        {"client": client_of.pk, "amount": "1000.50", "received_on": "2025-11-05"},
    )

    assert response.status_code == 302
    assert Payment.objects.get().amount == Payment._meta.get_field("amount").to_python("1000.50")


@pytest.mark.parametrize(
    "amount",
    [
        "1000.001",  # three decimals
        "-5.00",  # negative
        "0",
        "0.00",
        "1e15",
        "1000000000000000",
        "10000000000000.00",  # 14 digits: beyond the 12 before the point
        "1e3",  # an exponent: Django's DecimalField alone would read 1000
        "NaN",
        "Infinity",
        "-Infinity",
        "abc",
    ],
)
def test_a_bad_amount_is_refused_by_the_amount_field(
    cast: Cast, client_of: Client, amount: str
) -> None:
    errors = post_payment(cast, client_of, amount=amount)

    assert list(errors) == ["amount"], errors
    assert errors["amount"][0].strip()


@pytest.mark.parametrize(
    "received_on",
    [
        (timezone.localdate() + dt.timedelta(days=1)).isoformat(),
        "2999-01-01",
        "1999-12-31",
        "1900-01-01",
        "2026-02-31",
        "31.02.2026",
    ],
)
def test_a_bad_date_is_refused_by_the_date_field(
    cast: Cast, client_of: Client, received_on: str
) -> None:
    errors = post_payment(cast, client_of, received_on=received_on)

    assert list(errors) == ["received_on"], errors


# --- the head's proposal form ------------------------------------------------------------


@pytest.fixture
def closed(cast: Cast) -> BonusPeriod:
    return closed_october(cast)


def post_proposal(cast: Cast, period: BonusPeriod, **fields: str) -> dict[str, list[str]]:
    before = list(ProposalLine.objects.order_by("pk").values())
    events = PeriodEvent.objects.count()
    data = {"expected_version": period.version, **fields}

    response = signed_in(cast.head.user).post(reverse("proposal", args=[period.pk]), data)

    assert response.status_code == 200
    assert list(ProposalLine.objects.order_by("pk").values()) == before
    assert PeriodEvent.objects.count() == events
    assert BonusPeriod.objects.get(pk=period.pk).version == period.version
    return response.context["form"].errors


@pytest.mark.parametrize("kind", ["award", "deduction"])
@pytest.mark.parametrize(
    "amount",
    [
        "1000.001",
        "-1.00",
        "100000000.00",
        "1e15",
        "NaN",
        "Infinity",
        "abc",
        "1e3",  # an exponent: Django's DecimalField alone would read 1000
    ],
)
def test_a_bad_award_or_deduction_is_refused_by_its_field(
    cast: Cast, closed: BonusPeriod, kind: str, amount: str
) -> None:
    field = f"{kind}_{cast.masha.pk}"

    errors = post_proposal(cast, closed, **{field: amount, f"reason_{cast.masha.pk}": "Why"})

    assert list(errors) == [field], errors


def test_the_largest_amount_passes_the_form_and_meets_the_engine(
    cast: Cast, closed: BonusPeriod
) -> None:
    # 99,999,999.99 is a valid amount; the engine then refuses it as beyond the pool.
    field = f"award_{cast.masha.pk}"

    errors = post_proposal(cast, closed, **{field: "99999999.99", f"reason_{cast.masha.pk}": "x"})

    assert field in errors
    assert "staff pool" in errors[field][0]
