"""Forms of the period workflow: the proposal grid and the small transition forms.

Amounts are text inputs localised to the page's language (``1 234,50`` in Russian);
the services parse and check them again with the engine, so a form is only a first,
friendly line of defence.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from django import forms
from django.utils.functional import lazy
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from compensation.models import PeriodMember, ProposalLine
from compensation.services import line_field
from core.months import parse_month
from payments.forms import MoneyField

MAX_AMOUNT = Decimal("99999999.99")
# Reasons and comments are kept whole (text columns); a form takes up to this many
# characters and says so.
MAX_TEXT = 2000
TEXT_HELP = lazy(lambda: gettext("Up to %(count)s characters.") % {"count": MAX_TEXT}, str)()


class TextField(forms.CharField):
    """Text from a text area, its line breaks as ``\n`` (browsers post ``\r\n``)."""

    def to_python(self, value: Any) -> str:
        return super().to_python(value).replace("\r\n", "\n").replace("\r", "\n")


def text_field(label: str, *, required: bool = True, rows: int = 2) -> forms.CharField:
    """A reason or a comment: a text area, its length limit said under it."""
    return TextField(
        label=label,
        required=required,
        max_length=MAX_TEXT,
        help_text=TEXT_HELP,
        widget=forms.Textarea(attrs={"rows": rows}),
    )


def money_field(label: str) -> MoneyField:
    return MoneyField(
        label=label,
        required=False,
        max_digits=14,
        decimal_places=2,
        min_value=Decimal("0"),
        max_value=MAX_AMOUNT,
        localize=True,
        widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}),
    )


class VersionForm(forms.Form):
    """Carries the version the user saw, so a stale page is refused, not applied."""

    expected_version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)


class CommentForm(VersionForm):
    comment = text_field(_("Comment"), required=False)


class RequiredCommentForm(VersionForm):
    comment = text_field(_("Comment for the head"), rows=3)


class ReasonForm(VersionForm):
    reason = text_field(_("Reason"), rows=3)


class PaidForm(VersionForm):
    """The accountant's confirmation that the payroll was paid, and on which day."""

    paid_on = forms.DateField(
        label=_("Paid on"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text=_("The day the bonuses were paid: not in the future, not before approval."),
    )


class ProposalForm(VersionForm):
    """One row per staff member: award, deduction and the reason for either.

    ``comment`` is the head's note to the commercial director, sent with the proposal.
    """

    comment = text_field(_("Comment for the commercial director (optional)"), required=False)

    def __init__(
        self,
        *args: Any,
        members: Sequence[PeriodMember],
        lines: dict[int, ProposalLine],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.members = members
        for member in members:
            pk = member.employee_id
            line = lines.get(pk)
            self.fields[line_field("award", pk)] = money_field(_("Award, ₽"))
            self.fields[line_field("deduction", pk)] = money_field(_("Deduction, ₽"))
            self.fields[line_field("reason", pk)] = text_field(_("Reason"), required=False)
            if line is not None and not self.is_bound:
                self.initial[line_field("award", pk)] = line.proposed_award or None
                self.initial[line_field("deduction", pk)] = line.proposed_deduction or None
                self.initial[line_field("reason", pk)] = line.reason

    def field_title(self, name: str) -> str:
        """Whose and which field ``name`` is, as a problem is headed: "Vasya, Reason"."""
        for member in self.members:
            for kind in ("award", "deduction", "reason"):
                if line_field(kind, member.employee_id) == name:
                    return f"{member.employee.full_name}, {self.fields[name].label}"
        return str(self.fields[name].label)

    def rows(self) -> list[dict[str, Any]]:
        """The bound fields grouped per person, for the template's table."""
        return [
            {
                "member": member,
                "award": self[line_field("award", member.employee_id)],
                "deduction": self[line_field("deduction", member.employee_id)],
                "reason": self[line_field("reason", member.employee_id)],
            }
            for member in self.members
        ]

    def lines(self) -> dict[int, tuple[Any, Any, str]]:
        data = self.cleaned_data
        return {
            member.employee_id: (
                data.get(line_field("award", member.employee_id)),
                data.get(line_field("deduction", member.employee_id)),
                data.get(line_field("reason", member.employee_id)) or "",
            )
            for member in self.members
        }


class EditLineForm(VersionForm):
    """The director's change to one person's line, kept beside the head's figures."""

    employee = forms.IntegerField(widget=forms.HiddenInput)
    award = money_field(_("Award, ₽"))
    deduction = money_field(_("Deduction, ₽"))
    reason = text_field(_("Reason for the change"))


COMPANY_FILES = ("standard.xlsx", "standard.csv", "zup.xlsx", "zup.csv")


class CompanyPayrollForm(forms.Form):
    """Which month, and which file, of the company's payroll."""

    month = forms.CharField(
        label=_("Month"), widget=forms.TextInput(attrs={"type": "month"}), max_length=7
    )
    file = forms.ChoiceField(label=_("File"), choices=[(name, name) for name in COMPANY_FILES])

    def clean_month(self) -> dt.date:
        month = parse_month(self.cleaned_data["month"])
        if month is None:
            raise forms.ValidationError(_("Give a month as YYYY-MM, within the years kept."))
        return month
