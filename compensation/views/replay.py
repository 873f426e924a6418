"""A draft scheme tried on the past: replayed on the last twelve months, then adopted.

The draft travels in the query string: the replay is a GET and writes nothing. Adopting
it for a coming month is a POST through the scheme services.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any
from urllib.parse import urlencode

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from accounts import policy
from accounts.models import Department
from accounts.policy import Action
from compensation.charts import replay_chart
from compensation.engine import Scheme
from compensation.forms import MilestoneFormSet, PercentField, milestone_initial, stored_ratio
from compensation.models import MonthlyScheme
from compensation.replay import ReplayMonth, scheme_replay
from compensation.services.plans import Terms, scheme_adopt, terms_of
from compensation.services.schemes import scheme_to_engine
from core.fields import MoneyField
from core.months import month_label, next_month

COMING_MONTHS = 3


class DraftForm(forms.Form):
    plan = MoneyField(
        label=gettext_lazy("Plan, ₽"),
        max_digits=14,
        decimal_places=2,
        localize=True,
        required=False,
        help_text=gettext_lazy("Leave empty to use each month's own plan."),
    )
    threshold = MoneyField(
        label=gettext_lazy("Threshold (break-even), ₽"),
        max_digits=14,
        decimal_places=2,
        localize=True,
    )
    rate = PercentField(label=gettext_lazy("Rate, %"))
    head_share = PercentField(label=gettext_lazy("Head's share, %"))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name, field in self.fields.items():
            field.widget.attrs.update({"class": "form-control form-control-sm"})
            if field.help_text:
                field.widget.attrs["aria-describedby"] = f"id_{name}-help"

    @classmethod
    def initial_from(cls, scheme: MonthlyScheme | None) -> dict[str, Any]:
        if scheme is None:
            return {}
        return {
            "threshold": scheme.threshold,
            "rate": stored_ratio(scheme.rate),
            "head_share": stored_ratio(scheme.head_share),
        }


class AdoptForm(forms.Form):
    month = forms.TypedChoiceField(label=gettext_lazy("Adopt for"), coerce=dt.date.fromisoformat)
    reason = forms.CharField(
        label=gettext_lazy("Reason for the change"), widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args: Any, today: dt.date, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        months = [today.replace(day=1)]
        while len(months) < COMING_MONTHS:
            months.append(next_month(months[-1]))
        self.fields["month"].choices = [(m.isoformat(), month_label(m, "title")) for m in months]


def _department(request: HttpRequest, department_id: int) -> Department:
    department = get_object_or_404(policy.visible_departments(request.user), pk=department_id)
    policy.require(request.user, Action.PLAN_SCHEMES, department)
    return department


def _draft(data: QueryDict | None, latest: MonthlyScheme | None) -> tuple[DraftForm, Any]:
    form = DraftForm(data, initial=DraftForm.initial_from(latest))
    # Bound, the rows are what was sent: an initial row equal to the latest scheme's
    # would otherwise read as unchanged, and be dropped.
    initial = milestone_initial(latest) if data is None else None
    gates = MilestoneFormSet(data, initial=initial, prefix="milestones")
    return form, gates


def _engine_draft(form: DraftForm, gates: Any) -> tuple[Scheme, list, Terms]:
    """The draft checked by the engine's own rules (errors come back by field)."""
    data, rows = form.cleaned_data, gates.rows()
    # Without a plan of its own the draft takes each month's; any plan will do for the check.
    plan = data["plan"] or Decimal("1.00")
    scheme = scheme_to_engine(plan, data["threshold"], data["rate"], data["head_share"], rows)
    terms = Terms(data["threshold"], data["rate"], data["head_share"], rows)
    return scheme, [(row[0], row[3]) for row in rows], terms


def _engine_terms(scheme: MonthlyScheme) -> tuple[Scheme, list, Terms]:
    """A saved scheme as a draft: its terms with its gates as set (not yet resolved)."""
    terms = terms_of(scheme)
    engine = scheme_to_engine(
        scheme.plan, terms.threshold, terms.rate, terms.head_share, terms.milestones
    )
    return engine, [(row[0], row[3]) for row in terms.milestones], terms


def _latest(department: Department) -> MonthlyScheme | None:
    return (
        MonthlyScheme.objects.filter(department=department)
        .prefetch_related("milestones")
        .order_by("-month")
        .first()
    )


@login_required
@require_http_methods(["GET"])
def replay_view(request: HttpRequest, department_id: int) -> HttpResponse:
    department = _department(request, department_id)
    latest = _latest(department)
    bound = "threshold" in request.GET
    form, gates = _draft(request.GET if bound else None, latest)
    rows: list[ReplayMonth] = []
    today = timezone.localdate()
    draft = None
    if bound and form.is_valid() and gates.is_valid():
        try:
            draft = _engine_draft(form, gates)
        except ValidationError as error:
            _put_errors(error, form)
    elif not bound and latest is not None:
        # The first look replays the latest scheme itself, as the form shows it.
        draft = _engine_terms(latest)
    if draft is not None:
        scheme, gate_days, _terms = draft
        plan = form.cleaned_data.get("plan") if bound else None
        rows = scheme_replay(department, scheme, gate_days, today=today, draft_plan=plan)
    can_adopt = policy.can(request.user, Action.EDIT_SCHEME, department)
    return render(
        request,
        "compensation/replay.html",
        {
            "department": department,
            "form": form,
            "milestones": gates,
            "rows": rows,
            "chart": replay_chart([(f"{r.month:%m.%y}", _earned(r), r.paid) for r in rows])
            if rows
            else None,
            "adopt": AdoptForm(today=today) if can_adopt and rows else None,
        },
    )


def _earned(row: ReplayMonth) -> Any:
    return None if row.replayed is None else row.replayed.earned


def _put_errors(error: ValidationError, form: DraftForm) -> None:
    for field, problems in error.message_dict.items():
        form.add_error(field if field in form.fields else None, problems)


@login_required
@require_POST
def adopt_view(request: HttpRequest, department_id: int) -> HttpResponse:
    department = _department(request, department_id)
    policy.require(request.user, Action.EDIT_SCHEME, department)
    form, gates = _draft(request.POST, None)
    adopt = AdoptForm(request.POST, today=timezone.localdate())
    back = _back(department, request.POST)
    if not (form.is_valid() and gates.is_valid() and adopt.is_valid()):
        messages.error(
            request,
            _("The draft cannot be adopted: %(errors)s")
            % {"errors": "; ".join(_messages(form, gates, adopt))},
        )
        return redirect(back)
    try:
        _scheme, _gates, terms = _engine_draft(form, gates)
        month = adopt.cleaned_data["month"]
        scheme_adopt(
            user=request.user,
            department=department,
            month=month,
            terms=terms,
            reason=adopt.cleaned_data["reason"],
            plan=form.cleaned_data["plan"],
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect(back)
    messages.success(
        request, _("The draft is adopted for %(month)s.") % {"month": month_label(month)}
    )
    return redirect("scheme_edit", department_id=department.pk, month=month)


def _back(department: Department, data: QueryDict) -> str:
    """The replay of the same draft: what was posted, less the adoption's own fields."""
    draft = {k: v for k, v in data.items() if k not in ("csrfmiddlewaretoken", "month", "reason")}
    return f"{reverse('scheme_replay', args=[department.pk])}?{urlencode(draft)}"


def _messages(*forms_: Any) -> list[str]:
    lines = []
    for form in forms_:
        for each in getattr(form, "forms", [form]):
            for field, problems in each.errors.items():
                label = each.fields[field].label if field in each.fields else ""
                lines.extend(f"{label}: {p}" if label else str(p) for p in problems)
        lines.extend(getattr(form, "non_form_errors", list)())
    return lines
