"""Putting a service's refusal on the form the user posted."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError


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
