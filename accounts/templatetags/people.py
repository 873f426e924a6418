"""How a person is named on a page: the employee's full name, else the login."""

from __future__ import annotations

from django import template
from django.utils.translation import gettext as _

from accounts.policy import SYSTEM

register = template.Library()


@register.filter
def person(user: object) -> str:
    # A record keeps no user for work the system did on its own (a scheme copied into a
    # new month, a command's import): it is named as such, not left blank.
    if user is None or user is SYSTEM:
        return _("system")
    employee = getattr(user, "employee", None)
    if employee is not None:
        return employee.full_name
    return user.get_full_name() or user.get_username()
