from __future__ import annotations

from django.urls import path

from compensation.views import (
    corrections,
    dashboard,
    inbox,
    my_bonus,
    payroll,
    periods,
    planning,
    replay,
    schemes,
    statements,
)

urlpatterns = [
    # collections dashboard (everyone in the department)
    path("dashboard/", dashboard.dashboard_start, name="dashboard"),
    path(
        "departments/<id:department_id>/<month:month>/",
        dashboard.department_dashboard,
        name="department_dashboard",
    ),
    # the month's scheme (commercial director)
    path(
        "departments/<id:department_id>/<month:month>/scheme/",
        schemes.scheme_edit,
        name="scheme_edit",
    ),
    # a year of plans, and a draft scheme replayed on the past (commercial director)
    path(
        "departments/<id:department_id>/<month:month>/plans/",
        planning.year_plans_view,
        name="year_plans",
    ),
    path("departments/<id:department_id>/replay/", replay.replay_view, name="scheme_replay"),
    path(
        "departments/<id:department_id>/replay/adopt/",
        replay.adopt_view,
        name="scheme_replay_adopt",
    ),
    # my bonus (staff and heads)
    path("me/", my_bonus.my_bonus_start, name="my_bonus"),
    path("me/<month:month>/", my_bonus.my_bonus, name="my_bonus_month"),
    path("me/<month:month>/statement.pdf", statements.my_statement, name="my_statement"),
    # bonus periods: close, proposal, review, history
    path("periods/", periods.period_list, name="period_list"),
    path(
        "departments/<id:department_id>/<month:month>/period/",
        periods.month_period,
        name="period_for_month",
    ),
    path("periods/<id:pk>/", periods.period_detail, name="period_detail"),
    path("periods/<id:pk>/close/", periods.period_close_view, name="period_close"),
    path("periods/<id:pk>/proposal/", periods.proposal_view, name="proposal"),
    path("periods/<id:pk>/proposal/preview/", periods.proposal_preview, name="proposal_preview"),
    path("periods/<id:pk>/submit/", periods.proposal_submit_view, name="proposal_submit"),
    path("periods/<id:pk>/review/", periods.review_view, name="review"),
    path("periods/<id:pk>/approve/", periods.approve_view, name="period_approve"),
    path("periods/<id:pk>/return/", periods.return_view, name="period_return"),
    path("periods/<id:pk>/reopen/", periods.reopen_view, name="period_reopen"),
    path("periods/<id:pk>/history/", periods.history_view, name="period_history"),
    # printable statements of a department's month
    path(
        "periods/<id:pk>/statements.<str:extension>",
        statements.period_statements,
        name="period_statements",
    ),
    # a paid month being corrected: the accountant voids a payment of it
    path(
        "corrections/payments/<id:pk>/void/",
        corrections.correction_void,
        name="correction_payment_void",
    ),
    # payroll (accountant)
    path("payroll/", payroll.payroll_list, name="payroll"),
    path(
        "payroll/<id:pk>/r<id:number>/<str:layout>.<str:extension>",
        payroll.payroll_export,
        name="payroll_export",
    ),
    path("payroll/<id:pk>/paid/", payroll.mark_paid_view, name="period_mark_paid"),
    # questions on a statement, and notices
    path("me/<month:month>/questions/", inbox.question_ask, name="question_ask"),
    path("questions/<id:pk>/", inbox.question_detail, name="question_detail"),
    path("questions/<id:pk>/answer/", inbox.question_answer, name="question_answer"),
    path("questions/<id:pk>/pass/", inbox.question_pass, name="question_pass"),
    path("questions/<id:pk>/close/", inbox.question_close, name="question_close"),
    path("questions/<id:pk>/reopen/", inbox.question_reopen, name="question_reopen"),
    path("notices/<id:pk>/dismiss/", inbox.notice_dismiss, name="notice_dismiss"),
    path("payroll/company/", payroll.payroll_company_export, name="payroll_company_export"),
]
