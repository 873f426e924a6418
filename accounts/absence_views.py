"""Absences pages: the list with a form to record one, and the HR system's file."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from accounts import policy
from accounts.absences import absence_record, absences_import
from accounts.forms import AbsenceForm, AbsenceImportForm
from accounts.models import Employee
from accounts.policy import Action
from accounts.selectors import visible_absences
from core.forms import add_service_error

PAGE_ROWS = 200


def managed_people(user: Any) -> QuerySet[Employee]:
    """Staff and heads of the departments whose absences the user records."""
    if policy.is_admin(user):
        return Employee.objects.order_by("full_name")
    departments = [
        d for d in policy.visible_departments(user) if policy.can(user, Action.MANAGE_ABSENCES, d)
    ]
    return (
        Employee.objects.filter(
            Q(memberships__department__in=departments) | Q(headed_departments__in=departments)
        )
        .distinct()
        .order_by("full_name")
    )


def _page(
    request: HttpRequest, form: AbsenceForm, upload: AbsenceImportForm, result: Any = None
) -> HttpResponse:
    absences = visible_absences(request.user).order_by("-started_on", "employee__full_name")
    return render(
        request,
        "accounts/absence_list.html",
        {
            "absences": absences[:PAGE_ROWS],
            "form": form,
            "upload": upload,
            "result": result,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def absence_list(request: HttpRequest) -> HttpResponse:
    policy.require(request.user, Action.MANAGE_ABSENCES)
    form = AbsenceForm(request.POST or None, people=managed_people(request.user))
    if request.method == "POST" and form.is_valid():
        try:
            absence = absence_record(user=request.user, **form.cleaned_data)
        except ValidationError as error:
            add_service_error(form, error)
        else:
            messages.success(
                request, _("Absence of %(employee)s recorded.") % {"employee": absence.employee}
            )
            return redirect("absence_list")
    return _page(request, form, AbsenceImportForm())


@login_required
@require_POST
def absence_import(request: HttpRequest) -> HttpResponse:
    policy.require(request.user, Action.MANAGE_ABSENCES)
    upload = AbsenceImportForm(request.POST, request.FILES)
    result = None
    if upload.is_valid():
        file = upload.cleaned_data["file"]
        result = absences_import(
            user=request.user,
            file_name=file.name,
            data=file.read(),
            dry_run=upload.cleaned_data["dry_run"],
        )
        if result.written:
            messages.success(request, _("%(count)s absence(s) imported.") % {"count": result.new})
            return redirect("absence_list")
    form = AbsenceForm(people=managed_people(request.user))
    return _page(request, form, upload, result)
