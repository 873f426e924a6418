"""The director's year of plans: twelve months' plans and thresholds in one grid."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from accounts import policy
from accounts.models import Department
from accounts.policy import Action
from compensation.forms_plans import CopyForm, YearFormSet, grid_initial
from compensation.planning import year_plans
from compensation.services.plans import schemes_plan_year
from core.months import month_label


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label=gettext_lazy("Reason for the change"),
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=gettext_lazy("Kept in the history of every month that changes."),
    )


def _department(request: HttpRequest, department_id: int) -> Department:
    department = get_object_or_404(policy.visible_departments(request.user), pk=department_id)
    policy.require(request.user, Action.PLAN_SCHEMES, department)
    return department


@login_required
@require_http_methods(["GET", "POST"])
def year_plans_view(request: HttpRequest, department_id: int, month: dt.date) -> HttpResponse:
    department = _department(request, department_id)
    if request.method == "POST":
        policy.require(request.user, Action.EDIT_SCHEME, department)
    months = year_plans(department, month)
    copy = CopyForm(request.GET if "percent" in request.GET else None)
    percent = copy.cleaned_data["percent"] if copy.is_bound and copy.is_valid() else None
    data = request.POST if request.method == "POST" else None
    initial = grid_initial(months, percent)
    grid = YearFormSet(data, initial=initial, months=months, prefix="plans")
    reason = ReasonForm(data)
    if data is not None and grid.is_valid() and reason.is_valid():
        try:
            saved = schemes_plan_year(
                user=request.user,
                department=department,
                plans=grid.month_plans(),
                reason=reason.cleaned_data["reason"],
            )
        except ValidationError as error:
            _put_errors(error, grid, reason)
        else:
            messages.success(request, _("Months saved: %(count)s.") % {"count": len(saved)})
            return redirect("year_plans", department_id=department.pk, month=month)
    return render(
        request,
        "compensation/year_plans.html",
        {
            "department": department,
            "month": month,
            "grid": grid,
            "rows": list(zip(months, grid.forms, strict=True)),
            "copy": copy,
            "reason": reason,
            "can_edit": policy.can(request.user, Action.EDIT_SCHEME, department),
            "error_summary": _summary(grid) if data is not None else [],
        },
    )


def _put_errors(error: ValidationError, grid: YearFormSet, reason: ReasonForm) -> None:
    """The service's errors, by month and field, next to their cells."""
    forms_by_month = {f"{form.month.month:%Y-%m}": form for form in grid.forms}
    for key, problems in error.message_dict.items():
        if key == "reason":
            reason.add_error("reason", problems)
            continue
        month, _dot, field = key.partition(".")
        form = forms_by_month[month]
        form.add_error(field if field in ("plan", "threshold") else None, problems)


def _summary(grid: YearFormSet) -> list[str]:
    """Every error of the grid with its month and field, for the list above it."""
    lines = []
    for form in grid.forms:
        label = month_label(form.month.month, "title")
        for field, problems in form.errors.items():
            for problem in problems:
                if problem.startswith(label):
                    lines.append(problem)
                elif field in form.fields:
                    name = form.fields[field].label
                    lines.append(f"{label}, {name}: {problem}")
                else:
                    lines.append(f"{label}: {problem}")
    return lines
