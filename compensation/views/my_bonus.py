"""My bonus: one staff member's or head's month, every figure of SPEC section 3 written out."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone

from accounts import policy
from accounts.models import Employee
from accounts.policy import Action
from compensation.charts import Chart, collections_chart
from compensation.explain import MyBonus, my_bonus_figures, my_months, my_pay_months
from compensation.forms_questions import AskForm
from compensation.models import Question
from compensation.statements import month_corrections
from payments.selectors import month_bounds


def _employee(user: Any) -> Employee:
    """The signed-in staff member or head; anyone else has no bonus of their own here."""
    policy.require(user, Action.VIEW_OWN_BONUS)
    return policy.employee_of(user)


@login_required
def my_bonus_start(request: HttpRequest) -> HttpResponse:
    """The latest approved month with a pay line of mine, else this month so far."""
    months = my_pay_months(_employee(request.user))
    if months:
        return redirect("my_bonus_month", month=months[0]["revision__period__month"])
    return redirect("my_bonus_month", month=timezone.localdate().replace(day=1))


@login_required
def my_bonus(request: HttpRequest, month: dt.date) -> HttpResponse:
    user = request.user
    employee = _employee(user)
    department = policy.bonus_department(user, month)
    figures = None if department is None else my_bonus_figures(user, employee, department, month)
    return render(
        request,
        "compensation/my_bonus.html",
        {
            "employee": employee,
            "month": month,
            "department": department,
            "bonus": figures,
            "chart": _chart(figures, month) if figures and figures.chain else None,
            "my_months": my_months(user, employee),
            "corrections": month_corrections(employee, month),
            **_questions(user, employee, department, month),
            "this_month": timezone.localdate().replace(day=1),
            # An open month's milestone ahead of today is not missed yet, only not met.
            "today": timezone.localdate(),
        },
    )


def _questions(user: Any, employee: Employee, department: Any, month: dt.date) -> dict[str, Any]:
    """My questions about this month's statement, and the form to ask one if I may."""
    may_ask = department is not None and policy.can(
        user, Action.ASK_QUESTION, Question(department=department, month=month)
    )
    return {
        "questions": list(
            policy.visible_questions(user).filter(asker=employee, month=month).order_by("-asked_at")
        ),
        "ask_form": AskForm() if may_ask else None,
    }


def _chart(bonus: MyBonus, month: dt.date) -> Chart:
    """The month's collections against the plan and its milestones (open while ahead)."""
    today = timezone.localdate()
    running, cumulative = Decimal(0), []
    for day, total in bonus.daily_totals:
        running += total
        cumulative.append((day, running))
    return collections_chart(
        cumulative=cumulative,
        last_day=month_bounds(month)[1].day,
        plan=bonus.chain.plan,
        milestones=[
            (
                tranche.day,
                tranche.required,
                None
                if bonus.stage == "live" and tranche.date >= today and not tranche.met
                else tranche.met,
            )
            for tranche in bonus.chain.tranches
        ],
    )
