"""A period's history names people, not their personnel codes."""

from __future__ import annotations

from django import template

from accounts.models import Employee

register = template.Library()


@register.filter
def staff_name(personnel_number: str) -> str:
    """The full name of whoever has ``personnel_number``, else the number itself.

    Event details keep the number (it never changes); the page shows the name. A history
    lists a few edits, so one look-up each is cheap.
    """
    name = (
        Employee.objects.filter(personnel_number=personnel_number)
        .values_list("full_name", flat=True)
        .first()
    )
    return name or str(personnel_number)
