"""Integration tokens in the admin: made with the secret shown once, revoked, never
deleted (what a token could do stays on record)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext, gettext_lazy

from accounts.admin import PolicyAdminMixin
from api.models import ApiToken, IdempotentRequest
from api.tokens import api_token_revoke, issue_secret


@admin.register(ApiToken)
class ApiTokenAdmin(PolicyAdminMixin, admin.ModelAdmin):
    list_display = ["name", "prefix", "scope", "created_at", "last_used_at", "revoked_at"]
    list_filter = ["scope", "revoked_at"]
    search_fields = ["name", "prefix"]
    fields = ["name", "scope", "departments", "prefix", "created_by", "created_at",
              "last_used_at", "revoked_at"]  # fmt: skip
    readonly_fields = ["prefix", "created_by", "created_at", "last_used_at", "revoked_at"]
    filter_horizontal = ["departments"]
    actions = ["revoke"]

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def save_model(self, request: HttpRequest, obj: ApiToken, form: Any, change: bool) -> None:
        if change:
            super().save_model(request, obj, form, change)
            return
        obj.created_by = request.user
        secret = issue_secret(obj)
        super().save_model(request, obj, form, change)
        messages.warning(
            request,
            gettext(
                "The token's secret is %(secret)s. Copy it now: it is not stored and will "
                "not be shown again."
            )
            % {"secret": secret},
        )

    @admin.action(description=gettext_lazy("Revoke the selected tokens"))
    def revoke(self, request: HttpRequest, queryset: QuerySet[ApiToken]) -> None:
        for token in queryset:
            api_token_revoke(user=request.user, token=token)
        messages.success(request, gettext("The tokens were revoked."))


@admin.register(IdempotentRequest)
class IdempotentRequestAdmin(PolicyAdminMixin, admin.ModelAdmin):
    read_only = True
    list_display = ["principal", "key", "endpoint", "status", "created_at"]
    search_fields = ["principal", "key"]
