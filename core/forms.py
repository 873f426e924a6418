"""Forms' shared parts: a service's refusal put on the form the user posted, and the
form of a short file brought in by hand."""

from __future__ import annotations

from typing import Any

from crispy_forms.helper import FormHelper
from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy


def add_service_error(form: forms.BaseForm, error: ValidationError) -> None:
    """Add ``error`` to ``form``: at its field when the form has one, else above the form.

    Services name what they refuse in their own words (``payment``, ``period``…), which
    are often not fields of the form; Django's ``add_error`` raises for those.
    """
    if not hasattr(error, "error_dict"):
        form.add_error(None, error)
        return
    for name, errors in error.error_dict.items():
        field = name if name in form.fields else None
        form.add_error(field, errors)


class TableFileForm(forms.Form):
    """A short CSV or XLSX file a person brings in (``core.tables``), with "check only".

    Subclasses name the file: ``file_label`` and ``file_help``.
    """

    max_bytes = 5 * 1024 * 1024
    file_label: Any = ""
    file_help: Any = ""

    file = forms.FileField()
    dry_run = forms.BooleanField(label=gettext_lazy("Check only, save nothing"), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["file"].label = self.file_label
        self.fields["file"].help_text = self.file_help
        self.helper = FormHelper()
        self.helper.form_tag = False

    def clean_file(self) -> Any:
        file = self.cleaned_data["file"]
        if file.size > self.max_bytes:
            raise ValidationError(gettext_lazy("The file is larger than 5 MB."))
        return file
