"""Collection figures for a department and month: the reads every page builds on.

Each function runs a fixed number of SQL queries whatever the number of payments.
Voided payments never count. Payments count for the department and the responsible
employee fixed on them when they were recorded, never through the assignment history.
"""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import NamedTuple

from django.db import models
from django.db.models import (
    Count,
    DateField,
    Exists,
    ExpressionWrapper,
    F,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
)
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import Absence, Department, Employee
from compensation import engine
from compensation.models import MonthlyScheme
from core.money import KOPECK
from payments.models import (
    Client,
    ClientAssignment,
    ClientMonthCollection,
    DailyCollection,
    Payment,
)

ZERO = Decimal("0.00")
ONE_DAY = dt.timedelta(days=1)
PERCENT = Decimal("0.1")
# The engine splits a bonus among staff; progress needs only the collections, so one
# placeholder staff member satisfies its input rules without touching real people.
_PROGRESS_STAFF = ("department",)


def _money(value: Decimal | None) -> Decimal:
    # A sum of nothing is NULL; a sum is given to the kopeck whatever its scale.
    return ZERO if value is None else value.quantize(KOPECK)


def month_bounds(month: dt.date) -> tuple[dt.date, dt.date]:
    first = month.replace(day=1)
    return first, first.replace(day=calendar.monthrange(first.year, first.month)[1])


def month_payments(department: Department, month: dt.date) -> QuerySet[Payment]:
    first, last = month_bounds(month)
    return Payment.objects.counted().filter(
        department=department, received_on__gte=first, received_on__lte=last
    )


def daily_collections(department: Department, month: dt.date) -> list[tuple[dt.date, Decimal, int]]:
    """The month's collections by day with the number of payments, in date order.

    Read from the daily collections the database keeps (``DailyCollection``): at most
    31 rows, however many payments the month holds (one query).
    """
    first, last = month_bounds(month)
    rows = (
        DailyCollection.objects.filter(
            department=department, day__range=(first, last), payment_count__gt=0
        )
        .order_by("day")
        .values_list("day", "amount", "payment_count")
    )
    return [(day, _money(total), count) for day, total, count in rows]


def daily_totals(department: Department, month: dt.date) -> list[tuple[dt.date, Decimal]]:
    """The month's collections summed by day, in date order (one query)."""
    return [(day, total) for day, total, _count in daily_collections(department, month)]


# --- totals ----------------------------------------------------------------------------

# The counts below are count(*), never count(id): the id is not in
# payment_dept_date_counted_idx, and asking for it turns the index-only scan of the
# month into a visit of every payment's row.


class DayTotal(NamedTuple):
    day: dt.date
    total: Decimal
    running_total: Decimal


@dataclass(frozen=True)
class ClientTotal:
    client_id: int
    name: str
    inn: str
    total: Decimal
    count: int


@dataclass(frozen=True)
class ResponsibleTotal:
    employee: Employee | None  # None: payments recorded while the client had nobody
    total: Decimal
    count: int


def collected_total(department: Department, month: dt.date) -> Decimal:
    """The month's collections so far (one query)."""
    return _money(month_payments(department, month).aggregate(total=Sum("amount"))["total"])


def _running_totals(
    daily: list[tuple[dt.date, Decimal]], first: dt.date, until: dt.date
) -> list[DayTotal]:
    by_day = dict(daily)
    rows: list[DayTotal] = []
    running = ZERO
    day = first
    while day <= until:
        total = by_day.get(day, ZERO)
        running += total
        rows.append(DayTotal(day, total, running))
        day += ONE_DAY
    return rows


def cumulative_by_day(
    department: Department, month: dt.date, today: dt.date | None = None
) -> list[DayTotal]:
    """Each day of the month up to today (or the month's end): day total, running total.

    Days without payments are listed with a zero total so a chart has no gaps; a month
    that has not begun gives an empty list. One query.
    """
    first, last = month_bounds(month)
    until = min(today or timezone.localdate(), last)
    return _running_totals(daily_totals(department, month), first, until)


def totals_by_client(
    department: Department, month: dt.date, limit: int | None = None
) -> list[ClientTotal]:
    """Clients by collected amount, largest first; ties by name (two queries, none for
    ``limit=0``).

    The month's totals by client are read from the rows the database keeps per client,
    department and month (``ClientMonthCollection``), a row a client whatever their
    payments; only the clients that make the list are read then, by their keys.
    """
    if limit == 0:
        return []
    first = month.replace(day=1)
    totals = [
        (client, _money(total), count)
        for client, total, count in ClientMonthCollection.objects.filter(
            department=department, month=first, payment_count__gt=0
        ).values_list("client_id", "amount", "payment_count")
    ]
    if limit is not None and len(totals) > limit:
        # The largest ``limit`` and every client tied with the last of them: the name,
        # read below, decides among those.
        cut = sorted((total for _client, total, _count in totals), reverse=True)[limit - 1]
        totals = [row for row in totals if row[1] >= cut]
    clients = Client.objects.only("name", "inn").in_bulk([client for client, _t, _c in totals])
    rows = sorted(
        (
            ClientTotal(client, clients[client].name, clients[client].inn, total, count)
            for client, total, count in totals
        ),
        key=lambda row: (-row.total, row.name, row.client_id),
    )
    return rows if limit is None else rows[:limit]


def totals_by_responsible(department: Department, month: dt.date) -> list[ResponsibleTotal]:
    """Collections per responsible employee as fixed on each payment (two queries)."""
    rows = list(
        month_payments(department, month)
        .values("responsible_id")
        .annotate(total=Sum("amount"), count=Count("*"))
        .order_by()
    )
    people = Employee.objects.in_bulk(
        [row["responsible_id"] for row in rows if row["responsible_id"]]
    )
    totals = [
        ResponsibleTotal(people.get(row["responsible_id"]), _money(row["total"]), row["count"])
        for row in rows
    ]
    return sorted(totals, key=lambda t: (-t.total, t.employee is None, str(t.employee or "")))


@dataclass(frozen=True)
class CoverTotal:
    """What one person collected in a month: on their own clients (``covered_for`` None),
    or on the clients they held while ``covered_for`` was away."""

    responsible_id: int | None
    covered_for_id: int | None
    total: Decimal
    count: int


def _covered_for() -> Subquery:
    """Whom a payment's holder was covering: the holder the client went back to after
    the row in force on the payment's day, when that is someone else who either held the
    client just before it too, or was away (an absence) on the payment's day."""
    back = ClientAssignment.objects.filter(
        client=OuterRef("client"),
        started_on=ExpressionWrapper(
            OuterRef("ended_on") + dt.timedelta(days=1), output_field=DateField()
        ),
    ).exclude(employee=OuterRef("employee"))
    before = ClientAssignment.objects.filter(
        client=OuterRef("client"),
        ended_on=ExpressionWrapper(
            OuterRef("started_on") - dt.timedelta(days=1), output_field=DateField()
        ),
    )
    away = Absence.objects.filter(
        employee=OuterRef("back_to"),
        started_on__lte=OuterRef(OuterRef("received_on")),
        ended_on__gte=OuterRef(OuterRef("received_on")),
    )
    cover = (
        ClientAssignment.objects.filter(
            client=OuterRef("client"),
            employee=OuterRef("responsible"),
            started_on__lte=OuterRef("received_on"),
            ended_on__gte=OuterRef("received_on"),
        )
        .annotate(
            back_to=Subquery(back.values("employee")[:1]),
            held_before=Subquery(before.values("employee")[:1]),
        )
        .filter(back_to__isnull=False)
        .filter(Q(held_before=F("back_to")) | Exists(away))
    )
    return Subquery(cover.values("back_to")[:1])


def totals_by_cover(department: Department, month: dt.date) -> list[CoverTotal]:
    """The month's collections per responsible person, own clients apart from clients
    held while a colleague was away, and for whom (one query)."""
    rows = (
        month_payments(department, month)
        .annotate(covered_for=_covered_for())
        .values("responsible_id", "covered_for")
        .annotate(total=Sum("amount"), count=Count("*"))
        .order_by()
    )
    return [
        CoverTotal(row["responsible_id"], row["covered_for"], _money(row["total"]), row["count"])
        for row in rows
    ]


# --- progress against the plan -------------------------------------------------------


class MilestoneStatus(models.TextChoices):
    MET = "met", _("Met")
    MISSED = "missed", _("Missed")
    OPEN = "open", _("Open")


@dataclass(frozen=True)
class MilestoneProgress:
    day: int
    date: dt.date
    required: Decimal
    collected: Decimal  # collected by the milestone's date (so far, if it is still ahead)
    status: MilestoneStatus
    still_needed: Decimal  # zero when met; for a missed milestone, what was lacking
    days_left: int  # calendar days from today to the milestone's date, never negative
    tranche: Decimal  # the part of the current pool this milestone gates


@dataclass(frozen=True)
class PlanProgress:
    month: dt.date
    plan: Decimal
    threshold: Decimal
    collected: Decimal
    percent_of_plan: Decimal
    pool: Decimal  # the bonus pool if the month ended at today's collections
    milestones: tuple[MilestoneProgress, ...]


def scheme_for(department: Department, month: dt.date) -> MonthlyScheme | None:
    """The month's scheme with its milestones (two queries; one when there is none)."""
    first, _last = month_bounds(month)
    return (
        MonthlyScheme.objects.filter(department=department, month=first)
        .prefetch_related("milestones")
        .first()
    )


def _milestone_progress(result: engine.MilestoneResult, today: dt.date) -> MilestoneProgress:
    if result.met:
        status = MilestoneStatus.MET
    elif today > result.date:
        status = MilestoneStatus.MISSED
    else:
        status = MilestoneStatus.OPEN
    return MilestoneProgress(
        day=result.day,
        date=result.date,
        required=result.required,
        collected=result.collected,
        status=status,
        still_needed=result.shortfall,
        days_left=max(0, (result.date - today).days),
        tranche=result.amount,
    )


def _progress(
    scheme: MonthlyScheme, daily: list[tuple[dt.date, Decimal]], today: dt.date
) -> PlanProgress:
    # The engine decides what counts by each milestone's date; nothing is re-derived here.
    result = engine.calculate(
        engine.BonusInput(
            scheme=scheme.to_engine(list(scheme.milestones.all())),
            year=scheme.month.year,
            month=scheme.month.month,
            payments=tuple(engine.Payment(day, total) for day, total in daily),
            staff=_PROGRESS_STAFF,
        )
    )
    percent = (result.collected * 100 / scheme.plan).quantize(PERCENT, rounding=ROUND_HALF_UP)
    return PlanProgress(
        month=scheme.month,
        plan=scheme.plan,
        threshold=scheme.threshold,
        collected=result.collected,
        percent_of_plan=percent,
        pool=result.pool,
        milestones=tuple(_milestone_progress(m, today) for m in result.milestones),
    )


def plan_progress(
    department: Department, month: dt.date, today: dt.date | None = None
) -> PlanProgress | None:
    """Collections against the month's plan and milestones; None without a scheme.

    Three queries. Raises ``engine.BonusInputError`` if the stored scheme is invalid.
    """
    scheme = scheme_for(department, month)
    if scheme is None:
        return None
    return _progress(scheme, daily_totals(department, month), today or timezone.localdate())


# --- the dashboard ---------------------------------------------------------------------


@dataclass(frozen=True)
class CollectionsSummary:
    department: Department
    month: dt.date
    collected: Decimal
    payment_count: int
    # (day, total, payments) of the days with payments, in date order, as read
    daily_collections: list[tuple[dt.date, Decimal, int]]
    cumulative: list[DayTotal]
    by_client: list[ClientTotal]
    by_responsible: list[ResponsibleTotal]
    scheme: MonthlyScheme | None  # with its milestones
    progress: PlanProgress | None


def collections_summary(
    department: Department,
    month: dt.date,
    today: dt.date | None = None,
    *,
    top_clients: int | None = None,
) -> CollectionsSummary:
    """Every collection figure of the dashboard, from one read of the daily totals (7 queries).

    ``top_clients`` keeps only the largest clients: a month's clients can be thousands,
    and the page shows ten.
    """
    first, last = month_bounds(month)
    today = today or timezone.localdate()
    rows = daily_collections(department, month)
    daily = [(day, total) for day, total, _count in rows]
    scheme = scheme_for(department, first)
    return CollectionsSummary(
        department=department,
        month=first,
        collected=sum((total for _day, total in daily), ZERO),
        payment_count=sum(count for _day, _total, count in rows),
        daily_collections=rows,
        cumulative=_running_totals(daily, first, min(today, last)),
        by_client=totals_by_client(department, first, limit=top_clients),
        by_responsible=totals_by_responsible(department, first),
        scheme=scheme,
        progress=None if scheme is None else _progress(scheme, daily, today),
    )
