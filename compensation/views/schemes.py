"""The month's scheme: the commercial director sets and changes it while the month is open."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from accounts import policy
from accounts.models import Department
from accounts.policy import Action
from compensation import lifecycle
from compensation.charts import scheme_chart
from compensation.engine import Scheme
from compensation.errors import SchemeChanged
from compensation.explain import ratio_percent, scheme_comparison
from compensation.forms import MilestoneFormSet, SchemeForm, milestone_initial
from compensation.models import BonusPeriod, DayRule, MonthlyScheme
from compensation.selectors import latest_scheme_before
from compensation.services import scheme_create, scheme_start, scheme_update
from core.calendar import month_bounds

HISTORY_ROWS = 5


@login_required
@require_http_methods(["GET", "POST"])
def scheme_edit(request: HttpRequest, department_id: int, month: dt.date) -> HttpResponse:
    department = get_object_or_404(policy.visible_departments(request.user), pk=department_id)
    policy.require(request.user, Action.EDIT_SCHEME, department)
    # The form, the chart and the figures all read the milestones: once.
    scheme = (
        MonthlyScheme.objects.filter(department=department, month=month)
        .prefetch_related("milestones")
        .first()
    )
    # A month without a scheme is only read here: the director starts it explicitly.
    previous = None if scheme is not None else latest_scheme_before(department, month)
    period = BonusPeriod.objects.filter(department=department, month=month).first()
    frozen = period is not None and not lifecycle.takes_payments(period.state)
    if request.method == "POST" and "start" in request.POST and not frozen:
        return _start(request, department, month)
    data = request.POST if request.method == "POST" and not frozen else None
    form = SchemeForm(data, initial=SchemeForm.initial_from(scheme or previous))
    milestones = MilestoneFormSet(
        data, initial=milestone_initial(scheme or previous), prefix="milestones"
    )
    milestone_errors: list[str] = []
    if data is not None and form.is_valid() and milestones.is_valid():
        try:
            _save(request.user, department, month, scheme, form.cleaned_data, milestones.rows())
        except SchemeChanged as error:
            # Theirs stands: the page reloads with it, to be changed again if need be.
            messages.error(request, " ".join(error.messages))
            return redirect("scheme_edit", department_id=department.pk, month=month)
        except ValidationError as error:
            milestone_errors = _put_errors(error, form)
        else:
            messages.success(request, _("The scheme is saved."))
            return redirect("scheme_edit", department_id=department.pk, month=month)
    if request.method == "POST" and frozen:
        messages.error(request, _("The scheme cannot change once the month's period is closed."))
    return render(
        request,
        "compensation/scheme_edit.html",
        {
            "department": department,
            "month": month,
            "scheme": scheme,
            "previous": previous,
            "period": period,
            "frozen": frozen,
            # Said only where the reopen is one this user can take now.
            "can_reopen": frozen and policy.may_now(request.user, "reopen", period),
            "form": form,
            "milestones": milestones,
            "milestone_errors": milestone_errors,
            **_picture(scheme),
            **_frozen_gates(period if frozen else None),
        },
    )


def _start(request: HttpRequest, department: Department, month: dt.date) -> HttpResponse:
    """The director starts the month on the latest earlier month's terms."""
    try:
        scheme_start(user=request.user, department=department, month=month)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("The month starts with the previous month's terms."))
    return redirect("scheme_edit", department_id=department.pk, month=month)


def _save(
    user: Any,
    department: Department,
    month: dt.date,
    scheme: MonthlyScheme | None,
    data: dict[str, Any],
    rows: list,
) -> MonthlyScheme:
    terms = {
        "plan": data["plan"],
        "threshold": data["threshold"],
        "rate": data["rate"],
        "head_share": data["head_share"],
        "milestones": rows,
        "reason": data["reason"],
        "team_sees_adjustments": data["team_sees_adjustments"],
        "split": data["split"] or None,
    }
    if scheme is None:
        return scheme_create(user=user, department=department, month=month, **terms)
    # A page without a version is older than versions: as stale as any.
    version = data["version"] if data["version"] is not None else 0
    return scheme_update(user=user, scheme=scheme, expected_version=version, **terms)


def _put_errors(error: ValidationError, form: SchemeForm) -> list[str]:
    """Put the service's errors next to their fields; return those about the milestones."""
    if not hasattr(error, "error_dict"):
        form.add_error(None, error)
        return []
    milestone_errors: list[str] = []
    for field, errors in error.error_dict.items():
        if field in form.fields:
            form.add_error(field, errors)
        elif field == "milestones":
            milestone_errors.extend(ValidationError(errors).messages)
        else:
            form.add_error(None, errors)
    return milestone_errors


def _picture(scheme: MonthlyScheme | None) -> dict[str, Any]:
    """The saved scheme's bonus line beside the flat percent of turnover, with figures."""
    if scheme is None:
        return {}
    rows = sorted(scheme.milestones.all(), key=lambda row: row.day)
    engine_scheme = scheme.to_engine(rows)
    chart, naive_rate = scheme_chart(engine_scheme)
    history = scheme.history.select_related("history_user__employee").order_by("-history_date")
    return {
        "chart": chart,
        "comparison": scheme_comparison(engine_scheme, naive_rate, scheme.month),
        "naive_percent": ratio_percent(naive_rate),
        "rate_percent": ratio_percent(engine_scheme.rate),
        "head_percent": ratio_percent(engine_scheme.head_share),
        "history": history[:HISTORY_ROWS],
        "gate_dates": gate_dates(scheme.month, rows, engine_scheme),
    }


def _frozen_gates(period: BonusPeriod | None) -> dict[str, Any]:
    """A closed month's gates on the days frozen at close, whatever the calendar says now."""
    if period is None or not period.frozen_scheme:
        return {}
    last = month_bounds(period.month)[1]
    return {
        "gate_dates": [
            {
                "day": gate.get("set_day", gate["day"]),
                "rule": DayRule(gate.get("day_rule", DayRule.CALENDAR)).label,
                "date": last.replace(day=min(gate["day"], last.day)),
                "moved": gate.get("set_day", gate["day"]) != gate["day"],
            }
            for gate in period.frozen_scheme.get("milestones", [])
        ]
    }


def gate_dates(month: dt.date, rows: list, engine_scheme: Scheme) -> list[dict[str, Any]]:
    """Each gate as set and the date it falls on in ``month`` (its resolved day)."""
    last = month_bounds(month)[1]
    return [
        {
            "day": row.day,
            "rule": row.get_day_rule_display(),
            "date": last.replace(day=min(gate.day, last.day)),
            "moved": gate.day != row.day,
        }
        for row, gate in zip(rows, engine_scheme.milestones, strict=True)
    ]
