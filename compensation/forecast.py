"""The month's expected collections and what each gate is worth: pure functions.

A forecast, never a collected figure: money expected from open invoices (on their due
dates), promises (on the promised dates) and, for clients billed no invoice, their usual
payment day. Nothing here reads the database; every bonus figure is the engine's.
"""

from __future__ import annotations

import datetime as dt
import statistics
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from decimal import Decimal
from fractions import Fraction

from compensation.engine import BonusInput, BonusResult, Payment, calculate, to_kopecks

ZERO = Decimal("0.00")


@dataclass(frozen=True)
class ClientOutlook:
    """What one client is expected to pay for the rest of the month."""

    open_invoices: tuple[tuple[dt.date, Decimal], ...] = ()  # (due on, still open)
    promises: tuple[tuple[dt.date, Decimal], ...] = ()  # (promised on, amount)
    usual_day: int | None = None  # for a client billed no invoice this month
    usual_amount: Decimal = ZERO  # what such a client still usually pays


def usual_day(days: Iterable[int]) -> int | None:
    """The median day of the month of a client's payments (the lower middle one)."""
    days = sorted(days)
    return statistics.median_low(days) if days else None


def expected_arrivals(
    client: ClientOutlook, *, today: dt.date, last: dt.date, promised_only: bool = False
) -> list[tuple[dt.date, Decimal]]:
    """When the client's money is expected, none of it before ``today`` nor after ``last``.

    Promises come first, up to what is open; what they leave is expected on the open
    invoices' due dates (an overdue one today). A client with no invoice is expected on
    their usual day, if it has not passed. ``promised_only``: the promises' part alone,
    the low edge of the forecast band (what clients said they would pay).
    """
    open_total = sum((amount for _day, amount in client.open_invoices), ZERO)
    arrivals: list[tuple[dt.date, Decimal]] = []
    if client.open_invoices:
        left = open_total
        for day, amount in sorted(client.promises):
            if day >= today and left > 0:
                take = min(amount, left)
                arrivals.append((day, take))
                left -= take
        if promised_only:
            left = ZERO
        for due_on, amount in sorted(client.open_invoices, reverse=True):
            if left <= 0:
                break
            take = min(amount, left)
            arrivals.append((max(due_on, today), take))
            left -= take
    elif client.usual_day is not None and client.usual_amount > 0 and not promised_only:
        day = last.replace(day=min(client.usual_day, last.day))
        if day >= today:
            arrivals.append((day, client.usual_amount))
    return sorted((day, amount) for day, amount in arrivals if day <= last)


def expected_by_day(
    clients: Iterable[ClientOutlook],
    *,
    today: dt.date,
    last: dt.date,
    promised_only: bool = False,
) -> dict[dt.date, Decimal]:
    totals: dict[dt.date, Decimal] = defaultdict(lambda: ZERO)
    for client in clients:
        arrivals = expected_arrivals(client, today=today, last=last, promised_only=promised_only)
        for day, amount in arrivals:
            totals[day] += amount
    return dict(sorted(totals.items()))


def added_by_day(*series: Mapping[dt.date, Decimal]) -> dict[dt.date, Decimal]:
    """Money by day from several sources, added day by day."""
    totals: dict[dt.date, Decimal] = defaultdict(lambda: ZERO)
    for by_day in series:
        for day, amount in by_day.items():
            totals[day] += amount
    return dict(sorted(totals.items()))


@dataclass(frozen=True)
class GateWorth:
    """What meeting a gate adds, against missing it, all else the same (the engine's)."""

    pool: Decimal  # the earned bonus
    head: Decimal
    staff: Mapping[str, Decimal]


@dataclass(frozen=True)
class GateForecast:
    day: int
    date: dt.date
    required: Decimal
    collected: Decimal  # by today: a collected figure
    expected: Decimal  # by the gate's date: collected + expected, a forecast
    worth: GateWorth

    @property
    def gap(self) -> Decimal:
        """What is still missing even if everything expected comes in time."""
        return max(ZERO, self.required - self.expected)

    @property
    def still_needed(self) -> Decimal:
        return max(ZERO, self.required - self.collected)


def with_expected(data: BonusInput, expected: Mapping[dt.date, Decimal]) -> BonusInput:
    """The month's engine input with the expected money added as payments on its days."""
    extra = tuple(Payment(date=day, amount=amount) for day, amount in expected.items() if amount)
    return replace(data, payments=data.payments + extra)


def gate_worth(data: BonusInput, index: int) -> GateWorth:
    """The engine run twice on the same payments: gate ``index`` met, then missed."""
    collected = sum((p.amount for p in data.payments), ZERO)
    met = calculate(_gate_share(data, index, Fraction(0)))
    # A share of plan one kopeck beyond everything collected cannot be met.
    beyond = Fraction(to_kopecks(collected) + 1, 100) / Fraction(data.scheme.plan)
    missed = calculate(_gate_share(data, index, beyond))
    return worth_between(met, missed)


def worth_between(better: BonusResult, worse: BonusResult) -> GateWorth:
    return GateWorth(
        pool=better.earned - worse.earned,
        head=better.head - worse.head,
        staff={line.name: line.bonus - worse.line(line.name).bonus for line in better.staff},
    )


def _gate_share(data: BonusInput, index: int, share: Fraction) -> BonusInput:
    milestones = list(data.scheme.milestones)
    milestones[index] = replace(milestones[index], share_of_plan=share)
    return replace(data, scheme=replace(data.scheme, milestones=tuple(milestones)))


def gate_forecasts(
    data: BonusInput, expected: Mapping[dt.date, Decimal], *, today: dt.date
) -> list[GateForecast]:
    """Each gate not yet past: collected by today, expected by its day, and its worth at
    the month as forecast (the engine's figures on collected + expected)."""
    forecast = with_expected(data, expected)
    now = calculate(data)
    later = calculate(forecast)
    gates = []
    for index, (actual, planned) in enumerate(zip(now.milestones, later.milestones, strict=True)):
        if actual.date < today:
            continue
        gates.append(
            GateForecast(
                day=actual.day,
                date=actual.date,
                required=actual.required,
                collected=actual.collected,
                expected=planned.collected,
                worth=gate_worth(forecast, index),
            )
        )
    return gates


def more_by(data: BonusInput, amount: Decimal, day: dt.date) -> BonusInput:
    """The month with ``amount`` more collected on ``day`` (the team's what-if)."""
    if amount <= 0:
        return data
    return replace(data, payments=(*data.payments, Payment(date=day, amount=amount)))


def needed_for_gate(data: BonusInput, index: int) -> Decimal:
    """What must still come in by gate ``index``'s day to meet it (zero if met)."""
    result = calculate(data).milestones[index]
    return max(ZERO, result.required - result.collected)


@dataclass(frozen=True)
class BandDay:
    """One day of the forecast band: the running total if only the promises come in
    (``low``) and if everything expected comes in on its day (``high``). A forecast,
    never a collected figure: both start from what was collected by ``today``."""

    date: dt.date
    low: Decimal
    high: Decimal


def forecast_band(
    collected: Decimal,
    *,
    low: Mapping[dt.date, Decimal],
    high: Mapping[dt.date, Decimal],
    today: dt.date,
    last: dt.date,
) -> list[BandDay]:
    """The band from ``today`` to the month's ``last`` day, day by day."""
    band, low_total, high_total = [], collected, collected
    day = today
    while day <= last:
        low_total += low.get(day, ZERO)
        high_total += high.get(day, ZERO)
        band.append(BandDay(day, low_total, high_total))
        day += dt.timedelta(days=1)
    return band
