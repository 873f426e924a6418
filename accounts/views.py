from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch

from accounts import policy
from accounts.models import Role


def _start_page(user: object) -> str | None:
    """Each role's work: accountants the payroll, the director the periods, and so on."""
    if policy.is_accountant(user):
        return "payroll"
    if policy.is_director(user):
        return "period_list"
    if policy.has_role(user, Role.HEAD) or policy.has_role(user, Role.STAFF):
        return "dashboard"
    if policy.is_admin(user):
        return "payment_list"
    return None


@login_required
def home(request: HttpRequest) -> HttpResponse:
    name = _start_page(request.user)
    if name is not None:
        try:
            return redirect(name)
        except NoReverseMatch:
            pass
    return render(request, "home.html")
