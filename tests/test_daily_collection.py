"""The daily collections kept by the database always equal the payments they total.

They are what closing reads instead of a month of payments, so any drift would pay the
wrong bonus: every way payments are written is checked against a fresh aggregate.
"""

from __future__ import annotations

import datetime as dt
import itertools
from decimal import Decimal
from pathlib import Path

import pytest
from django.db.models import Count, Q, Sum
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from accounts.policy import SYSTEM
from payments.importing import payments_import
from payments.models import DailyCollection, Payment, Source
from payments.services import payment_record, payment_void
from tests.factories import Cast, ClientFactory, PaymentFactory

REFERENCES = itertools.count()
DAYS = [dt.date(2026, 10, 1) + dt.timedelta(days=n) for n in range(5)]
DayKey = tuple[int, dt.date]
Figures = tuple[Decimal, int]


def daily() -> dict[DayKey, Figures]:
    return {
        (row.department_id, row.day): (row.amount, row.payment_count)
        for row in DailyCollection.objects.filter(payment_count__gt=0)
    }


def aggregated() -> dict[DayKey, Figures]:
    rows = (
        Payment.objects.counted()
        .values("department_id", "received_on")
        .annotate(total=Sum("amount"), count=Count("*"))
    )
    return {
        (row["department_id"], row["received_on"]): (row["total"], row["count"]) for row in rows
    }


def assert_kept_exact() -> None:
    """The kept daily collections equal, to the kopeck, the counted payments they total.

    The rows left out of the comparison, those at zero, must be at zero indeed: readers
    skip them by their count, and sum the rest.
    """
    assert daily() == aggregated()
    half = Decimal("0.005")
    not_zero = Q(amount__gte=half) | Q(amount__lte=-half)
    off = DailyCollection.objects.filter(Q(payment_count__lt=0) | (Q(payment_count=0) & not_zero))
    assert list(off.values()) == []


def test_recording_and_voiding_keep_the_day_totals(cast: Cast) -> None:
    # given
    client = ClientFactory(department=cast.dept)
    # when two payments are recorded on one day and one of them is voided
    first = payment_record(
        user=cast.admin, client=client, amount=Decimal("100.10"), received_on=DAYS[0]
    )
    payment_record(user=cast.admin, client=client, amount=Decimal("0.05"), received_on=DAYS[0])
    payment_void(user=cast.admin, payment=first, reason="Entered twice")
    # then the day holds the one counted payment
    assert daily() == {(cast.dept.pk, DAYS[0]): (Decimal("0.05"), 1)}


def test_an_import_adds_its_payments_by_day(cast: Cast, tmp_path: Path) -> None:
    # given a file of four payments on two days (both write paths share the triggers)
    inn = ClientFactory(department=cast.dept).inn
    path = tmp_path / "day.csv"
    path.write_text(
        "date;amount;inn;reference\n"
        f"01.10.2026;10.01;{inn};a\n01.10.2026;20.02;{inn};b\n"
        f"02.10.2026;30.03;{inn};c\n02.10.2026;0.01;{inn};d\n",
        encoding="utf-8",
    )
    # when it is imported twice (the second time adds nothing)
    for _ in range(2):
        with path.open("rb") as stream:
            payments_import(user=SYSTEM, file_name="day.csv", data=stream)
    # then
    assert daily() == {
        (cast.dept.pk, DAYS[0]): (Decimal("30.03"), 2),
        (cast.dept.pk, DAYS[1]): (Decimal("30.04"), 2),
    }


# Each operation is one statement against the payments table, as any code could issue.
OPERATIONS = st.lists(
    st.tuples(
        st.sampled_from(
            [
                "create",
                "bulk",
                "void",
                "unvoid",
                "move",
                "reprice",
                "reassign",
                "transfer",
                "delete",
            ]
        ),
        st.integers(min_value=0, max_value=4),
        st.decimals(min_value=Decimal("0.01"), max_value=Decimal("99999.99"), places=2),
    ),
    max_size=12,
)


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(operations=OPERATIONS)
def test_any_sequence_of_writes_keeps_the_totals_exact(
    cast: Cast, operations: list[tuple[str, int, Decimal]]
) -> None:
    Payment.objects.all().delete()
    clients = [ClientFactory(department=cast.dept), ClientFactory(department=cast.other)]
    responsible = [cast.masha, None, cast.vasya]
    for kind, n, amount in operations:
        day, client = DAYS[n], clients[n % 2]
        payments = Payment.objects.order_by("pk")
        chosen = payments.filter(pk__in=payments.values("pk")[n : n + 2])
        if kind == "create":
            PaymentFactory(client=client, received_on=day, amount=amount)
        elif kind == "bulk":
            Payment.objects.bulk_create(
                [
                    Payment.of_client(
                        client,
                        amount=amount,
                        received_on=DAYS[(n + i) % 5],
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
        elif kind == "reassign":
            chosen.update(responsible=responsible[n % 3])
        elif kind == "transfer":
            chosen.update(client=client, department=client.department)
        else:
            chosen.delete()
    assert_kept_exact()


@pytest.mark.django_db
@pytest.mark.parametrize("name", ["insert", "update", "delete"])
def test_the_triggers_exist(name: str) -> None:
    # A migration that rebuilt the payments table would lose them silently.
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT tgname FROM pg_trigger WHERE tgrelid = 'payments_payment'::regclass")
        names = {row[0] for row in cursor.fetchall()}
    assert f"payments_daily_collection_{name}" in names, names
