"""The admin site, entered by whoever the access policy lets administer (not ``is_staff``)."""

from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest

from accounts import policy


class PolicyAdminSite(admin.AdminSite):
    def has_permission(self, request: HttpRequest) -> bool:
        return policy.can(request.user, policy.Action.ADMINISTER)
