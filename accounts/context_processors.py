"""The navigation bar: which pages this user may reach, decided by the policy, and how
many things wait for the user on each (``compensation.worklist.counters``)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _

from accounts import policy

# (url name, label, the action the policy must grant, with no record named)
_ITEMS = (
    ("dashboard", _("Collections"), policy.Action.VIEW_DEPARTMENT),
    ("my_bonus", _("My bonus"), policy.Action.VIEW_OWN_BONUS),
    ("period_list", _("Bonus periods"), policy.Action.VIEW_PERIOD),
    ("payment_list", _("Payments"), policy.Action.VIEW_PAYMENTS),
    ("payroll", _("Payroll"), policy.Action.VIEW_PAYROLL),
    ("absence_list", _("Absences"), policy.Action.MANAGE_ABSENCES),
    ("admin:index", _("Administration"), policy.Action.ADMINISTER),
    # The director's company views, and a department's year (the director's, a head's).
    ("director", _("Director"), policy.Action.VIEW_COMPANY),
    ("year_start", _("The year"), policy.Action.VIEW_DEPARTMENT_YEAR),
)


def navigation(request: HttpRequest) -> dict[str, Any]:
    user = request.user
    if not user.is_authenticated:
        return {}
    from compensation.worklist import counters

    waiting = counters(user)
    items = []
    for name, label, action in _ITEMS:
        try:
            url = reverse(name)
        except NoReverseMatch:
            continue
        if policy.can(user, action):
            items.append(
                {
                    "url": url,
                    "label": label,
                    "active": request.path.startswith(url) and url != "/",
                    "count": waiting.get(name, 0),
                }
            )
    employee = policy.employee_of(user)
    return {
        "nav_items": items,
        "nav_user_name": employee.full_name if employee else user.get_username(),
    }
