"""The collections the database keeps, and the same figures aggregated from payments.

The triggers on the payments table keep ``DailyCollection`` and ``ClientCollection``;
the tests compare them with a fresh aggregate of the counted payments, which must be
equal to the kopeck after any write.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db.models import Count, Q, Sum
from django.db.models.functions import TruncMonth

from payments.models import ClientCollection, DailyCollection, Payment

DayKey = tuple[int, dt.date]
ClientKey = tuple[int, dt.date, int, int | None]
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


def by_client() -> dict[ClientKey, Figures]:
    return {
        (row.department_id, row.month, row.client_id, row.responsible_id): (
            row.amount,
            row.payment_count,
        )
        for row in ClientCollection.objects.filter(payment_count__gt=0)
    }


def aggregated_by_client() -> dict[ClientKey, Figures]:
    rows = (
        Payment.objects.counted()
        .annotate(month=TruncMonth("received_on"))
        .values("department_id", "month", "client_id", "responsible_id")
        .annotate(total=Sum("amount"), count=Count("*"))
    )
    return {
        (row["department_id"], row["month"], row["client_id"], row["responsible_id"]): (
            row["total"],
            row["count"],
        )
        for row in rows
    }


def assert_kept_exact() -> None:
    """Both kept tables equal, to the kopeck, the counted payments they total.

    The rows left out of the comparison, those at zero, must be at zero indeed: readers
    skip them by their count, and sum the rest. (SQLite adds and takes back in binary,
    so its zero may be a dust of a kopeck's fraction; PostgreSQL's is exact.)
    """
    assert daily() == aggregated()
    assert by_client() == aggregated_by_client()
    half = Decimal("0.005")
    for kept in (DailyCollection.objects, ClientCollection.objects):
        not_zero = Q(amount__gte=half) | Q(amount__lte=-half)
        off = kept.filter(Q(payment_count__lt=0) | (Q(payment_count=0) & not_zero))
        assert list(off.values()) == []
