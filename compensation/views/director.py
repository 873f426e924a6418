"""The director's pages: every department's month, the company's cash gap, a year."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext_lazy

from accounts import policy
from accounts.models import Department
from accounts.policy import Action
from compensation.company import SORTS, department_year, shift, sort_rows
from compensation.company_cash import company_cash_gap, departments_at_glance
from compensation.company_charts import gap_chart, trend_chart, year_chart
from compensation.company_exports import department_year_response
from core.months import month_range
from payments.selectors import month_bounds


def parse_year(text: str | None, default: int) -> int:
    """A year from a query string within the product's months; anything else: ``default``."""
    first, last = month_range()
    if text and text.isascii() and text.isdigit() and first.year <= int(text) <= last.year:
        return int(text)
    return default


_SORT_COLUMNS = (
    ("name", gettext_lazy("Department")),
    ("collected", gettext_lazy("Collected, ₽")),
    ("percent", gettext_lazy("Share of plan")),
    ("forecast", gettext_lazy("Forecast, ₽")),
    ("bonus", gettext_lazy("Bonus as it stands, ₽")),
)


def _company_months(month: dt.date) -> dict[str, Any]:
    return {"previous_month": shift(month, -1), "next_month": shift(month, 1)}


@login_required
def director_start(request: HttpRequest) -> HttpResponse:
    policy.require(request.user, Action.VIEW_COMPANY)
    return redirect("director_departments", month=timezone.localdate().replace(day=1))


@login_required
def director_departments(request: HttpRequest, month: dt.date) -> HttpResponse:
    """Every department's month at a glance, sortable by a validated ``sort``."""
    policy.require(request.user, Action.VIEW_COMPANY)
    departments = list(Department.objects.order_by("name"))
    rows = departments_at_glance(departments, month, today=timezone.localdate())
    sort = request.GET.get("sort", "name")
    sort = sort if sort.removeprefix("-") in SORTS else "name"
    return render(
        request,
        "compensation/director/departments.html",
        {
            "month": month,
            "rows": sort_rows(rows, sort),
            "sort": sort,
            "sort_columns": _SORT_COLUMNS,
            "running": month_bounds(month)[0] <= timezone.localdate() <= month_bounds(month)[1],
            **_company_months(month),
        },
    )


@login_required
def cash_gap_view(request: HttpRequest, month: dt.date) -> HttpResponse:
    policy.require(request.user, Action.VIEW_COMPANY)
    data = company_cash_gap(month, today=timezone.localdate())
    last_day = month_bounds(month)[1].day
    forecast_rows = []
    if data.forecast is not None:
        seen = len(data.current.gap.days)
        forecast_rows = data.forecast.days[max(seen - 1, 0) :]
    return render(
        request,
        "compensation/director/cash_gap.html",
        {
            "month": month,
            "data": data,
            "chart": gap_chart(data.current.gap, data.forecast, last_day=last_day),
            "trend_chart": trend_chart([(m.month, m.gap.deepest) for m in data.trend]),
            "forecast_rows": forecast_rows,
            **_company_months(month),
        },
    )


def _year_department(user: Any, department_id: int) -> Department:
    # Refused outright for whoever sees no department's year; 404 for one not theirs.
    policy.require(user, Action.VIEW_DEPARTMENT_YEAR)
    department = policy.year_departments(user).filter(pk=department_id).first()
    if department is None:
        raise Http404
    policy.require(user, Action.VIEW_DEPARTMENT_YEAR, department)
    return department


@login_required
def year_start(request: HttpRequest) -> HttpResponse:
    """The first department whose year the user may see, this year."""
    policy.require(request.user, Action.VIEW_DEPARTMENT_YEAR)
    department = policy.year_departments(request.user).order_by("name").first()
    if department is None:
        raise Http404
    return redirect("department_year", department_id=department.pk)


@login_required
def department_year_view(request: HttpRequest, department_id: int) -> HttpResponse:
    department = _year_department(request.user, department_id)
    year = parse_year(request.GET.get("year"), timezone.localdate().year)
    data = department_year(department, year)
    return render(
        request,
        "compensation/director/department_year.html",
        {
            "department": department,
            "year": year,
            "data": data,
            "chart": year_chart(data.months, through=timezone.localdate()),
            "departments": list(policy.year_departments(request.user).order_by("name")),
            "previous_year": year - 1,
            "next_year": year + 1,
        },
    )


@login_required
def department_year_export(request: HttpRequest, department_id: int) -> HttpResponse:
    department = _year_department(request.user, department_id)
    year = parse_year(request.GET.get("year"), timezone.localdate().year)
    return department_year_response(department_year(department, year))
