"""The year's plans grid: one row per month (a formset), and the copy from last year."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from compensation.planning import PlanMonth, grown_by
from compensation.services.plans import MonthPlan
from core.fields import MoneyField

MONEY = {"max_digits": 14, "decimal_places": 2, "localize": True, "required": False}


class CopyForm(forms.Form):
    """Last year's plans and thresholds, changed by a percent (read from the query string)."""

    percent = forms.DecimalField(
        label=_("Change against last year, %"),
        max_digits=6,
        decimal_places=2,
        min_value=Decimal("-99.99"),
        max_value=Decimal("1000"),
        localize=True,
        help_text=_("Fills the open months from the same months a year before: 10 is +10 %."),
    )


class MonthPlanForm(forms.Form):
    plan = MoneyField(label=_("Plan, ₽"), **MONEY)
    threshold = MoneyField(label=_("Threshold, ₽"), **MONEY)
    version = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=0)

    def __init__(self, *args: Any, month: PlanMonth, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.month = month
        for name in ("plan", "threshold"):
            self.fields[name].widget.attrs.update(
                {"class": "form-control form-control-sm num", "inputmode": "decimal"}
            )
            # A closed month is shown as it is; Django ignores what is posted for it.
            self.fields[name].disabled = month.frozen

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        plan, threshold = cleaned.get("plan"), cleaned.get("threshold")
        if self.month.frozen or (plan is None and threshold is None):
            return cleaned
        if plan is None and "plan" not in self.errors:
            self.add_error("plan", _("Enter the plan as well."))
        if threshold is None and "threshold" not in self.errors:
            self.add_error("threshold", _("Enter the threshold as well."))
        return cleaned

    def month_plan(self) -> MonthPlan | None:
        """The month's change for the service; None when it does not change."""
        data = self.cleaned_data
        if self.month.frozen or data.get("plan") is None:
            return None
        scheme = self.month.scheme
        if scheme and (scheme.plan, scheme.threshold) == (data["plan"], data["threshold"]):
            return None
        return MonthPlan(self.month.month, data["plan"], data["threshold"], data.get("version"))


class BaseYearFormSet(forms.BaseFormSet):
    def __init__(self, *args: Any, months: list[PlanMonth], **kwargs: Any) -> None:
        self.months = months
        super().__init__(*args, **kwargs)

    def get_form_kwargs(self, index: int) -> dict[str, Any]:
        return {"month": self.months[index]}

    def month_plans(self) -> list[MonthPlan]:
        return [plan for form in self.forms if (plan := form.month_plan()) is not None]


YearFormSet = forms.formset_factory(
    MonthPlanForm, formset=BaseYearFormSet, extra=0, min_num=12, max_num=12, validate_max=True
)


def grid_initial(months: list[PlanMonth], percent: Decimal | None) -> list[dict[str, Any]]:
    """Each month's stored terms; with ``percent``, open months take last year's, changed."""
    rows = []
    for month in months:
        row: dict[str, Any] = {"version": month.scheme.version if month.scheme else None}
        source = month.scheme
        if percent is not None and not month.frozen and month.last_year is not None:
            row["plan"] = grown_by(month.last_year.plan, percent)
            row["threshold"] = grown_by(month.last_year.threshold, percent)
        elif source is not None:
            row.update(plan=source.plan, threshold=source.threshold)
        rows.append(row)
    return rows
