"""The company's obligations: a month's total typed in, or a schedule of due dates imported."""

from __future__ import annotations

from typing import Any

from crispy_forms.helper import FormHelper
from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Count, Sum
from django.db.models.functions import TruncMonth
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from accounts import policy
from accounts.policy import Action
from compensation.models import MonthlyObligation, ObligationDue
from compensation.obligations import obligation_set, obligations_import
from core.fields import MoneyField
from core.forms import TableFileForm
from core.months import parse_month

SHOWN_MONTHS = 24


class ObligationForm(forms.Form):
    month = forms.CharField(label=gettext_lazy("Month (YYYY-MM)"), max_length=7)
    total = MoneyField(
        label=gettext_lazy("Total obligations, ₽"), max_digits=14, decimal_places=2, min_value=0
    )
    note = forms.CharField(label=gettext_lazy("Note"), max_length=200, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False

    def clean_month(self) -> Any:
        month = parse_month(self.cleaned_data["month"])
        if month is None:
            raise forms.ValidationError(_("Enter a month as YYYY-MM, such as 2026-10."))
        return month


class ScheduleForm(TableFileForm):
    file_label = gettext_lazy("Schedule of obligations")
    file_help = gettext_lazy("CSV or XLSX with the columns due date, amount, description.")


def _page(request: HttpRequest, form: ObligationForm, upload: ScheduleForm, result: Any = None):
    return render(
        request,
        "compensation/director/obligations.html",
        {
            "form": form,
            "upload": upload,
            "result": result,
            "obligations": MonthlyObligation.objects.order_by("-month")[:SHOWN_MONTHS],
            "schedule": ObligationDue.objects.annotate(month=TruncMonth("due_on"))
            .values("month")
            .annotate(count=Count("pk"), total=Sum("amount"))
            .order_by("-month")[:SHOWN_MONTHS],
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def obligations_import_view(request: HttpRequest) -> HttpResponse:
    """A month's total (``action=total``) or a schedule file (``action=import``)."""
    policy.require(request.user, Action.MANAGE_OBLIGATIONS)
    if request.method != "POST":
        return _page(request, ObligationForm(), ScheduleForm())
    if request.POST.get("action") == "import":
        return _import(request)
    form = ObligationForm(request.POST)
    if form.is_valid():
        obligation_set(user=request.user, **form.cleaned_data)
        messages.success(request, _("The month's obligations were saved."))
        return redirect("obligations_import")
    return _page(request, form, ScheduleForm())


def _import(request: HttpRequest) -> HttpResponse:
    upload = ScheduleForm(request.POST, request.FILES)
    result = None
    if upload.is_valid():
        file = upload.cleaned_data["file"]
        result = obligations_import(
            user=request.user,
            file_name=file.name,
            data=file.read(),
            dry_run=upload.cleaned_data["dry_run"],
        )
        if result.written:
            messages.success(
                request, _("%(count)s obligation(s) imported.") % {"count": result.new}
            )
            return redirect("obligations_import")
    return _page(request, ObligationForm(), upload, result)
