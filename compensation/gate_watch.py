"""Gates at risk: the head is told three working days before a gate's day.

Run daily by cron (``manage.py send_notices``). A gate is at risk when, by the
forecast (``compensation.forecast.gate_forecasts``: collected plus expected money), less
than its required sum will be in by its day; where nothing is expected (no invoices,
promises or usual payers to forecast from), the plan pace decides instead: what was
collected per working day so far, carried on to the gate's day.

The notice goes from the third working day before the gate's day until the day before
it (a missed cron run is caught up the next day), once per gate: the notice's key.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from accounts.models import Department
from compensation.cockpit import month_outlook
from compensation.forecast import GateForecast
from compensation.models import MonthlyScheme, NoticeKind
from compensation.notices import notice_send
from core.calendar import exceptions_between, month_bounds, working_days, working_days_before

DAYS_AHEAD = 3
KOPECK = Decimal("0.01")


@dataclass(frozen=True)
class GateRisk:
    gate: GateForecast
    basis: str  # "forecast" or "pace"
    expected: Decimal  # by the gate's day, on that basis

    @property
    def gap(self) -> Decimal:
        return max(Decimal("0.00"), self.gate.required - self.expected)


def gate_date(month: dt.date, day: int) -> dt.date:
    """A milestone's date: its day, or the month's last day for a day past it."""
    last = month_bounds(month)[1]
    return last.replace(day=min(day, last.day))


def notice_due(gate_on: dt.date, today: dt.date, exceptions: dict[dt.date, bool]) -> bool:
    return working_days_before(gate_on, DAYS_AHEAD, exceptions) <= today < gate_on


def at_pace(
    collected: Decimal,
    first: dt.date,
    today: dt.date,
    gate_on: dt.date,
    exceptions: dict[dt.date, bool],
) -> Decimal:
    """What the month will have collected by ``gate_on`` at the pace of its working days
    so far (today included)."""
    elapsed = len(working_days(first, today, exceptions))
    ahead = len(working_days(first, gate_on, exceptions))
    if elapsed == 0:
        return collected
    return (collected * ahead / elapsed).quantize(KOPECK, rounding=ROUND_HALF_UP)


def gates_at_risk(
    department: Department, today: dt.date, exceptions: dict[dt.date, bool]
) -> list[GateRisk]:
    """The department's gates whose notice is due today and that are at risk."""
    first = today.replace(day=1)
    outlook = month_outlook(department, first, today=today)
    if outlook is None:
        return []
    risks = []
    for gate in outlook.gates:
        if not notice_due(gate.date, today, exceptions) or gate.collected >= gate.required:
            continue
        if outlook.expected:
            risk = GateRisk(gate, "forecast", gate.expected)
        else:
            risk = GateRisk(
                gate, "pace", at_pace(gate.collected, first, today, gate.date, exceptions)
            )
        if risk.expected < gate.required:
            risks.append(risk)
    return risks


def _due_somewhere(scheme: MonthlyScheme, today: dt.date, exceptions: dict[dt.date, bool]) -> bool:
    return any(
        notice_due(gate_date(scheme.month, milestone.day), today, exceptions)
        for milestone in scheme.milestones.all()
    )


def gate_notices_send(*, today: dt.date) -> int:
    """Tell each head of their gates at risk whose notice is due today; mails sent."""
    first, last = month_bounds(today)
    exceptions = exceptions_between(first - dt.timedelta(days=31), last)
    schemes = (
        MonthlyScheme.objects.filter(month=first, department__head__isnull=False)
        .select_related("department__head__user")
        .prefetch_related("milestones")
    )
    sent = 0
    for scheme in schemes:
        if not _due_somewhere(scheme, today, exceptions):
            continue  # the forecast costs queries: only where a notice may be due
        department = scheme.department
        for risk in gates_at_risk(department, today, exceptions):
            sent += notice_send(
                user=department.head.user,
                kind=NoticeKind.GATE_AT_RISK,
                department=department,
                month=first,
                gate=risk.gate.day,
                details=_details(risk),
            )
    return sent


def _details(risk: GateRisk) -> dict[str, str]:
    gate = risk.gate
    return {
        "date": gate.date.isoformat(),
        "required": f"{gate.required:.2f}",
        "collected": f"{gate.collected:.2f}",
        "expected": f"{risk.expected:.2f}",
        "gap": f"{risk.gap:.2f}",
        "worth": f"{gate.worth.pool:.2f}",
        "basis": risk.basis,
    }
