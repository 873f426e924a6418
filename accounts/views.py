from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch

from accounts import policy


@login_required
def home(request: HttpRequest) -> HttpResponse:
    name = policy.start_page(request.user)
    if name is not None:
        try:
            return redirect(name)
        except NoReverseMatch:
            pass
    return render(request, "home.html")
