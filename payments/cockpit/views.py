"""The cockpit's pages: what clients still owe, the call list, recording a promise."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Page, Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from accounts import policy
from accounts.models import Department
from accounts.policy import Action
from core.forms import add_service_error
from payments.cockpit.forms import OutstandingFilter, PromiseForm
from payments.cockpit.promises import PromiseStatus, promise_history
from payments.cockpit.services import promise_record
from payments.models import Client, Invoice
from payments.outstanding import (
    by_responsible,
    call_list,
    call_list_open,
    clients_owed,
    in_group_order,
    on_page,
)

# Enough to work through in a sitting; the largest debts come first.
CLIENTS_PER_PAGE = 50


def _department(user: Any, department_id: int) -> Department:
    department = get_object_or_404(Department, pk=department_id)
    if not policy.can(user, Action.VIEW_OUTSTANDING, department):
        raise Http404
    return department


@login_required
@require_GET
def outstanding(request: HttpRequest, department_id: int, month: dt.date) -> HttpResponse:
    department = _department(request.user, department_id)
    today = timezone.localdate()
    filters = OutstandingFilter(
        request.GET or None,
        queryset=Client.objects.filter(department=department),
        month=month,
        today=today,
    )
    among = filters.qs if filters.is_bound and filters.is_valid() else None
    owed = clients_owed(department, month, today=today, among=among)
    least_overdue = filters.overdue_at_least if among is not None else 0
    shown = [row for row in owed if row.owed and row.overdue_days >= least_overdue]
    groups = by_responsible(shown)
    # Every client is settled (the totals cover them all), a page of them is shown.
    page = _page(request, in_group_order(groups))
    return render(
        request,
        "payments/cockpit/outstanding.html",
        {
            "department": department,
            "month": month,
            "filters": filters,
            "groups": on_page(groups, page.object_list),
            "page": page,
            "query": _query_without_page(request),
            "total_owed": sum((row.owed for row in shown), start=0),
            "credit": [row for row in owed if row.credit],
            "history_of": _history_links(request.user, page.object_list),
        },
    )


def _page(request: HttpRequest, rows: list[Any]) -> Page:
    return Paginator(rows, CLIENTS_PER_PAGE).get_page(request.GET.get("page"))


def _query_without_page(request: HttpRequest) -> str:
    query = request.GET.copy()
    query.pop("page", None)
    return query.urlencode()


def _history_links(user: Any, rows: list[Any]) -> set[int]:
    """The listed clients whose promise history the user may open (one query)."""
    ids = [row.client.pk for row in rows]
    return set(policy.visible_promise_clients(user).filter(pk__in=ids).values_list("pk", flat=True))


@login_required
@require_GET
def calls(request: HttpRequest, department_id: int, month: dt.date) -> HttpResponse:
    department = _department(request.user, department_id)
    return render(
        request, "payments/cockpit/calls.html", _calls_context(request, department, month)
    )


def _calls_context(
    request: HttpRequest, department: Department, month: dt.date, form: PromiseForm | None = None
) -> dict[str, Any]:
    rows = _call_rows(department, month)
    can_record = policy.can(request.user, Action.RECORD_PROMISE, department)
    if form is None and can_record and rows:
        initial = {"called_on": timezone.localdate()}
        form = PromiseForm(clients=[r.client for r in rows], initial=initial)
    page = _page(request, rows)
    return {
        "department": department,
        "month": month,
        "rows": page.object_list,
        "page": page,
        "query": _query_without_page(request),
        "total_owed": sum((row.owed for row in rows), start=0),
        "to_call": len(rows),
        "open": call_list_open(month, timezone.localdate()),
        "from_day": settings.CALL_LIST_FROM_DAY,
        "min_amount": settings.CALL_LIST_MIN_AMOUNT,
        "form": form if can_record else None,
        "history_of": _history_links(request.user, page.object_list),
    }


def _call_rows(department: Department, month: dt.date) -> list[Any]:
    """The call list; empty before the day calls start."""
    today = timezone.localdate()
    if not call_list_open(month, today):
        return []
    return call_list(clients_owed(department, month, today=today))


@login_required
@require_POST
def promise_create(request: HttpRequest, department_id: int, month: dt.date) -> HttpResponse:
    department = _department(request.user, department_id)
    policy.require(request.user, Action.RECORD_PROMISE, department)
    rows = _call_rows(department, month)
    form = PromiseForm(request.POST, clients=[r.client for r in rows])
    if not form.is_valid():
        context = _calls_context(request, department, month, form)
        return render(request, "payments/cockpit/calls.html", context, status=400)
    data = form.cleaned_data
    client = next(r.client for r in rows if r.client.pk == data.pop("client"))
    try:
        promise_record(user=request.user, client=client, **data)
    except ValidationError as error:
        add_service_error(form, error)
        context = _calls_context(request, department, month, form)
        return render(request, "payments/cockpit/calls.html", context, status=400)
    messages.success(request, _("Promise of %(client)s recorded.") % {"client": client.name})
    return redirect("cockpit_calls", department_id=department.pk, month=month)


@login_required
@require_GET
def promise_history_view(request: HttpRequest, client_id: int) -> HttpResponse:
    """Every promise a client made, who recorded it and whether it was kept; for one of
    the client's invoices with ``?invoice=<number>``."""
    client = get_object_or_404(Client.objects.select_related("department"), pk=client_id)
    if not policy.can(request.user, Action.VIEW_PROMISES, client):
        raise Http404
    number = request.GET.get("invoice", "")
    invoice = None
    if number:
        # A number the client has no invoice under (or no number at all) is not a page.
        if "\x00" in number:
            raise Http404
        invoice = get_object_or_404(Invoice, client=client, number=number[:100])
    today = timezone.localdate()
    return render(
        request,
        "payments/cockpit/promise_history.html",
        {
            "client": client,
            "invoice": invoice,
            "rows": promise_history(client, today=today, invoice=invoice),
            "statuses": PromiseStatus,
            "month": today.replace(day=1),
            "can_see_owed": policy.can(request.user, Action.VIEW_OUTSTANDING, client.department),
        },
    )
