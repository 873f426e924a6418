"""The cockpit's pages: what clients still owe, the call list, recording a promise."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Page, Paginator
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from accounts import policy
from accounts.models import Department
from accounts.policy import Action
from core.forms import add_service_error
from core.queries import any_of
from payments.cockpit.forms import OutstandingFilter, PromiseForm
from payments.cockpit.promises import PromiseStatus, promise_history
from payments.cockpit.services import promise_record
from payments.models import Client, ClientMonthBalance, Invoice
from payments.outstanding import (
    call_list,
    call_list_open,
    groups_of,
    in_group_order,
    of_page,
    on_page,
    owing,
    taken,
    totals,
    with_credit,
    with_promises,
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
    rows = owing(department, month)
    filters = OutstandingFilter(request.GET or None, queryset=rows, today=today)
    shown = filters.qs if filters.is_bound and filters.is_valid() else rows
    # The groups' totals cover every client shown; a page of them is drawn.
    groups = groups_of(shown)
    page = _page(request, in_group_order(shown))
    listed = with_promises(of_page(in_group_order(shown), page), month, today=today)
    credit = with_credit(department, month)
    return render(
        request,
        "payments/cockpit/outstanding.html",
        {
            "department": department,
            "month": month,
            "filters": filters,
            "groups": on_page(groups, listed),
            "page": page,
            "query": _query_without_page(request),
            "total_owed": sum((group.owed for group in groups), start=Decimal("0.00")),
            "credit": taken(credit, 0, CLIENTS_PER_PAGE, largest="credit"),
            "credit_totals": totals(credit, "credit"),
            "history_of": _history_links(request.user, listed),
        },
    )


def _page(request: HttpRequest, rows: QuerySet[Any]) -> Page:
    return Paginator(rows, CLIENTS_PER_PAGE).get_page(request.GET.get("page"))


def _query_without_page(request: HttpRequest) -> str:
    query = request.GET.copy()
    query.pop("page", None)
    return query.urlencode()


def _history_links(user: Any, rows: list[Any]) -> set[int]:
    """The listed clients whose promise history the user may open (one query)."""
    ids = any_of(row.client.pk for row in rows)
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
    today = timezone.localdate()
    listed = _call_rows(department, month)
    page = _page(request, listed)
    rows = with_promises(of_page(listed, page), month, today=today)
    whole = totals(page.paginator.object_list)
    can_record = policy.can(request.user, Action.RECORD_PROMISE, department)
    if form is None and can_record and rows:
        form = PromiseForm(clients=[r.client for r in rows], initial={"called_on": today})
    return {
        "department": department,
        "month": month,
        "rows": rows,
        "page": page,
        "query": _query_without_page(request),
        "total_owed": whole.amount,
        "to_call": whole.clients,
        "open": call_list_open(month, today),
        "from_day": settings.CALL_LIST_FROM_DAY,
        "min_amount": settings.CALL_LIST_MIN_AMOUNT,
        "form": form if can_record else None,
        "history_of": _history_links(request.user, rows),
    }


def _call_rows(department: Department, month: dt.date) -> QuerySet[ClientMonthBalance]:
    """The call list; empty before the day calls start."""
    if not call_list_open(month, timezone.localdate()):
        return ClientMonthBalance.objects.none().order_by("pk")
    return call_list(department, month)


@login_required
@require_POST
def promise_create(request: HttpRequest, department_id: int, month: dt.date) -> HttpResponse:
    department = _department(request.user, department_id)
    policy.require(request.user, Action.RECORD_PROMISE, department)
    # The clients of the page the form was sent from (``?page=``), as it offered them.
    listed = _call_rows(department, month)
    rows = of_page(listed, _page(request, listed))
    form = PromiseForm(request.POST, clients=[r.client for r in rows])
    if not form.is_valid():
        context = _calls_context(request, department, month, form)
        return render(request, "payments/cockpit/calls.html", context, status=400)
    data = form.cleaned_data
    chosen = data.pop("client")
    client = next(r.client for r in rows if r.client.pk == chosen)
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
