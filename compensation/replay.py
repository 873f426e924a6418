"""A draft scheme replayed on a department's last twelve months (reads only).

Month by month, the engine on the month's actual collections by day: what the draft
would have paid against what was paid, and which gates it would have met. A replay,
not a forecast: people would have worked differently under another scheme.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from decimal import Decimal

from accounts.models import Department
from compensation import lifecycle
from compensation.cashgap import cash_gap
from compensation.company import company_daily, in_month
from compensation.company_cash import obligations_by_day
from compensation.engine import BonusInput, BonusResult, Payment, Scheme, calculate
from compensation.gates import GateDay, needs_calendar, resolve_scheme
from compensation.models import BonusPeriod, MonthlyScheme, Revision
from core.calendar import exceptions_between, month_bounds
from core.months import previous_month
from payments.models import DailyCollection

REPLAY_MONTHS = 12
_ANY_STAFF = ("staff",)

DailyTotals = list[tuple[dt.date, Decimal]]


@dataclass(frozen=True)
class ReplayMonth:
    month: dt.date
    plan: Decimal | None  # the month's own plan (None: the month had no scheme)
    collected: Decimal
    replayed: BonusResult | None  # the draft's bonus; None without a plan
    paid: Decimal | None  # the bonus approved for the month; None if never approved
    cash_gap: Decimal | None  # the month's deepest cash gap; None without obligations

    @property
    def difference(self) -> Decimal | None:
        if self.replayed is None or self.paid is None:
            return None
        return self.replayed.earned - self.paid


def replay_months(today: dt.date) -> list[dt.date]:
    """The twelve whole months before ``today``'s month, oldest first."""
    months = [previous_month(today.replace(day=1))]
    while len(months) < REPLAY_MONTHS:
        months.append(previous_month(months[-1]))
    return months[::-1]


def scheme_replay(
    department: Department,
    draft: Scheme,
    gates: Sequence[GateDay],
    *,
    today: dt.date,
    draft_plan: Decimal | None = None,
) -> list[ReplayMonth]:
    """``draft`` (the engine's scheme, gates as set) on each of the last twelve months.

    Each month's plan is the month's own (``draft_plan`` if given). Collections come
    from a closed month's frozen totals (its approved recount, if any), else from the
    daily totals the database keeps. Five queries, whatever the number of payments.
    """
    months = replay_months(today)
    first, last = months[0], month_bounds(months[-1])[1]
    periods = {
        p.month: p
        for p in BonusPeriod.objects.filter(department=department, month__range=(first, last))
    }
    approved = _approved(periods.values())
    plans = dict(
        MonthlyScheme.objects.filter(department=department, month__range=(first, last)).values_list(
            "month", "plan"
        )
    )
    live = _live_daily(department, first, last)
    calendar = exceptions_between(first, last) if needs_calendar(gates) else {}
    daily = {month: _month_daily(month, periods.get(month), approved, live) for month in months}
    gaps = replay_cash_gaps(months)
    return [
        _replay_month(
            month,
            draft,
            gates,
            calendar,
            daily[month],
            draft_plan or plans.get(month),
            approved.get(month),
            gaps.get(month),
        )
        for month in months
    ]


def _approved(periods: Iterable[BonusPeriod]) -> dict[dt.date, Revision]:
    """Each period's latest approved revision, by month (one query)."""
    revisions = (
        Revision.objects.filter(period__in=list(periods), approved_at__isnull=False)
        .select_related("period")
        .order_by("period_id", "-number")
        .distinct("period_id")
    )
    return {revision.period.month: revision for revision in revisions}


def _live_daily(
    department: Department, first: dt.date, last: dt.date
) -> dict[dt.date, DailyTotals]:
    """The kept daily totals of the range, by month (one query)."""
    rows = (
        DailyCollection.objects.filter(
            department=department, day__range=(first, last), payment_count__gt=0
        )
        .order_by("day")
        .values_list("day", "amount")
    )
    by_month: dict[dt.date, DailyTotals] = defaultdict(list)
    for day, amount in rows:
        by_month[day.replace(day=1)].append((day, amount))
    return by_month


def _month_daily(
    month: dt.date,
    period: BonusPeriod | None,
    approved: Mapping[dt.date, Revision],
    live: Mapping[dt.date, DailyTotals],
) -> DailyTotals:
    if period is None or lifecycle.takes_payments(period.state):
        return list(live.get(month, []))
    revision = approved.get(month)
    frozen = (
        revision.daily_totals
        if revision is not None and revision.daily_totals
        else period.daily_totals
    )
    return [(dt.date.fromisoformat(day), Decimal(total)) for day, total in frozen]


def replay_cash_gaps(months: Sequence[dt.date]) -> dict[dt.date, Decimal | None]:
    """The company's deepest cash gap in each month, as it was lived through: a replay
    moves no payment, so the gap beside a replayed month is the actual one. None for a
    month whose obligations are not recorded (four queries for all the months)."""
    if not months:
        return {}
    first, last = min(months), month_bounds(max(months))[1]
    owed = obligations_by_day(first, last)
    collections = company_daily(first, last)
    gaps: dict[dt.date, Decimal | None] = {}
    for month in months:
        obligations = in_month(owed, month)
        collected = in_month(collections, month)
        gap = cash_gap(month=month, collections=collected, obligations=obligations)
        gaps[month] = gap.deepest if obligations else None
    return gaps


def _replay_month(
    month: dt.date,
    draft: Scheme,
    gates: Sequence[GateDay],
    calendar: Mapping[dt.date, bool],
    daily: DailyTotals,
    plan: Decimal | None,
    revision: Revision | None,
    cash_gap: Decimal | None,
) -> ReplayMonth:
    collected = sum((amount for _day, amount in daily), Decimal("0.00"))
    paid = Decimal(revision.result["earned"]) if revision is not None and revision.result else None
    if plan is None:
        return ReplayMonth(month, None, collected, None, paid, cash_gap)
    scheme = resolve_scheme(replace(draft, plan=plan), gates, month, calendar)
    result = calculate(
        BonusInput(
            scheme=scheme,
            year=month.year,
            month=month.month,
            payments=tuple(Payment(day, amount) for day, amount in daily),
            staff=_ANY_STAFF,
        )
    )
    return ReplayMonth(month, plan, collected, result, paid, cash_gap)
