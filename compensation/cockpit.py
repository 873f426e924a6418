"""The cockpit's reads for the dashboard: the month's forecast by gate, the team's
what-if, and a staff member's own part. The figures are the engine's
(``compensation.forecast``); this module only gathers what it is given."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from accounts.models import Department, Employee
from compensation.engine import BonusInput, BonusInputError, BonusResult, calculate
from compensation.forecast import (
    BandDay,
    ClientOutlook,
    GateForecast,
    GateWorth,
    added_by_day,
    expected_by_day,
    forecast_band,
    gate_forecasts,
    more_by,
    needed_for_gate,
    usual_day,
    worth_between,
)
from compensation.selectors import CollectionsSummary, figures_input, month_figures, staff_key
from payments.outstanding import (
    ClientOwed,
    open_by_day,
    owing,
    promising,
    usual_payers,
    with_promises,
)
from payments.selectors import month_bounds


@dataclass(frozen=True)
class Outlook:
    """The month as it may end: expected money by day and each coming gate."""

    data: BonusInput
    names: dict[str, str]  # engine key → the person's name
    expected: dict[dt.date, Decimal]
    gates: list[GateForecast]
    # Running totals from today to the month's end: the chart's forecast band.
    band: list[BandDay]

    @property
    def expected_total(self) -> Decimal:
        return sum(self.expected.values(), Decimal("0.00"))


def month_outlook(
    department: Department,
    month: dt.date,
    *,
    today: dt.date,
    collections: CollectionsSummary | None = None,
) -> Outlook | None:
    """The forecast while the month runs (None before or after it, or without a scheme
    or staff the engine can calculate)."""
    first, last = month_bounds(month)
    if not first <= today <= last:
        return None
    figures = month_figures(department, first, collections)
    if figures.scheme is None or not figures.staff:
        return None
    try:
        data = figures_input(figures)
        calculate(data)
    except BonusInputError:
        return None
    expected, promised = expected_money(department, first, today=today)
    collected = sum((p.amount for p in data.payments), Decimal("0.00"))
    return Outlook(
        data=data,
        names={staff_key(m.employee): m.employee.full_name for m in figures.staff},
        expected=expected,
        gates=gate_forecasts(data, expected, today=today),
        band=forecast_band(collected, low=promised, high=expected, today=today, last=last),
    )


def expected_money(
    department: Department, month: dt.date, *, today: dt.date
) -> tuple[dict[dt.date, Decimal], dict[dt.date, Decimal]]:
    """The money expected by day from ``today`` to the month's end: all of it, and the
    promised part alone (the forecast band's edges). Four queries: the billed clients'
    open money summed by day in the database, those with a promise still to come and
    the usual payers through ``compensation.forecast``."""
    last = month_bounds(month)[1]
    promised_clients, others = _outlooks(department, month, today)
    expected = added_by_day(
        open_by_day(month, today=today, department=department).get(department.pk, {}),
        expected_by_day(promised_clients + others, today=today, last=last),
    )
    promised = expected_by_day(promised_clients, today=today, last=last, promised_only=True)
    return expected, promised


def _outlooks(
    department: Department, month: dt.date, today: dt.date
) -> tuple[list[ClientOutlook], list[ClientOutlook]]:
    """The clients the database's sum by day leaves out (``open_by_day``): those billed
    with a promise still to come, and those billed nothing, by their usual day."""
    promised = [
        ClientOutlook(open_invoices=client.open_invoices, promises=client.promises)
        for client in promising(month, today=today, department=department)
    ]
    usual = [
        ClientOutlook(
            usual_day=usual_day(payer.days),
            usual_amount=max(Decimal("0.00"), payer.monthly - payer.this_month),
        )
        for payer in usual_payers(department, month)
    ]
    return promised, usual


@dataclass(frozen=True)
class WhatIf:
    amount: Decimal
    day: dt.date
    before: BonusResult
    after: BonusResult
    worth: GateWorth
    needed: list[tuple[int, Decimal]]  # (gate day, what must still come by it)


def what_if(outlook: Outlook, *, amount: Decimal, day: dt.date) -> WhatIf:
    """The bonus now and with ``amount`` more collected by ``day`` (the engine, twice),
    and what each gate still needs."""
    before = calculate(outlook.data)
    after = calculate(more_by(outlook.data, amount, day))
    needed = [
        (m.day, needed_for_gate(outlook.data, index)) for index, m in enumerate(before.milestones)
    ]
    return WhatIf(amount, day, before, after, worth_between(after, before), needed)


@dataclass(frozen=True)
class OwnPart:
    """A staff member's clients still owing, and what the next gate is worth to them."""

    owed: list[ClientOwed]
    next_gate: GateForecast | None
    gate_worth: Decimal | None


def own_part(
    outlook: Outlook, department: Department, employee: Employee, *, today: dt.date
) -> OwnPart:
    month = dt.date(outlook.data.year, outlook.data.month, 1)
    mine = owing(department, month).filter(responsible=employee).select_related("client")
    gate = outlook.gates[0] if outlook.gates else None
    key = staff_key(employee)
    worth = gate.worth.staff.get(key) if gate is not None else None
    return OwnPart(
        owed=with_promises(list(mine), month, today=today), next_gate=gate, gate_worth=worth
    )
