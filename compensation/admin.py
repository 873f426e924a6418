"""Admin pages for schemes and periods: history to read, no workflow to bypass.

Every change to a scheme, a period or a proposal goes through ``compensation.services``
(policy check, row lock, version check, event row). The admin therefore shows these
records and their django-simple-history log but does not change them.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest
from simple_history.admin import SimpleHistoryAdmin

from accounts import policy
from accounts.admin import PolicyAdminMixin
from compensation.models import (
    BonusPeriod,
    MonthlyScheme,
    PayLine,
    PeriodEvent,
    PeriodMember,
    ProposalLine,
    Revision,
    SchemeMilestone,
)


class ReadOnlyMixin(PolicyAdminMixin):
    """No add, change or delete: the record is written by the services only."""

    read_only = True


class MilestoneInline(ReadOnlyMixin, admin.TabularInline):
    model = SchemeMilestone
    extra = 0


@admin.register(MonthlyScheme)
class MonthlySchemeAdmin(ReadOnlyMixin, SimpleHistoryAdmin):
    # Edits go through scheme_update: the engine's validation and the closed-month rule.
    list_display = ["department", "month", "plan", "threshold", "rate", "head_share"]
    list_filter = ["department"]
    date_hierarchy = "month"
    inlines = [MilestoneInline]


class MemberInline(ReadOnlyMixin, admin.TabularInline):
    model = PeriodMember
    extra = 0


@admin.register(BonusPeriod)
class BonusPeriodAdmin(PolicyAdminMixin, SimpleHistoryAdmin):
    list_display = ["department", "month", "state", "revision", "version", "collected"]
    list_filter = ["state", "department"]
    date_hierarchy = "month"
    inlines = [MemberInline]
    readonly_fields = [
        "state",
        "version",
        "revision",
        "closed_at",
        "closed_by",
        "frozen_scheme",
        "collected",
        "payment_count",
        "daily_totals",
        "head",
        "head_base_salary",
    ]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        # A new period may be opened here; once it exists only the services change it.
        if obj is None:
            return self.readonly_fields
        return ["department", "month", *self.readonly_fields]

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        # From close on the period holds frozen figures and, later, approved pay: the
        # admin only shows it (a posted change is a 403, not a silent no-op).
        if obj is not None and obj.closed_at is not None:
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Revision)
class RevisionAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ["period", "number", "proposed_by", "approved_by", "approved_at", "paid_at"]
    list_filter = ["period__department"]


@admin.register(ProposalLine)
class ProposalLineAdmin(ReadOnlyMixin, SimpleHistoryAdmin):
    list_display = [
        "revision",
        "employee",
        "proposed_award",
        "proposed_deduction",
        "approved_award",
        "approved_deduction",
    ]
    list_filter = ["revision__period__department"]

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        # People's awards and deductions with their reasons: the policy decides whose.
        return policy.visible_proposal_lines(request.user)


@admin.register(PayLine)
class PayLineAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ["revision", "employee", "is_head", "base_salary", "bonus", "total"]
    list_filter = ["revision__period__department"]

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        # The administrator manages people, not their pay: the policy decides.
        return policy.visible_pay_lines(request.user)


@admin.register(PeriodEvent)
class PeriodEventAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ["period", "revision", "action", "from_state", "to_state", "actor", "at"]
    list_filter = ["action", "period__department"]
