from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import django_filters
from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from payments.forms import MoneyField, _CrispyForm
from payments.models import Client, ClientMonthBalance

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
# A month of invoices of a large company (10,000 clients) is well under a megabyte.
MAX_INVOICE_FILE_BYTES = 20 * 1024 * 1024
# Further back than any invoice a list holds: a larger figure is a mistake.
MAX_OVERDUE_DAYS = 3660


class OutstandingFilter(django_filters.FilterSet):
    """The outstanding list narrowed by a client's size (invoiced this month) and by how
    many days their money is overdue (the earliest due date of an invoice still open)."""

    min_invoiced = django_filters.NumberFilter(
        label=_("Invoiced at least, ₽"), field_name="invoiced", lookup_expr="gte", min_value=0
    )
    min_overdue = django_filters.NumberFilter(
        label=_("Overdue at least, days"),
        method="by_overdue",
        min_value=0,
        max_value=MAX_OVERDUE_DAYS,
        decimal_places=0,
    )

    class Meta:
        model = ClientMonthBalance
        fields: list[str] = []

    def __init__(self, *args: Any, today: dt.date, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.today = today
        for field in self.form.fields.values():
            field.widget.attrs["class"] = "form-control"

    def by_overdue(self, queryset: QuerySet, name: str, value: Decimal) -> QuerySet:
        if not value:
            return queryset
        return queryset.filter(overdue_from__lte=self.today - dt.timedelta(days=int(value)))


class PromiseForm(_CrispyForm):
    client = forms.TypedChoiceField(label=_("Client"), coerce=int)
    called_on = forms.DateField(label=_("Called on"), widget=DATE)
    promised_on = forms.DateField(label=_("Promised to pay on"), widget=DATE)
    amount = MoneyField(
        label=_("Amount promised, ₽"),
        max_digits=14,
        decimal_places=2,
        min_value=Decimal("0.01"),
        localize=True,
    )
    invoice = forms.CharField(
        label=_("Invoice number"),
        required=False,
        max_length=100,
        help_text=_("When the promise is for one invoice: its number."),
    )
    note = forms.CharField(label=_("Note"), required=False, max_length=500)

    def __init__(self, *args: Any, clients: list[Client], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["client"].choices = [(c.pk, c.name) for c in clients]

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        called, promised = data.get("called_on"), data.get("promised_on")
        if called and promised and promised < called:
            self.add_error("promised_on", _("A promise is to pay on or after the call."))
        return data


class InvoiceUploadForm(_CrispyForm):
    file = forms.FileField(
        label=_("Invoices file"),
        help_text=_("CSV or XLSX from the billing system: INN, number, date, amount, due date."),
    )
    format = forms.ChoiceField(label=_("Format"), choices=[("csv", "CSV"), ("xlsx", "XLSX")])

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        if upload.size == 0:
            raise forms.ValidationError(_("The file is empty."))
        if upload.size > MAX_INVOICE_FILE_BYTES:
            raise forms.ValidationError(
                _("The file is larger than %(size)d MB."),
                params={"size": MAX_INVOICE_FILE_BYTES // (1024 * 1024)},
            )
        return upload


class InvoiceForm(_CrispyForm):
    client = forms.ModelChoiceField(label=_("Client"), queryset=Client.objects.none())
    number = forms.CharField(label=_("Number"), max_length=100)
    issued_on = forms.DateField(label=_("Invoice date"), widget=DATE)
    due_on = forms.DateField(label=_("Due on"), widget=DATE)
    amount = MoneyField(
        label=_("Amount, ₽"),
        max_digits=14,
        decimal_places=2,
        min_value=Decimal("0.01"),
        localize=True,
    )

    def __init__(self, *args: Any, clients: QuerySet, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["client"].queryset = clients
