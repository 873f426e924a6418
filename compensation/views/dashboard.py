"""The collections dashboard: a department's month against its plan, milestones and bonus."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts import policy
from accounts.models import Department
from accounts.policy import Action
from compensation import lifecycle
from compensation.charts import collections_chart
from compensation.cockpit import Outlook, month_outlook, own_part, what_if
from compensation.engine import BonusInputError, BonusResult
from compensation.explain import bonus_at_plan, frozen_result_before_awards, settled_bonus
from compensation.forms_cockpit import WhatIfForm
from compensation.models import BonusPeriod
from compensation.selectors import live_result, staff_key
from core.months import parse_month
from core.numbers import parse_id
from payments.selectors import (
    CollectionsSummary,
    MilestoneStatus,
    collections_summary,
    month_bounds,
)

TOP_CLIENTS = 10
MONTHS_BACK = 12
_CHART_STATUS = {MilestoneStatus.MET: True, MilestoneStatus.MISSED: False}


@login_required
def dashboard_start(request: HttpRequest) -> HttpResponse:
    """The first visible department this month, or the one and month picked in the switcher."""
    departments = policy.visible_departments(request.user).order_by("name")
    picked = parse_id(request.GET.get("department"))
    department = departments.filter(pk=picked).first() if picked else None
    department = department or departments.first()
    if department is None:
        return render(request, "compensation/dashboard_empty.html")
    month = parse_month(request.GET.get("month")) or timezone.localdate().replace(day=1)
    return redirect("department_dashboard", department_id=department.pk, month=month)


@login_required
def department_dashboard(request: HttpRequest, department_id: int, month: dt.date) -> HttpResponse:
    user = request.user
    # The switcher lists the visible departments anyway: the one shown is among them.
    departments = list(policy.visible_departments(user).order_by("name"))
    department = next((d for d in departments if d.pk == department_id), None)
    if department is None:
        raise Http404
    policy.require(user, Action.VIEW_DEPARTMENT, department)
    summary = collections_summary(department, month, top_clients=TOP_CLIENTS)
    # Through the department, so the period knows it without reading it again.
    period = department.periods.filter(month=month).first()
    shown = _bonus_shown(user, department, month, period)
    bonus = _bonus(summary, period, shown=shown)
    cockpit = _cockpit(user, summary, live=bonus.get("live") is not None)
    return render(
        request,
        "compensation/dashboard.html",
        {
            "department": department,
            "month": month,
            "summary": summary,
            "progress": summary.progress,
            "top_clients": summary.by_client,
            "chart": _chart(summary, cockpit.get("outlook")),
            "period": period,
            **bonus,
            **cockpit,
            **_links(user, department, month, period),
            **_switcher(departments, month),
        },
    )


def _cockpit(user: Any, summary: CollectionsSummary, *, live: bool) -> dict[str, Any]:
    """The forecast by gate while the month runs, a staff member's own part, and the
    links to what is owed and whom to call."""
    department = summary.department
    context: dict[str, Any] = {
        "can_see_owed": policy.can(user, Action.VIEW_OUTSTANDING, department),
    }
    outlook = (
        month_outlook(department, summary.month, today=timezone.localdate(), collections=summary)
        if live
        else None
    )
    if outlook is None:
        return context
    employee = policy.employee_of(user)
    mine = None
    if employee is not None and staff_key(employee) in outlook.names:
        mine = own_part(outlook, department, employee, today=timezone.localdate())
    return {
        **context,
        "outlook": outlook,
        "gate_cards": _gate_cards(outlook),
        "own_part": mine,
        "what_if_form": WhatIfForm(
            month=summary.month,
            initial={"by": outlook.gates[0].date if outlook.gates else summary.month},
        ),
    }


def _gate_cards(outlook: Outlook) -> list[dict[str, Any]]:
    return [
        {
            "gate": gate,
            "staff": [(outlook.names[key], amount) for key, amount in gate.worth.staff.items()],
        }
        for gate in outlook.gates
    ]


@login_required
def what_if_view(request: HttpRequest, department_id: int, month: dt.date) -> HttpResponse:
    """The team's what-if: "collect X more by the gate's day" → the bonus before and after
    (the engine), and what each gate still needs. A GET with a query; nothing is saved."""
    department = next(
        (d for d in policy.visible_departments(request.user) if d.pk == department_id), None
    )
    if department is None:
        raise Http404
    policy.require(request.user, Action.VIEW_OUTSTANDING, department)
    summary = collections_summary(department, month, top_clients=0)
    period = department.periods.filter(month=month).first()
    outlook = None
    if _bonus_shown(request.user, department, month, period) and lifecycle.takes_payments(
        period.state if period is not None else None
    ):
        outlook = month_outlook(department, month, today=timezone.localdate(), collections=summary)
    form = WhatIfForm(request.GET or None, month=month)
    result = None
    if outlook is not None and form.is_valid():
        result = what_if(outlook, amount=form.cleaned_data["amount"], day=form.cleaned_data["by"])
    template = "compensation/_what_if.html" if request.htmx else "compensation/what_if.html"
    return render(
        request,
        template,
        {
            "department": department,
            "month": month,
            "form": form,
            "outlook": outlook,
            "result": result,
            "names": outlook.names if outlook else {},
        },
    )


def _bonus_shown(user: Any, department: Department, month: dt.date, period: Any) -> bool:
    """The bonus figures are the period's: shown to whoever may see the period (an
    accountant, say, sees collections of every month but a bonus only once approved)."""
    subject = period or BonusPeriod(department=department, month=month)
    return policy.can(user, Action.VIEW_PERIOD, subject)


def _bonus(summary: CollectionsSummary, period: Any, *, shown: bool) -> dict[str, Any]:
    """The bonus as it stands and at plan while the month runs; once closed, as frozen;
    once approved, what the pay lines pay. A scheme the engine refuses is reported."""
    scheme = summary.scheme
    if scheme is None or not shown:
        return {"scheme": scheme, "bonus_hidden": scheme is not None and not shown}
    state = period.state if period is not None else None
    if lifecycle.is_settled(state):
        return {"scheme": scheme, "settled": settled_bonus(period)}
    if not lifecycle.takes_payments(state):
        return {"scheme": scheme, "frozen": frozen_result_before_awards(period)}
    try:
        live: BonusResult | None = live_result(summary.department, summary.month, summary)
        staff = tuple(line.name for line in live.staff) if live else ("staff",)
        return {"scheme": scheme, "live": live, "at_plan": bonus_at_plan(scheme, staff)}
    except BonusInputError as error:
        return {"scheme": scheme, "scheme_error": f"{error.field}: {_(error.message)}"}


def _chart(summary: CollectionsSummary, outlook: Outlook | None) -> Any:
    progress = summary.progress
    band = [(day.date.day, day.low, day.high) for day in outlook.band] if outlook else []
    return collections_chart(
        band=band,
        cumulative=[(row.day, row.running_total) for row in summary.cumulative],
        last_day=month_bounds(summary.month)[1].day,
        plan=progress.plan if progress else None,
        milestones=[(m.day, m.required, _CHART_STATUS.get(m.status)) for m in progress.milestones]
        if progress
        else [],
    )


def _links(user: Any, department: Department, month: dt.date, period: Any) -> dict[str, Any]:
    """Where this user can go from here: the period, closing it, the scheme."""
    ended = timezone.localdate() > month_bounds(month)[1]
    state = period.state if period is not None else None
    return {
        "period_started": not lifecycle.takes_payments(state),
        "can_close": ended
        and lifecycle.can("close", state)
        and policy.can(user, Action.CLOSE_PERIOD, department),
        "can_edit_scheme": policy.can(user, Action.EDIT_SCHEME, department),
    }


def _switcher(departments: list[Department], month: dt.date) -> dict[str, Any]:
    """The month and department pickers: a year back, the next month, and the one shown."""
    first, last = month_bounds(month)
    this_month = timezone.localdate().replace(day=1)
    months = {_shift(this_month, -back) for back in range(-1, MONTHS_BACK)} | {first}
    return {
        "previous_month": _shift(first, -1),
        "next_month": last + dt.timedelta(days=1),
        "months": sorted(months, reverse=True),
        "departments": departments,
    }


def _shift(month: dt.date, by: int) -> dt.date:
    index = month.year * 12 + month.month - 1 + by
    return dt.date(index // 12, index % 12 + 1, 1)
