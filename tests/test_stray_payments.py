"""Old payments: flagged by the dry run, never a reason to open a period; a payer whose INN
is not the client's is assigned only with a reason."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from accounts.policy import SYSTEM
from compensation import services
from compensation.models import BonusPeriod
from core.months import previous_month
from payments.importing.pipeline import payments_import, stale_from
from payments.models import ImportBatch, Payment, Source, UnmatchedPayment
from payments.services import unmatched_assign
from payments.suggestions import suggest_client
from tests.factories import Cast, ClientFactory

FIXTURES = Path(__file__).parent / "fixtures"
ALFA, PETROV = "7701000019", "772300000344"


def _unmatched(received_on: dt.date, payer_inn: str = "5001000027") -> UnmatchedPayment:
    batch = ImportBatch.objects.create(file_name="s.txt", sha256="0" * 64, format="1c")
    return UnmatchedPayment.objects.create(
        batch=batch,
        amount=Decimal("240000.00"),
        received_on=received_on,
        source=Source.ONEC,
        source_ref="acc|2291",
        payer_inn=payer_inn,
        payer_name='АО "Вектор"',
    )


def _import(name: str, *, dry_run: bool) -> object:
    with (FIXTURES / name).open("rb") as stream:
        return payments_import(file_name=name, data=stream, user=SYSTEM, dry_run=dry_run)


def test_the_dry_run_flags_payments_long_before_the_months_in_use(cast: Cast) -> None:
    # given last year's statement (November 2025), long before the current month
    ClientFactory(inn=ALFA, department=cast.dept)
    ClientFactory(inn=PETROV, department=cast.dept)
    before = stale_from(timezone.localdate())
    assert before <= dt.date(2025, 9, 1) or before > dt.date(2025, 11, 30)

    # when it is previewed
    result = _import("statement-1c-utf8.txt", dry_run=True)

    # then its three incoming payments are counted as dated before the months in use
    assert result.stale_before == before
    assert result.stale == 3
    assert BonusPeriod.objects.count() == 0


def test_the_months_in_use_start_at_the_earliest_open_period(cast: Cast) -> None:
    # given a period still open for a month long before today
    services.period_open(department=cast.dept, month=dt.date(2025, 6, 1))
    # then the dry run flags only what is more than two months older than it
    assert stale_from(dt.date(2026, 12, 6)) == dt.date(2025, 4, 1)
    # and without one, two months before the current month
    BonusPeriod.objects.all().delete()
    assert stale_from(dt.date(2026, 12, 6)) == previous_month(dt.date(2026, 11, 1))


def test_importing_last_years_statement_opens_no_period(cast: Cast) -> None:
    ClientFactory(inn=ALFA, department=cast.dept)
    ClientFactory(inn=PETROV, department=cast.dept)

    result = _import("statement-1c-utf8.txt", dry_run=False)

    assert result.accepted
    assert result.new == 2
    assert BonusPeriod.objects.count() == 0


def test_assigning_an_old_unmatched_payment_opens_no_period(cast: Cast) -> None:
    unmatched = _unmatched(dt.date(2025, 11, 26))
    client = ClientFactory(inn=unmatched.payer_inn, department=cast.dept)

    unmatched_assign(user=cast.admin, unmatched=unmatched, client=client)

    assert Payment.objects.count() == 1
    assert BonusPeriod.objects.count() == 0


def test_another_inn_needs_a_reason_kept_with_the_payment(cast: Cast) -> None:
    # given a payer whose INN is not the chosen client's
    unmatched = _unmatched(dt.date(2025, 11, 26))
    client = ClientFactory(name="ООО Альфа", inn=ALFA, department=cast.dept)

    # when it is assigned without a reason, then it is refused naming both INNs
    with pytest.raises(ValidationError) as refused:
        unmatched_assign(user=cast.admin, unmatched=unmatched, client=client)
    message = refused.value.message_dict["reason"][0]
    assert "5001000027" in message
    assert ALFA in message
    assert Payment.objects.count() == 0

    # and with one, the reason is kept on the row and in the payment's history
    reason = "Vektor pays for Alfa under their agency contract"
    payment = unmatched_assign(user=cast.admin, unmatched=unmatched, client=client, reason=reason)
    unmatched.refresh_from_db()
    assert unmatched.reason == reason
    assert payment.history.get().history_change_reason == reason


def test_it_suggests_the_nearest_client_by_inn_then_by_name(cast: Cast) -> None:
    alfa = ClientFactory(name='ООО "Альфа-Трейд"', inn=ALFA, department=cast.dept)
    beta = ClientFactory(name="АО Бета Логистик", inn="7702000015", department=cast.dept)
    clients = [alfa, beta]

    assert suggest_client(ALFA, "", clients) == alfa
    assert suggest_client("7701000099", "", clients) == alfa  # same first eight digits
    assert suggest_client("", "Альфа Трейд ООО", clients) == alfa
    assert suggest_client("5001000027", "Бета-Логистик", clients) == beta
    assert suggest_client("5001000027", "Гамма", clients) is None
