"""Figures out: departments, a month's collections, periods with their states and lines,
and one's own statement. Each read goes through the policy's scoped querysets and rules,
so the API shows exactly what the pages show the same caller, and writes nothing."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import Http404, HttpRequest
from django.utils.translation import gettext
from ninja import Field, Query, Router, Schema
from pydantic import field_validator

from accounts import policy
from accounts.models import Department
from accounts.policy import Action
from api.auth import allowed
from api.schemas import CollectionsOut, DepartmentOut, PeriodDetailOut, PeriodOut, StatementOut
from compensation.explain import MyBonus, latest_approved_revision, my_bonus_figures
from compensation.models import BonusPeriod, PeriodState
from core.months import parse_month
from payments.selectors import CollectionsSummary, collections_summary

router = Router(tags=["out"])
PROBLEMS = {401: dict, 403: dict, 404: dict}
TOP_CLIENTS = 10
MAX_PERIODS = 500


def _department(department: Department) -> dict[str, Any]:
    return {"id": department.pk, "name": department.name}


@router.get(
    "/departments",
    url_name="departments",
    auth=allowed(Action.VIEW_DEPARTMENT),
    response={200: list[DepartmentOut], **PROBLEMS},
)
def departments(request: HttpRequest) -> Any:
    """The departments whose figures the caller may read."""
    found = policy.visible_departments(request.auth).order_by("name")  # type: ignore[attr-defined]
    return [_department(d) for d in found]


def _collections(summary: CollectionsSummary) -> dict[str, Any]:
    progress = summary.progress
    return {
        "department": _department(summary.department),
        "month": summary.month,
        "collected": summary.collected,
        "payments": summary.payment_count,
        "days": [
            {"date": day, "total": total, "payments": count}
            for day, total, count in summary.daily_collections
        ],
        "top_clients": [{**vars(client), "payments": client.count} for client in summary.by_client],
        "progress": None
        if progress is None
        else {
            "plan": progress.plan,
            "threshold": progress.threshold,
            "percent_of_plan": progress.percent_of_plan,
            "pool": progress.pool,
            "milestones": [vars(milestone) for milestone in progress.milestones],
        },
    }


@router.get(
    "/departments/{id:department_id}/collections/{month:month}",
    url_name="collections",
    auth=allowed(Action.VIEW_DEPARTMENT),
    response={200: CollectionsOut, **PROBLEMS},
)
def collections(request: HttpRequest, department_id: int, month: dt.date) -> Any:
    """The month's collections, as the dashboard shows them: by day, the largest clients,
    and the progress against the plan and its milestones."""
    user = request.auth  # type: ignore[attr-defined]
    department = policy.visible_departments(user).filter(pk=department_id).first()
    if department is None:
        raise Http404
    policy.require(user, Action.VIEW_DEPARTMENT, department)
    return _collections(collections_summary(department, month, top_clients=TOP_CLIENTS))


def _period(period: BonusPeriod) -> dict[str, Any]:
    return {
        "id": period.pk,
        "department": _department(period.department),
        "month": period.month,
        "state": period.state,
        "revision": period.revision,
        "collected": period.collected,
    }


class PeriodFilter(Schema):
    department: int | None = Field(None, ge=1, le=2**63 - 1)
    month: str | None = Field(None, description="2026-10", max_length=7)
    state: PeriodState | None = None

    @field_validator("month")
    @classmethod
    def _a_month(cls, value: str | None) -> str | None:
        if value is not None and parse_month(value) is None:
            raise ValueError(gettext("Enter a month such as 2026-10."))
        return value


@router.get(
    "/periods",
    url_name="periods",
    auth=allowed(None),
    response={200: list[PeriodOut], **PROBLEMS},
)
def periods(request: HttpRequest, filters: Query[PeriodFilter]) -> Any:
    """The periods the caller may see, newest first (at most 500), with their states."""
    found = policy.visible_periods(request.auth)  # type: ignore[attr-defined]
    if filters.department is not None:
        found = found.filter(department_id=filters.department)
    if filters.month is not None:
        found = found.filter(month=parse_month(filters.month))
    if filters.state is not None:
        found = found.filter(state=filters.state)
    return [_period(p) for p in found.order_by("-month", "department__name")[:MAX_PERIODS]]


def _lines(user: Any, period: BonusPeriod) -> tuple[int | None, list[dict[str, Any]]]:
    revision = latest_approved_revision(period)
    if revision is None:
        return None, []
    lines = policy.visible_pay_lines(user).filter(revision=revision).order_by("order")
    return revision.number, [
        {
            "personnel_number": line.employee.personnel_number,
            "name": line.employee.full_name,
            "is_head": line.is_head,
            "equal_share": line.equal_share,
            "award": line.award,
            "deduction": line.deduction,
            "bonus": line.bonus,
            "base_salary": line.base_salary,
            "total": line.total,
        }
        for line in lines
    ]


@router.get(
    "/periods/{id:period_id}",
    url_name="period",
    auth=allowed(Action.VIEW_PERIOD),
    response={200: PeriodDetailOut, **PROBLEMS},
)
def period(request: HttpRequest, period_id: int) -> Any:
    """One period: its state and its approved pay lines, those the caller may see (all
    of them for the director, the head and, once approved, the accountant; one's own)."""
    user = request.auth  # type: ignore[attr-defined]
    found = policy.visible_periods(user).filter(pk=period_id).first()
    if found is None:
        raise Http404
    policy.require(user, Action.VIEW_PERIOD, found)
    number, lines = _lines(user, found)
    return {**_period(found), "approved_revision": number, "lines": lines}


def _statement(month: dt.date, department: Department | None, bonus: MyBonus | None) -> Any:
    chain, mine = (bonus.chain, bonus.mine) if bonus else (None, None)
    return {
        "month": month,
        "department": _department(department) if department else None,
        "stage": bonus.stage if bonus else None,
        "is_head": bonus.is_head if bonus else None,
        **{
            name: getattr(chain, name) if chain else None
            for name in ("collected", "pool", "earned", "head", "staff_pool", "equal_share")
        },
        "mine": vars(mine) if mine else None,
    }


@router.get(
    "/me/statement/{month:month}",
    url_name="statement",
    auth=allowed(Action.VIEW_OWN_BONUS),
    response={200: StatementOut, **PROBLEMS},
)
def statement(request: HttpRequest, month: dt.date) -> Any:
    """The signed-in person's own month: the team's figures and their own pay, as the My
    bonus page shows them (approved, pending or live)."""
    user = request.auth  # type: ignore[attr-defined]
    employee = policy.employee_of(user)
    department = policy.bonus_department(user, month)
    figures = None if department is None else my_bonus_figures(user, employee, department, month)
    return _statement(month, department, figures)
