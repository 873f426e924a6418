from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from accounts import policy
from accounts.models import Role


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """The start page: what needs this person now, by role (see ``compensation.worklist``)."""
    from compensation.worklist import worklist

    user = request.user
    return render(
        request,
        "home.html",
        {
            "work": worklist(user),
            "has_role": policy.has_any_role(user),
            "sees_collections": policy.can(user, policy.Action.VIEW_DEPARTMENT),
            "is_admin": policy.is_admin(user),
            "has_duties": policy.has_role(user, Role.HEAD)
            or policy.can(user, policy.Action.REVIEW)
            or policy.can(user, policy.Action.VIEW_PAYROLL),
        },
    )
