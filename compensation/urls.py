from __future__ import annotations

import datetime as dt

from django.urls import path, register_converter

from compensation.views import dashboard, my_bonus, payroll, periods, schemes


class MonthConverter:
    """``2026-10`` in a URL ⇄ the month's first day."""

    regex = r"[0-9]{4}-(?:0[1-9]|1[0-2])"

    def to_python(self, value: str) -> dt.date:
        year, month = value.split("-")
        return dt.date(int(year), int(month), 1)

    def to_url(self, value: dt.date | str) -> str:
        return value if isinstance(value, str) else f"{value:%Y-%m}"


register_converter(MonthConverter, "month")

urlpatterns = [
    # collections dashboard (everyone in the department)
    path("dashboard/", dashboard.dashboard_start, name="dashboard"),
    path(
        "departments/<int:department_id>/<month:month>/",
        dashboard.department_dashboard,
        name="department_dashboard",
    ),
    # the month's scheme (commercial director)
    path(
        "departments/<int:department_id>/<month:month>/scheme/",
        schemes.scheme_edit,
        name="scheme_edit",
    ),
    # my bonus (staff and heads)
    path("me/", my_bonus.my_bonus_start, name="my_bonus"),
    path("me/<month:month>/", my_bonus.my_bonus, name="my_bonus_month"),
    # bonus periods: close, proposal, review, history
    path("periods/", periods.period_list, name="period_list"),
    path(
        "departments/<int:department_id>/<month:month>/period/",
        periods.month_period,
        name="period_for_month",
    ),
    path("periods/<int:pk>/", periods.period_detail, name="period_detail"),
    path("periods/<int:pk>/close/", periods.period_close_view, name="period_close"),
    path("periods/<int:pk>/proposal/", periods.proposal_view, name="proposal"),
    path("periods/<int:pk>/proposal/preview/", periods.proposal_preview, name="proposal_preview"),
    path("periods/<int:pk>/submit/", periods.proposal_submit_view, name="proposal_submit"),
    path("periods/<int:pk>/review/", periods.review_view, name="review"),
    path("periods/<int:pk>/approve/", periods.approve_view, name="period_approve"),
    path("periods/<int:pk>/return/", periods.return_view, name="period_return"),
    path("periods/<int:pk>/reopen/", periods.reopen_view, name="period_reopen"),
    path("periods/<int:pk>/history/", periods.history_view, name="period_history"),
    # payroll (accountant)
    path("payroll/", payroll.payroll_list, name="payroll"),
    path(
        "payroll/<int:pk>/r<int:number>/<str:layout>.<str:extension>",
        payroll.payroll_export,
        name="payroll_export",
    ),
    path("payroll/<int:pk>/paid/", payroll.mark_paid_view, name="period_mark_paid"),
]
