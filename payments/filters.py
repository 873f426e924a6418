from __future__ import annotations

from typing import Any

import django_filters
from django import forms
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from payments.models import Payment, Source


class PaymentFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Client or INN"), method="search")
    department = django_filters.ModelChoiceFilter(label=_("Department"), queryset=None)
    received_from = django_filters.DateFilter(
        label=_("From"),
        field_name="received_on",
        lookup_expr="gte",
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    received_to = django_filters.DateFilter(
        label=_("To"),
        field_name="received_on",
        lookup_expr="lte",
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    source = django_filters.ChoiceFilter(label=_("Source"), choices=Source.choices)
    status = django_filters.ChoiceFilter(
        label=_("Status"),
        choices=[("counted", _("Counted")), ("void", _("Voided"))],
        method="by_status",
    )

    class Meta:
        model = Payment
        fields: list[str] = []

    def __init__(self, *args: Any, departments: QuerySet, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.filters["department"].queryset = departments
        fields = self.form.fields
        # The options from one plain read: a model choice widget iterates its queryset
        # through a server-side cursor (three round trips) every time it is drawn. The
        # field still checks a chosen department against the queryset.
        empty = fields["department"].empty_label
        fields["department"].widget.choices = [("", empty), *((d.pk, str(d)) for d in departments)]
        # Bootstrap's classes on the widgets themselves: the page draws each field with
        # a small include instead of crispy-forms, whose field template cost as much as
        # the whole table of payments.
        for field in fields.values():
            select = isinstance(field.widget, forms.Select)
            field.widget.attrs["class"] = "form-select" if select else "form-control"

    def search(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        value = value.strip()
        if value.isdigit():
            return queryset.filter(client__inn__startswith=value)
        return queryset.filter(Q(client__name__icontains=value) | Q(payer_name__icontains=value))

    def by_status(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        return queryset.filter(voided_at__isnull=value != "void")
