from __future__ import annotations

from decimal import Decimal
from typing import Any

from crispy_forms.helper import FormHelper
from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from core.fields import MoneyField
from payments.importing import rules
from payments.models import Client, ImportFormat

MAX_UPLOAD_BYTES = 200 * 1024 * 1024


class _CrispyForm(forms.Form):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False


class PaymentForm(_CrispyForm):
    client = forms.ModelChoiceField(label=_("Client"), queryset=Client.objects.none())
    amount = MoneyField(
        label=_("Amount, ₽"),
        max_digits=14,
        decimal_places=2,
        min_value=Decimal("0.01"),
        localize=True,
    )
    received_on = forms.DateField(
        label=_("Received on"), widget=forms.DateInput(attrs={"type": "date"})
    )
    reference = forms.CharField(
        label=_("Reference"),
        required=False,
        max_length=150,
        help_text=_(
            "The bank document number. With it, the same client, day, amount and number "
            "cannot be recorded twice; without it, they can."
        ),
    )
    purpose = forms.CharField(
        label=_("Purpose"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args: Any, clients: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["client"].queryset = clients

    def clean_received_on(self) -> Any:
        # The same date rules as every import: not in the future, not before 2000.
        value = self.cleaned_data["received_on"]
        try:
            return rules.clean_date(value)
        except ValidationError as error:
            raise ValidationError(error.messages) from None


class VoidForm(_CrispyForm):
    reason = forms.CharField(
        label=_("Reason"),
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Why the payment is wrong; it stays on record as void."),
    )


class ImportUploadForm(_CrispyForm):
    file = forms.FileField(
        label=_("Statement or file"),
        help_text=_(
            "1C bank statement, camt.053 XML, CSV or XLSX (date, amount, client, reference)."
        ),
    )
    format = forms.ChoiceField(
        label=_("Format"),
        choices=[("auto", _("Recognise automatically")), *ImportFormat.choices],
        initial="auto",
    )

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        if upload.size > MAX_UPLOAD_BYTES:
            raise ValidationError(
                _("The file is larger than %(size)d MB."),
                params={"size": MAX_UPLOAD_BYTES // (1024 * 1024)},
            )
        if upload.size == 0:
            raise ValidationError(_("The file is empty."))
        return upload


class AssignForm(_CrispyForm):
    client = forms.ModelChoiceField(label=_("Client"), queryset=Client.objects.none())
    reason = forms.CharField(label=_("Reason, if the INN differs"), required=False, max_length=500)

    def __init__(self, *args: Any, clients: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["client"].queryset = clients
