"""Correcting or removing an absence: one page with both, and its history."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from accounts import policy
from accounts.forms import AbsenceChangeForm, AbsenceDeleteForm
from accounts.models import Absence
from accounts.policy import Action
from accounts.selectors import visible_absences
from core.forms import add_service_error
from payments.absence_changes import absence_closed_months, absence_delete, absence_update


def _absence(request: HttpRequest, pk: int) -> Absence:
    policy.require(request.user, Action.MANAGE_ABSENCES)
    return get_object_or_404(visible_absences(request.user), pk=pk)


def _as_recorded(absence: Absence) -> dict[str, Any]:
    fields = ("kind", "started_on", "ended_on", "note")
    return {name: getattr(absence, name) for name in fields}


def _page(
    request: HttpRequest, absence: Absence, form: AbsenceChangeForm, remove: AbsenceDeleteForm
) -> HttpResponse:
    context: dict[str, Any] = {
        "absence": absence,
        "form": form,
        "remove": remove,
        "closed_months": absence_closed_months(absence),
        "history": absence.history.select_related("history_user").order_by("-history_date"),
    }
    return render(request, "accounts/absence_edit.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def absence_edit(request: HttpRequest, pk: int) -> HttpResponse:
    absence = _absence(request, pk)
    form = AbsenceChangeForm(request.POST or None, initial=_as_recorded(absence))
    if request.method == "POST" and form.is_valid():
        try:
            absence = absence_update(user=request.user, absence=absence, **form.cleaned_data)
        except ValidationError as error:
            add_service_error(form, error)
        else:
            messages.success(
                request, _("Absence of %(employee)s corrected.") % {"employee": absence.employee}
            )
            return redirect("absence_list")
    return _page(request, absence, form, AbsenceDeleteForm())


@login_required
@require_POST
def absence_delete_view(request: HttpRequest, pk: int) -> HttpResponse:
    absence = _absence(request, pk)
    remove = AbsenceDeleteForm(request.POST)
    if remove.is_valid():
        employee = absence.employee
        try:
            absence_delete(user=request.user, absence=absence, **remove.cleaned_data)
        except ValidationError as error:
            add_service_error(remove, error)
        else:
            messages.success(
                request, _("Absence of %(employee)s removed.") % {"employee": employee}
            )
            return redirect("absence_list")
    return _page(request, absence, AbsenceChangeForm(initial=_as_recorded(absence)), remove)
