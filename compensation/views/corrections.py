"""The accountant voids a payment of a paid month while the director has it reopened.

The payments' own void page refuses a closed month; a paid month being corrected sends
its voids here, where the correction's service voids the payment and recounts the month
onto the new revision. What was paid stays as it was.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from accounts import policy
from accounts.policy import Action
from compensation.models import BonusPeriod
from compensation.services.corrections import correction_payment_void
from compensation.workflow_forms import ReasonForm
from core.forms import add_service_error
from core.months import month_label
from payments.importing import rules
from payments.models import Payment


def _refusal(payment: Payment, period: BonusPeriod | None) -> str:
    """Why the payment cannot be voided in a correction now, or "" (the service checks
    again, under the period's lock)."""
    if payment.is_void:
        return _("This payment is already void.")
    month = rules.month_of(payment.received_on)
    if period is None or not rules.months_being_corrected([(period.department_id, month)]):
        return _(
            "%(month)s is not a paid month being corrected: "
            "its payments are voided on the payments page, or not at all."
        ) % {"month": month_label(month, "title")}
    return ""


@login_required
@require_http_methods(["GET", "POST"])
def correction_void(request: HttpRequest, pk: int) -> HttpResponse:
    payment = get_object_or_404(
        policy.visible_payments(request.user).select_related("client", "department"), pk=pk
    )
    policy.require(request.user, Action.MANAGE_PAYMENTS, payment)
    period = BonusPeriod.objects.filter(
        department_id=payment.department_id, month=rules.month_of(payment.received_on)
    ).first()
    context = {"payment": payment, "period": period, "refusal": _refusal(payment, period)}
    if context["refusal"]:
        if request.method == "POST":
            messages.error(request, context["refusal"])
            return redirect("payment_list")
        return render(request, "compensation/correction_void.html", context)
    form = ReasonForm(request.POST or None, initial={"expected_version": period.version})
    if request.method == "POST" and form.is_valid():
        try:
            correction_payment_void(
                user=request.user,
                period=period,
                expected_version=form.cleaned_data["expected_version"],
                payment=payment,
                reason=form.cleaned_data["reason"],
            )
        except ValidationError as error:
            add_service_error(form, error)
        else:
            messages.success(
                request, _("The payment is void; the correction counts the month without it.")
            )
            return redirect("payment_list")
    return render(request, "compensation/correction_void.html", {**context, "form": form})
