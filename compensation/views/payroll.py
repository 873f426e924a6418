"""The accountant's payroll: approved and paid revisions, their files, and marking paid."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Prefetch
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import formats, timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from accounts import policy
from accounts.policy import Action
from compensation import services
from compensation.exports import LAYOUTS
from compensation.models import PayLine, PeriodEvent
from compensation.selectors import payroll_totals
from compensation.services.payroll import CONTENT_TYPES
from compensation.workflow_forms import CompanyPayrollForm, PaidForm
from core.months import month_label


@login_required
def payroll_list(request: HttpRequest) -> HttpResponse:
    policy.require(request.user, Action.VIEW_PAYROLL)
    revisions = (
        policy.visible_revisions(request.user)
        .filter(approved_at__isnull=False)
        .select_related("period__department", "approved_by__employee", "paid_by")
        .order_by("-period__month", "period__department__name", "-number")
    )
    shown = list(revisions.prefetch_related(_PAY_LINES)[:300])
    # A correction of a paid month has no file of its own: a later payroll pays it.
    paid = {(r.period_id, r.number) for r in shown if r.paid_at is not None}
    for revision in shown:
        revision.correction = any(
            (revision.period_id, n) in paid for n in range(1, revision.number)
        )
        # Only the period's current revision is paid, once the lifecycle allows it.
        revision.payable = revision.number == revision.period.revision and policy.may_now(
            request.user, "pay", revision.period
        )
    paid_form = PaidForm(initial={"paid_on": timezone.localdate()})
    return render(
        request,
        "compensation/payroll.html",
        {
            "revisions": shown,
            "layouts": LAYOUTS,
            "paid_form": paid_form,
            "totals": payroll_totals(shown),
            "exports": _export_log(request.user),
            "company_form": CompanyPayrollForm(
                initial={"month": f"{shown[0].period.month:%Y-%m}" if shown else ""}
            ),
        },
    )


_PAY_LINES = Prefetch(
    "pay_lines", queryset=PayLine.objects.select_related("employee").order_by("order")
)
# How the export buttons name the files, for the log.
_FILE_LABELS = {
    "standard.xlsx": "XLSX",
    "standard.csv": "CSV",
    "zup.xlsx": gettext_lazy("1C:ZUP XLSX"),
    "zup.csv": gettext_lazy("1C:ZUP CSV"),
    "company-standard.xlsx": gettext_lazy("Company file XLSX"),
    "company-standard.csv": gettext_lazy("Company file CSV"),
    "company-zup.xlsx": gettext_lazy("Company file 1C:ZUP XLSX"),
    "company-zup.csv": gettext_lazy("Company file 1C:ZUP CSV"),
}
EXPORTS_SHOWN = 50


def _export_log(user: Any) -> list[PeriodEvent]:
    """The latest downloads of the periods the user sees: who took which file, when."""
    events = list(
        PeriodEvent.objects.filter(
            action=PeriodEvent.Action.EXPORT, period__in=policy.visible_periods(user)
        )
        .select_related("period__department", "actor__employee")
        .order_by("-at", "-id")[:EXPORTS_SHOWN]
    )
    for event in events:
        name = event.details.get("file", "")
        event.file_label = _FILE_LABELS.get(name, name)
    return events


@login_required
@require_POST  # every download is recorded (an event row): a GET never writes
def payroll_export(
    request: HttpRequest, pk: int, number: int, layout: str, extension: str
) -> HttpResponse:
    revision = get_object_or_404(
        policy.visible_revisions(request.user).select_related("approved_by"),
        period_id=pk,
        number=number,
    )
    if layout not in LAYOUTS or extension not in CONTENT_TYPES:
        raise Http404
    policy.require(request.user, Action.EXPORT_PAYROLL, revision)
    payroll = services.payroll_export(
        user=request.user, revision=revision, layout=layout, extension=extension
    )
    response = HttpResponse(payroll.content, content_type=payroll.content_type)
    # The name holds the month in words, in Cyrillic too: RFC 6266's filename* says so.
    response["Content-Disposition"] = content_disposition_header(True, payroll.name)
    return response


@login_required
@require_POST
def mark_paid_view(request: HttpRequest, pk: int) -> HttpResponse:
    period = get_object_or_404(policy.visible_periods(request.user), pk=pk)
    policy.require(request.user, Action.MARK_PAID, period)
    form = PaidForm(request.POST)
    if not form.is_valid():
        for name, errors in form.errors.items():
            label = form.fields[name].label if name in form.fields else None
            for message in errors:
                messages.error(request, f"{label}: {message}" if label else message)
        return redirect("payroll")
    try:
        services.period_mark_paid(
            user=request.user,
            period=period,
            expected_version=form.cleaned_data["expected_version"],
            paid_on=form.cleaned_data["paid_on"],
        )
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(
            request,
            _("%(department)s, %(month)s: marked paid on %(date)s.")
            % {
                "department": period.department.name,
                "month": month_label(period.month),
                "date": formats.date_format(form.cleaned_data["paid_on"], "SHORT_DATE_FORMAT"),
            },
        )
    return redirect("payroll")


@login_required
@require_POST  # the download is logged on every period in it: a GET never writes
def payroll_company_export(request: HttpRequest) -> HttpResponse:
    """Every department's approved month in one file (the month and file posted)."""
    policy.require(request.user, Action.EXPORT_COMPANY_PAYROLL)
    form = CompanyPayrollForm(request.POST)
    if not form.is_valid():
        for name, errors in form.errors.items():
            for message in errors:
                messages.error(request, f"{form.fields[name].label}: {message}")
        return redirect("payroll")
    layout, extension = form.cleaned_data["file"].split(".")
    try:
        payroll = services.payroll_company_export(
            user=request.user,
            month=form.cleaned_data["month"],
            layout=layout,
            extension=extension,
        )
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
        return redirect("payroll")
    response = HttpResponse(payroll.content, content_type=payroll.content_type)
    response["Content-Disposition"] = content_disposition_header(True, payroll.name)
    return response
