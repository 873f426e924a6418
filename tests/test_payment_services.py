"""Manual payments, voiding and assigning unmatched payments: the import's rules, by hand."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from compensation.models import BonusPeriod, PeriodState
from payments.models import ImportBatch, Payment, Source, UnmatchedPayment
from payments.services import payment_record, payment_void, unmatched_assign
from tests.factories import Cast, ClientFactory, PaymentFactory


def close_november(cast: Cast) -> BonusPeriod:
    return BonusPeriod.objects.create(
        department=cast.dept,
        month=dt.date(2025, 11, 1),
        state=PeriodState.CLOSED,
        closed_at=timezone.now(),
    )


def test_it_records_a_manual_payment(cast: Cast) -> None:
    client = ClientFactory(department=cast.dept, responsible=cast.vasya)

    payment = payment_record(
        user=cast.accountant.user, client=client, amount="1 500,50", received_on="05.11.2025"
    )

    assert payment.amount == Decimal("1500.50")
    assert payment.received_on == dt.date(2025, 11, 5)
    assert (payment.department, payment.responsible) == (cast.dept, cast.vasya)
    assert (payment.source, payment.recorded_by) == (Source.MANUAL, cast.accountant.user)
    # its history says who entered it, also outside a web request
    created = payment.history.get()
    assert (created.history_type, created.history_user) == ("+", cast.accountant.user)


def test_two_equal_manual_payments_are_both_kept(cast: Cast) -> None:
    client = ClientFactory(department=cast.dept)
    for _ in range(2):
        payment_record(
            user=cast.admin, client=client, amount=Decimal("10.00"), received_on="2025-11-05"
        )

    assert Payment.objects.count() == 2


@pytest.mark.parametrize(
    ("amount", "received_on", "fields"),
    [
        ("0", "05.11.2025", {"amount"}),
        ("10.001", "05.11.2025", {"amount"}),
        ("ten", "32.11.2025", {"amount", "received_on"}),
        ("10.00", "01.01.1999", {"received_on"}),
        ("10.00", dt.date(2999, 1, 1), {"received_on"}),
    ],
)
def test_bad_manual_input_names_the_field(
    cast: Cast, amount: str, received_on: object, fields: set[str]
) -> None:
    client = ClientFactory(department=cast.dept)

    with pytest.raises(ValidationError) as raised:
        payment_record(user=cast.admin, client=client, amount=amount, received_on=received_on)

    assert set(raised.value.message_dict) == fields
    assert Payment.objects.count() == 0


def test_a_manual_payment_into_a_closed_period_is_refused(cast: Cast) -> None:
    close_november(cast)
    client = ClientFactory(department=cast.dept)

    with pytest.raises(ValidationError) as raised:
        payment_record(user=cast.admin, client=client, amount="10.00", received_on="05.11.2025")

    assert "11.2025" in raised.value.message_dict["received_on"][0]


@pytest.mark.parametrize("who", ["masha", "head", "director"])
def test_only_accountant_and_admin_manage_payments(cast: Cast, who: str) -> None:
    client = ClientFactory(department=cast.dept)
    payment = PaymentFactory(client=client)
    user = getattr(cast, who).user

    with pytest.raises(PermissionDenied):
        payment_record(user=user, client=client, amount="10.00", received_on="05.11.2025")
    with pytest.raises(PermissionDenied):
        payment_void(user=user, payment=payment, reason="typo")


def test_it_voids_a_payment_with_a_reason(cast: Cast) -> None:
    payment = PaymentFactory(client=ClientFactory(department=cast.dept))

    payment_void(user=cast.accountant.user, payment=payment, reason="Entered twice")

    payment.refresh_from_db()
    assert payment.is_void
    assert (payment.voided_by, payment.void_reason) == (cast.accountant.user, "Entered twice")
    assert Payment.objects.counted().count() == 0


def test_voiding_needs_a_reason(cast: Cast) -> None:
    payment = PaymentFactory(client=ClientFactory(department=cast.dept))

    with pytest.raises(ValidationError) as raised:
        payment_void(user=cast.admin, payment=payment, reason="  ")

    assert set(raised.value.message_dict) == {"reason"}


def test_a_void_payment_cannot_be_voided_again(cast: Cast) -> None:
    payment = PaymentFactory(client=ClientFactory(department=cast.dept))
    payment_void(user=cast.admin, payment=payment, reason="Wrong client")

    with pytest.raises(ValidationError, match="already void"):
        payment_void(user=cast.admin, payment=payment, reason="Again")


def test_a_payment_counted_in_a_closed_period_cannot_be_voided(cast: Cast) -> None:
    # given a November payment, then November closed
    payment = PaymentFactory(
        client=ClientFactory(department=cast.dept), received_on=dt.date(2025, 11, 5)
    )
    close_november(cast)

    with pytest.raises(ValidationError, match="closed period"):
        payment_void(user=cast.admin, payment=payment, reason="Wrong client")

    payment.refresh_from_db()
    assert not payment.is_void


def make_unmatched() -> UnmatchedPayment:
    batch = ImportBatch.objects.create(file_name="s.txt", sha256="0" * 64, format="1c")
    return UnmatchedPayment.objects.create(
        batch=batch,
        amount=Decimal("240000.00"),
        received_on=dt.date(2025, 11, 27),
        source=Source.ONEC,
        source_ref="acc|2291",
        payer_inn="5001000027",
        payer_name='АО "Вектор"',
    )


def test_an_unmatched_payment_is_assigned_once(cast: Cast) -> None:
    unmatched = make_unmatched()
    client = ClientFactory(department=cast.dept, responsible=cast.olya, inn=unmatched.payer_inn)

    payment = unmatched_assign(user=cast.admin, unmatched=unmatched, client=client)

    assert (payment.amount, payment.responsible) == (Decimal("240000.00"), cast.olya)
    assert (payment.source, payment.source_ref) == (Source.ONEC, "acc|2291")
    with pytest.raises(ValidationError, match="already been assigned"):
        unmatched_assign(user=cast.admin, unmatched=unmatched, client=client)


def test_an_unmatched_payment_cannot_land_in_a_closed_period(cast: Cast) -> None:
    close_november(cast)
    unmatched = make_unmatched()

    with pytest.raises(ValidationError):
        unmatched_assign(
            user=cast.admin, unmatched=unmatched, client=ClientFactory(department=cast.dept)
        )

    assert Payment.objects.count() == 0
