"""The team's what-if on the dashboard: an amount and the day it comes by."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from payments.forms import MoneyField
from payments.selectors import month_bounds


class WhatIfForm(forms.Form):
    amount = MoneyField(
        label=_("Collect this much more, ₽"),
        max_digits=14,
        decimal_places=2,
        min_value=Decimal("0.00"),
        localize=True,
    )
    by = forms.DateField(
        label=_("by"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )

    def __init__(self, *args: Any, month: dt.date, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.first, self.last = month_bounds(month)
        for field in self.fields.values():
            field.widget.attrs["class"] = "form-control"

    def clean_by(self) -> dt.date:
        day = self.cleaned_data["by"]
        if not self.first <= day <= self.last:
            raise forms.ValidationError(_("Pick a day of the month shown."))
        return day
