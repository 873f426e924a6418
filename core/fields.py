"""Form fields shared by every app: money as people type it."""

from __future__ import annotations

import re
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from core.numbers import has_foreign_digits

_EXPONENT = re.compile(r"[0-9.]\s*[eE]")


class MoneyField(forms.DecimalField):
    """An amount in roubles and kopecks, localised: the digits 0-9 and the locale's
    separators, nothing else.

    Django's DecimalField reads an exponent (``1e3``) and other scripts' digits ("١٢٣"
    as 123); people typing pay never mean either, and the imports refuse both too.
    """

    def to_python(self, value: Any) -> Any:
        if isinstance(value, str) and (_EXPONENT.search(value) or has_foreign_digits(value)):
            raise ValidationError(_("Enter the amount in digits, such as 1500.00."), code="invalid")
        return super().to_python(value)
