"""The company's cash gap and the month's forecast, read for the director's pages.

A fixed number of queries whatever the size of the company: collections from the daily
totals, obligations from their monthly totals and schedule, the forecast from the
month's invoices, promises and usual payers of every department at once. The
calculations are the pure ones (``compensation.cashgap``, ``compensation.forecast``).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from django.db import connection
from django.db.models import Min

from accounts.models import Department
from compensation.cashgap import CashGap, cash_gap, spread_evenly
from compensation.company import (
    DepartmentMonth,
    company_daily,
    daily_by_department,
    department_month,
    in_month,
    periods_between,
    schemes_between,
    shift,
)
from compensation.forecast import ClientOutlook, added_by_day, expected_by_day
from compensation.models import MonthlyObligation, MonthlyScheme, ObligationDue
from core.calendar import exceptions_between, working_days
from core.money import KOPECK
from payments.models import Client, ClientMonthCollection, Invoice
from payments.outstanding import open_by_day, promising, usual_since
from payments.selectors import month_bounds

ZERO = Decimal("0.00")
TREND_MONTHS = 12


def obligations_by_day(first: dt.date, last: dt.date) -> dict[dt.date, Decimal]:
    """What the company owes each day of the whole months from ``first`` to ``last``.

    A month with a schedule of due dates owes on those dates; any other month's total is
    spread evenly over its working days by the company calendar (three queries).
    """
    first, last = first.replace(day=1), month_bounds(last)[1]
    owed: dict[dt.date, Decimal] = defaultdict(lambda: ZERO)
    scheduled: set[dt.date] = set()
    dues = ObligationDue.objects.filter(due_on__range=(first, last))
    for day, amount in dues.values_list("due_on", "amount"):
        owed[day] += amount
        scheduled.add(day.replace(day=1))
    totals = MonthlyObligation.objects.filter(month__range=(first, last), total__gt=0)
    exceptions = exceptions_between(first, last)
    for month, total in totals.values_list("month", "total"):
        if month not in scheduled:
            days = working_days(*month_bounds(month), exceptions)
            for day, amount in spread_evenly(total, days).items():
                owed[day] += amount
    return dict(owed)


# --- the forecast of every department at once ----------------------------------------------


def _promised_outlooks(month: dt.date, today: dt.date) -> dict[int, list[ClientOutlook]]:
    """Per department, the billed clients with a promise still to come: their open
    invoices and promises (two queries). The other billed clients' open money is summed
    by day in the database (``payments.outstanding.open_by_day``)."""
    outlooks: dict[int, list[ClientOutlook]] = defaultdict(list)
    for client in promising(month, today=today):
        outlooks[client.department_id].append(
            ClientOutlook(open_invoices=client.open_invoices, promises=client.promises)
        )
    return outlooks


# Each client's habit in one pass over the payments kept by client and month (a row a
# client-month-department, never a row a payment): per client the lower median of the
# days of the month they paid on, the total and the number of months before this one,
# and what came in this month. Clients invoiced this month are left out in the database
# (their invoices say what they owe). A client paid through two departments is the
# lower department's, their days counted per department as the payments were credited.
_USUAL_SQL = """
WITH months AS (
    SELECT client_id, department_id, month, amount, days
    FROM {habits}
    WHERE payment_count > 0 AND month BETWEEN %(since)s AND %(first)s
        AND client_id IN (
            SELECT c.id FROM {clients} c WHERE NOT EXISTS (
                SELECT 1 FROM {invoices} i WHERE i.client_id = c.id AND i.month = %(first)s
            )
        )
), usual AS (
    SELECT client_id, percentile_disc(0.5) WITHIN GROUP (ORDER BY day) AS day
    FROM months CROSS JOIN LATERAL unnest(days) AS day
    WHERE month < %(first)s
    GROUP BY client_id
)
SELECT m.client_id, min(m.department_id), u.day,
    sum(m.amount) FILTER (WHERE m.month < %(first)s),
    count(DISTINCT m.month) FILTER (WHERE m.month < %(first)s),
    coalesce(sum(m.amount) FILTER (WHERE m.month = %(first)s), 0)
FROM months m JOIN usual u ON u.client_id = m.client_id
GROUP BY m.client_id, u.day
"""


def _usual_outlooks(month: dt.date) -> dict[int, list[ClientOutlook]]:
    """Per department, the clients billed nothing this month, by their habit (one query)."""
    first, _last = month_bounds(month)
    outlooks: dict[int, list[ClientOutlook]] = defaultdict(list)
    with connection.cursor() as cursor:
        cursor.execute(
            _USUAL_SQL.format(
                habits=ClientMonthCollection._meta.db_table,
                clients=Client._meta.db_table,
                invoices=Invoice._meta.db_table,
            ),
            {"since": usual_since(first), "first": first},
        )
        rows = cursor.fetchall()
    for _client, department, day, total, months, this_month in rows:
        monthly = (total / months).quantize(KOPECK)
        outlooks[department].append(
            ClientOutlook(usual_day=int(day), usual_amount=max(ZERO, monthly - this_month))
        )
    return outlooks


def expected_by_department(month: dt.date, today: dt.date) -> dict[int, dict[dt.date, Decimal]]:
    """Each department's money expected from ``today`` to the month's end (four queries);
    nothing outside the running month."""
    first, last = month_bounds(month)
    if not first <= today <= last:
        return {}
    invoiced = open_by_day(month, today=today)
    promised = _promised_outlooks(month, today)
    usual = _usual_outlooks(month)
    expected: dict[int, dict[dt.date, Decimal]] = {}
    for department in set(invoiced) | set(promised) | set(usual):
        clients = promised.get(department, []) + usual.get(department, [])
        expected[department] = added_by_day(
            invoiced.get(department, {}),
            expected_by_day(clients, today=today, last=last),
        )
    return expected


# --- the company's cash gap ------------------------------------------------------------------


@dataclass(frozen=True)
class MonthGap:
    month: dt.date
    gap: CashGap
    running: bool  # the month is not over: the series stops today
    after_scheme: bool  # the bonus scheme was in force this month


@dataclass(frozen=True)
class CompanyCashGap:
    month: dt.date
    current: MonthGap
    forecast: CashGap | None  # the running month to its end: collected, then expected
    trend: tuple[MonthGap, ...]  # the months up to ``month``, oldest first
    scheme_started: dt.date | None


def company_cash_gap(month: dt.date, *, today: dt.date) -> CompanyCashGap:
    """The month's gap, its forecast while it runs, and the twelve months' trend."""
    months = [shift(month, -back) for back in range(TREND_MONTHS - 1, -1, -1)]
    first, last = months[0], month_bounds(month)[1]
    collections = company_daily(first, last)
    owed = obligations_by_day(first, last)
    started = MonthlyScheme.objects.aggregate(first=Min("month"))["first"]
    trend = tuple(_month_gap(m, collections, owed, today, started) for m in months)
    current = trend[-1]
    forecast = None
    if current.running and month <= today:
        forecast = _forecast(month, collections, owed, today)
    return CompanyCashGap(
        month=month, current=current, forecast=forecast, trend=trend, scheme_started=started
    )


def _month_gap(
    month: dt.date,
    collections: dict[dt.date, Decimal],
    owed: dict[dt.date, Decimal],
    today: dt.date,
    started: dt.date | None,
) -> MonthGap:
    running = today <= month_bounds(month)[1]
    gap = cash_gap(
        month=month,
        collections=in_month(collections, month),
        obligations=in_month(owed, month),
        through=today if running else None,
    )
    return MonthGap(
        month=month,
        gap=gap,
        running=running,
        after_scheme=started is not None and month >= started,
    )


def _forecast(
    month: dt.date,
    collections: dict[dt.date, Decimal],
    owed: dict[dt.date, Decimal],
    today: dt.date,
) -> CashGap:
    """Collected until yesterday, then expected from today: never the two mixed on a day
    before today."""
    series: dict[dt.date, Decimal] = defaultdict(lambda: ZERO)
    for day, amount in in_month(collections, month).items():
        series[day] += amount
    for by_day in expected_by_department(month, today).values():
        for day, amount in by_day.items():
            series[day] += amount
    return cash_gap(month=month, collections=series, obligations=in_month(owed, month))


def departments_at_glance(
    departments: list[Department], month: dt.date, *, today: dt.date
) -> list[DepartmentMonth]:
    """Each department's month: collected, plan, gates, forecast, bonus and period state
    (nine queries at most, whatever the number of departments)."""
    first, last = month_bounds(month)
    ids = [d.pk for d in departments]
    daily = daily_by_department(first, last, ids)
    schemes = schemes_between(first, first, ids)
    periods = periods_between(first, first, ids)
    expected = expected_by_department(month, today) if first <= today <= last else None
    return [
        department_month(
            department,
            first,
            today=today,
            scheme=schemes.get((department.pk, first)),
            daily=daily.get(department.pk, {}),
            expected=None if expected is None else expected.get(department.pk, {}),
            period=periods.get((department.pk, first)),
        )
        for department in departments
    ]
