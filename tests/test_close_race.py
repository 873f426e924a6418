"""A payment written while the month closes is either counted or refused, never lost.

Closing totals the month's payments without touching them; what keeps the total exact
is the period row lock that every payment write takes first. Needs real row locks, so
it runs on PostgreSQL only.
"""

from __future__ import annotations

import datetime as dt
import threading
import time
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, transaction

from compensation import services
from compensation.models import BonusPeriod, PeriodState
from payments.importing import rules
from payments.services import payment_record
from tests.factories import ClientFactory, build_cast
from tests.test_workflow_helpers import OCTOBER, pay_in, set_scheme

pytestmark = [
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

LATE = Decimal("1234.56")


def _in_thread(target: Any) -> threading.Thread:
    def run() -> None:
        try:
            target()
        finally:
            connection.close()

    thread = threading.Thread(target=run)
    thread.start()
    return thread


def test_a_payment_written_during_the_close_is_counted() -> None:
    # given October ready to close, and a payment whose writer already holds the month
    cast = build_cast()
    set_scheme(cast)
    pay_in(cast)
    client = ClientFactory(department=cast.dept)
    period = services.period_open(department=cast.dept, month=OCTOBER)
    holding = threading.Event()

    def write_slowly() -> None:
        with transaction.atomic():
            rules.lock_periods([(cast.dept.pk, OCTOBER)])
            holding.set()
            time.sleep(0.5)  # the close starts meanwhile and must wait for this commit
            payment_record(
                user=cast.admin, client=client, amount=LATE, received_on=dt.date(2026, 10, 31)
            )

    writer = _in_thread(write_slowly)
    assert holding.wait(timeout=10)
    # when the head closes the month while the write is still open
    closed = services.period_close(
        user=cast.head.user, period=period, expected_version=period.version
    )
    writer.join(timeout=30)

    # then the close waited and counted it
    assert closed.collected == Decimal("55000000.00") + LATE
    assert closed.payment_count == 5


def test_a_payment_arriving_after_the_close_began_is_refused() -> None:
    # given the close holds the month (its transaction still open)
    cast = build_cast()
    set_scheme(cast)
    pay_in(cast)
    client = ClientFactory(department=cast.dept)
    period = services.period_open(department=cast.dept, month=OCTOBER)
    outcome: list[str] = []
    closing = threading.Event()

    def record_late() -> None:
        closing.wait(timeout=10)
        try:
            payment_record(
                user=cast.admin, client=client, amount=LATE, received_on=dt.date(2026, 10, 31)
            )
            outcome.append("recorded")
        except ValidationError as error:
            outcome.append(" ".join(error.messages))

    writer = _in_thread(record_late)
    with transaction.atomic():
        closed = services.period_close(
            user=cast.head.user, period=period, expected_version=period.version
        )
        closing.set()
        time.sleep(0.5)  # the writer is now waiting on the period row
    writer.join(timeout=30)

    # then the late payment is refused with the reason, and the total stays exact
    assert closed.collected == Decimal("55000000.00")
    assert len(outcome) == 1
    assert "no longer be added" in outcome[0]
    assert BonusPeriod.objects.get(pk=period.pk).state == PeriodState.CLOSED
