"""How a person is named on a page: the employee's full name, else the login."""

from __future__ import annotations

from django import template

register = template.Library()


@register.filter
def person(user: object) -> str:
    if user is None:
        return "—"
    employee = getattr(user, "employee", None)
    if employee is not None:
        return employee.full_name
    return user.get_full_name() or user.get_username()
