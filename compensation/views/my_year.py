"""My year: one person's own base, bonus and total pay, month by month, and nobody else's."""

from __future__ import annotations

from decimal import Decimal

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from accounts import policy
from accounts.policy import Action
from compensation.company import person_year
from compensation.company_exports import person_year_response
from compensation.views.director import parse_year

ZERO = Decimal("0.00")


def _own(request: HttpRequest) -> tuple:
    policy.require(request.user, Action.VIEW_OWN_BONUS)
    employee = policy.employee_of(request.user)
    year = parse_year(request.GET.get("year"), timezone.localdate().year)
    return employee, year


@login_required
def my_year(request: HttpRequest) -> HttpResponse:
    employee, year = _own(request)
    months = person_year(employee, year)
    totals = {
        name: sum((getattr(m, name) for m in months), ZERO)
        for name in ("base_salary", "bonus", "total")
    }
    return render(
        request,
        "compensation/my_year.html",
        {
            "employee": employee,
            "year": year,
            "months": months,
            "totals": totals,
            "previous_year": year - 1,
            "next_year": year + 1,
        },
    )


@login_required
def my_year_export(request: HttpRequest) -> HttpResponse:
    employee, year = _own(request)
    return person_year_response(employee, year, person_year(employee, year))
