from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.i18n import set_language as django_set_language

from accounts import policy
from accounts.models import Role
from accounts.preferences import language_remember


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


def set_language(request: HttpRequest) -> HttpResponse:
    """Django's language switch, which also keeps the choice as the person's language
    for e-mails (``Employee.language``): mail is written while nobody's page is open."""
    response = django_set_language(request)
    if request.method == "POST":
        language_remember(user=request.user, language=request.POST.get("language", ""))
    return response
