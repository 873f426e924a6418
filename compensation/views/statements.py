"""Printable statements: one's own month as a PDF; a department's month for those who
see its pay (the accountant, the director, the head), as one PDF or a ZIP of PDFs.

A download writes nothing (no log: a statement is what the "my bonus" page shows), so it
is a GET. The language is the request's (the user's choice of language); in a ZIP, which
is handed out one file a person, each statement is in its person's stored language.
"""

from __future__ import annotations

import datetime as dt

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.utils import translation
from django.utils.http import content_disposition_header

from accounts import policy
from accounts.models import Employee
from accounts.policy import Action
from compensation.explain import latest_approved_revision
from compensation.models import BonusPeriod, Correction
from compensation.statement_pdf import (
    StatementOf,
    statement_file_name,
    statements_pdf,
    statements_zip,
)
from compensation.views.my_bonus import _employee
from core.months import month_label

CONTENT_TYPES = {"pdf": "application/pdf", "zip": "application/zip"}


def _download(content: bytes, extension: str, name: str) -> HttpResponse:
    response = HttpResponse(content, content_type=CONTENT_TYPES[extension])
    response["Content-Disposition"] = content_disposition_header(True, name)
    return response


@login_required
def my_statement(request: HttpRequest, month: dt.date) -> HttpResponse:
    """The signed-in person's own month: nobody else's statement is reachable here."""
    employee = _employee(request.user)
    of = StatementOf(employee, policy.bonus_department(request.user, month), month)
    language = translation.get_language()
    content = statements_pdf([of], language=language)
    return _download(content, "pdf", statement_file_name(of, language=language))


def _people(period: BonusPeriod) -> list[Employee]:
    """Everyone with a line in the month's approved pay, or a correction paid with it."""
    revision = latest_approved_revision(period)
    if revision is None:
        raise Http404
    ids = set(revision.pay_lines.values_list("employee_id", flat=True))
    ids |= set(
        Correction.objects.filter(
            department_id=period.department_id, paid_in=period.month
        ).values_list("employee_id", flat=True)
    )
    return list(Employee.objects.filter(pk__in=ids).select_related("user").order_by("full_name"))


@login_required
def period_statements(request: HttpRequest, pk: int, extension: str) -> HttpResponse:
    period = get_object_or_404(policy.visible_periods(request.user), pk=pk)
    if extension not in CONTENT_TYPES:
        raise Http404
    policy.require(request.user, Action.VIEW_PAY_LINES, period)
    statements = [
        StatementOf(person, period.department, period.month) for person in _people(period)
    ]
    language = translation.get_language()
    build = statements_pdf if extension == "pdf" else statements_zip
    with translation.override(language):
        month = month_label(period.month).replace(" ", "-")
    name = f"statements-{period.department_id}-{month}.{extension}"
    return _download(build(statements, language=language), extension, name)
