"""Hand-over pages: an absent person's clients to colleagues, and any one client."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from accounts import policy
from accounts.absence_views import managed_people
from accounts.models import Employee
from accounts.policy import Action
from accounts.selectors import visible_absences
from core.forms import add_service_error
from payments.assignments import absence_clients, absence_cover, client_reassign
from payments.cover_forms import CoverForm, HandoverForm
from payments.models import Client


def _colleagues(department_ids: list[int], absent: Employee | None, day: object) -> QuerySet:
    """Staff of the departments on ``day`` and their heads, the absent person left out."""
    people = Employee.objects.filter(
        Q(
            Q(memberships__ended_on__isnull=True) | Q(memberships__ended_on__gte=day),
            memberships__department__in=department_ids,
            memberships__started_on__lte=day,
        )
        | Q(headed_departments__in=department_ids)
    )
    if absent is not None:
        people = people.exclude(pk=absent.pk)
    return people.distinct().order_by("full_name")


@login_required
@require_http_methods(["GET", "POST"])
def absence_cover_view(request: HttpRequest, pk: int) -> HttpResponse:
    policy.require(request.user, Action.MANAGE_ABSENCES)
    absence = get_object_or_404(visible_absences(request.user), pk=pk)
    clients = [
        c for c in absence_clients(absence) if policy.can(request.user, Action.MANAGE_ABSENCES, c)
    ]
    departments = sorted({c.department_id for c in clients})
    colleagues = _colleagues(departments, absence.employee, absence.started_on)
    form = CoverForm(request.POST or None, clients=clients, colleagues=colleagues)
    if request.method == "POST" and clients and form.is_valid():
        try:
            absence_cover(user=request.user, absence=absence, cover=form.cover())
        except ValidationError as error:
            add_service_error(form, error)
        else:
            messages.success(
                request,
                _("The clients of %(employee)s are covered from %(first)s to %(last)s.")
                % {
                    "employee": absence.employee,
                    "first": f"{absence.started_on:%d.%m.%Y}",
                    "last": f"{absence.ended_on:%d.%m.%Y}",
                },
            )
            return redirect("absence_list")
    return render(
        request,
        "payments/absence_cover.html",
        {"absence": absence, "clients": clients, "form": form},
    )


def _handover_clients(user: object) -> QuerySet[Client]:
    if policy.is_admin(user):
        return Client.objects.all()
    departments = [
        d for d in policy.visible_departments(user) if policy.can(user, Action.MANAGE_ABSENCES, d)
    ]
    return Client.objects.filter(department__in=departments)


@login_required
@require_http_methods(["GET", "POST"])
def client_handover(request: HttpRequest, pk: int) -> HttpResponse:
    policy.require(request.user, Action.MANAGE_ABSENCES)
    client = get_object_or_404(
        _handover_clients(request.user).select_related("department", "responsible"), pk=pk
    )
    people = managed_people(request.user).filter(
        Q(memberships__department=client.department) | Q(headed_departments=client.department)
    )
    form = HandoverForm(request.POST or None, people=people)
    if request.method == "POST" and form.is_valid():
        try:
            client_reassign(user=request.user, client=client, **form.cleaned_data)
        except ValidationError as error:
            add_service_error(form, error)
        else:
            messages.success(request, _("%(client)s handed over.") % {"client": client.name})
            return redirect("client_handover", pk=client.pk)
    history = client.assignments.select_related("employee", "assigned_by").order_by("-started_on")
    return render(
        request,
        "payments/client_handover.html",
        {"client": client, "form": form, "history": history},
    )
