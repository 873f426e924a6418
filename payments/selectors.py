"""Collection figures for a department and month: the reads every page builds on.

Each function runs a fixed number of SQL queries whatever the number of payments.
Voided payments never count.
"""

from __future__ import annotations

import calendar
import datetime as dt
from decimal import Decimal

from django.db.models import QuerySet, Sum

from accounts.models import Department
from payments.models import Payment

ZERO = Decimal("0.00")


def month_bounds(month: dt.date) -> tuple[dt.date, dt.date]:
    first = month.replace(day=1)
    return first, first.replace(day=calendar.monthrange(first.year, first.month)[1])


def month_payments(department: Department, month: dt.date) -> QuerySet[Payment]:
    first, last = month_bounds(month)
    return Payment.objects.counted().filter(
        department=department, received_on__gte=first, received_on__lte=last
    )


def daily_totals(department: Department, month: dt.date) -> list[tuple[dt.date, Decimal]]:
    """The month's collections summed by day, in date order (one query)."""
    rows = (
        month_payments(department, month)
        .values("received_on")
        .annotate(total=Sum("amount"))
        .order_by("received_on")
        .values_list("received_on", "total")
    )
    return [(day, total) for day, total in rows]
