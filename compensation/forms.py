"""The director's scheme form: the month's terms, its milestones and the reason for a change.

The forms only check shapes (a number, a day); the scheme's rules are the engine's, applied
by the scheme services, whose errors come back to these fields by name.
"""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction
from typing import Any

from crispy_forms.helper import FormHelper
from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from compensation.models import DayRule, MonthlyScheme, Split
from compensation.services.schemes import MilestoneRow
from core.percent import PercentError, format_percent, parse_percent
from payments.forms import MoneyField


class RatioField(forms.CharField):
    """A rate or share as typed: ``0,005`` (Russian decimal comma), ``0.005`` or ``1/3``."""

    def to_python(self, value: Any) -> str:
        return super().to_python(value).replace(",", ".").replace(" ", "")


class PercentField(forms.Field):
    """A rate or share typed as a percent: ``0,5``, ``0,5 %`` or ``0.5%`` → ``Decimal("0.005")``.

    Shown the same way (``0,5 %`` in Russian); the scheme keeps the exact fraction.
    """

    default_error_messages = {
        "invalid": _("Enter a percent such as 0,5 or 40 %."),
        "range": _("Enter a percent from 0 to 100."),
    }

    widget = forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"})

    def prepare_value(self, value: Any) -> Any:
        # The scheme's fraction (initial data) is shown as a percent; text the user
        # typed comes back as they typed it.
        if isinstance(value, (Decimal, Fraction)):
            return format_percent(value)
        return value

    def to_python(self, value: Any) -> Decimal | None:
        text = str(value or "").strip()
        if not text:
            return None
        try:
            fraction = parse_percent(text)
        except PercentError:
            raise ValidationError(self.error_messages["invalid"], code="invalid") from None
        if fraction > 1:
            raise ValidationError(self.error_messages["range"], code="range")
        return fraction


def stored_ratio(value: str) -> Decimal | str:
    """A rate or share as the model keeps it (``"0.005"``), for a percent field's initial."""
    try:
        return Decimal(value)
    except ArithmeticError:
        return value  # a fraction such as 1/3, shown as it is


PERCENT_HELP = _("A percent, such as 0,5 %.")


class SchemeForm(forms.Form):
    plan = MoneyField(label=_("Plan, ₽"), max_digits=14, decimal_places=2, localize=True)
    threshold = MoneyField(
        label=_("Threshold (break-even), ₽"),
        max_digits=14,
        decimal_places=2,
        localize=True,
        help_text=_("Collections up to here pay no bonus: base salaries pay for them."),
    )
    rate = PercentField(
        label=_("Rate, %"),
        help_text=_("Percent of collections above the threshold, such as 0,5 %."),
    )
    head_share = PercentField(label=_("Head's share, %"), help_text=PERCENT_HELP)
    team_sees_adjustments = forms.BooleanField(
        label=_("The team sees awards and deductions"),
        required=False,
        initial=True,
        help_text=_(
            "Once approved, every member of the department sees the awards and deductions "
            "with their reasons."
        ),
    )
    split = forms.ChoiceField(
        label=_("Split of the remainder"),
        choices=Split.choices,
        initial=Split.EQUAL,
        # Not posted (an older page): the scheme keeps its split.
        required=False,
        help_text=_(
            "Equally among the staff, or in proportion to the working days each was "
            "present: the shares of those away go to those who covered them."
        ),
    )
    reason = forms.CharField(
        label=_("Reason for the change"),
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Kept in the scheme's history."),
    )
    # The version of the scheme the page showed: a change made on an older one is refused.
    version = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=0)
    # Shown only once the threshold reaches the plan: such a scheme may be meant (a month
    # expected to pay nothing), but it is saved only when the director says so.
    threshold_confirmed = forms.BooleanField(
        label=_("Save anyway: this month pays no bonus even at plan"),
        required=False,
        widget=forms.HiddenInput,
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.disable_csrf = True

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        plan, threshold = cleaned.get("plan"), cleaned.get("threshold")
        if plan is None or threshold is None or threshold < plan:
            return cleaned
        # Asked once: the box appears with the warning, and is ticked to save.
        self.fields["threshold_confirmed"].widget = forms.CheckboxInput()
        if not cleaned.get("threshold_confirmed"):
            self.add_error(
                "threshold",
                _(
                    "The threshold is not below the plan: the bonus is (collected − "
                    "threshold) × rate, so this month pays no bonus even if the plan is "
                    "met. Lower the threshold, or tick “Save anyway” below."
                ),
            )
        return cleaned

    @classmethod
    def initial_from(cls, scheme: MonthlyScheme | None) -> dict[str, Any]:
        if scheme is None:
            return {}
        return {
            "plan": scheme.plan,
            "threshold": scheme.threshold,
            "rate": stored_ratio(scheme.rate),
            "head_share": stored_ratio(scheme.head_share),
            "team_sees_adjustments": scheme.team_sees_adjustments,
            "split": scheme.split,
            "version": scheme.version,
        }


class MilestoneForm(forms.Form):
    day = forms.IntegerField(label=_("By day"), min_value=1, max_value=31)
    share_of_plan = PercentField(label=_("Share of plan, %"))
    fraction = RatioField(label=_("Tranche of the pool"), max_length=40)
    day_rule = forms.ChoiceField(
        label=_("If a day off"),
        choices=DayRule.choices,
        initial=DayRule.CALENDAR,
        # Not posted (an older page): the gate keeps its calendar day.
        required=False,
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            field.widget.attrs["class"] = "form-control form-control-sm"
        self.fields["day_rule"].widget.attrs["class"] = "form-select form-select-sm"

    def has_changed(self) -> bool:
        # A blank row stays blank whatever its rule says: the rule alone is no milestone.
        return any(name != "day_rule" for name in self.changed_data)


class _MilestoneFormSet(forms.BaseFormSet):
    def rows(self) -> list[MilestoneRow]:
        """The kept rows as the scheme services take them: (day, share_of_plan, fraction).

        In day order: a milestone added in a blank row at the bottom may fall before others.
        """
        rows = [
            (
                form.cleaned_data["day"],
                form.cleaned_data["share_of_plan"],
                form.cleaned_data["fraction"],
                form.cleaned_data.get("day_rule") or DayRule.CALENDAR,
            )
            for form in self.forms
            if form.cleaned_data and not form.cleaned_data.get("DELETE")
        ]
        return sorted(rows, key=lambda row: row[0])


# Two blank rows let the director add milestones without any script.
MilestoneFormSet = forms.formset_factory(
    MilestoneForm, formset=_MilestoneFormSet, extra=2, can_delete=True, max_num=10
)


def milestone_initial(scheme: MonthlyScheme | None) -> list[dict[str, Any]]:
    if scheme is None:
        return []
    return [
        {
            "day": m.day,
            "share_of_plan": stored_ratio(m.share_of_plan),
            "fraction": m.fraction,
            "day_rule": m.day_rule,
        }
        for m in sorted(scheme.milestones.all(), key=lambda m: m.day)
    ]
