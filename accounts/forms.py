"""Forms for people's records: an absence, and the HR system's file of absences."""

from __future__ import annotations

from typing import Any

from crispy_forms.helper import FormHelper
from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from accounts.models import AbsenceKind
from core.forms import TableFileForm

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class AbsenceForm(forms.Form):
    employee = forms.ModelChoiceField(label=_("Employee"), queryset=None)
    kind = forms.ChoiceField(label=_("Kind"), choices=AbsenceKind.choices)
    started_on = forms.DateField(label=_("From"), widget=DATE)
    ended_on = forms.DateField(label=_("To"), widget=DATE)
    note = forms.CharField(label=_("Note"), max_length=300, required=False)

    def __init__(self, *args: Any, people: QuerySet, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["employee"].queryset = people
        self.helper = FormHelper()
        self.helper.form_tag = False


class AbsenceImportForm(TableFileForm):
    file_label = _("File from the HR system")
    file_help = _("CSV or XLSX with the columns personnel number, kind, from, to.")


class AbsenceChangeForm(forms.Form):
    """A correction of an absence; whose it is does not change (remove it and record anew)."""

    kind = forms.ChoiceField(label=_("Kind"), choices=AbsenceKind.choices)
    started_on = forms.DateField(label=_("From"), widget=DATE)
    ended_on = forms.DateField(label=_("To"), widget=DATE)
    note = forms.CharField(label=_("Note"), max_length=300, required=False)
    reason = forms.CharField(
        label=_("Reason for the change"),
        max_length=100,
        help_text=_("Kept in the absence's history."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False


class AbsenceDeleteForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason for removing it"),
        max_length=100,
        widget=forms.TextInput(attrs={"id": "id_delete_reason"}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False
