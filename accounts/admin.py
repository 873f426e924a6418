"""Admin for people: departments, employees, memberships and base salaries, with history."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.contrib.auth.admin import GroupAdmin, UserAdmin
from django.contrib.auth.models import Group, User
from django.http import HttpRequest
from import_export.admin import ImportExportModelAdmin
from simple_history.admin import SimpleHistoryAdmin

from accounts import policy
from accounts.models import BaseSalary, Department, Employee, Membership
from accounts.resources import (
    BaseSalaryResource,
    DepartmentResource,
    EmployeeResource,
    MembershipResource,
)
from core.admin_guards import AdminInputGuardMixin
from core.models import CalendarDay


class PolicyAdminMixin(AdminInputGuardMixin):
    """The admin's permission hooks, answered by the access policy (``Action.ADMINISTER``)
    rather than by Django's per-model permissions; ``read_only`` records (written by the
    services only) are shown and never added, changed or deleted here."""

    read_only = False

    def _may(self, request: HttpRequest, obj: Any = None) -> bool:
        return policy.can(request.user, policy.Action.ADMINISTER, obj)

    def has_module_permission(self, request: HttpRequest) -> bool:
        return self._may(request)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._may(request, obj)

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return not self.read_only and self._may(request)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return not self.read_only and self._may(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return not self.read_only and self._may(request, obj)

    # django-import-export's spreadsheet screens.
    def has_import_permission(self, request: HttpRequest) -> bool:
        return self._may(request)

    def has_export_permission(self, request: HttpRequest) -> bool:
        return self._may(request)


class MembershipInline(PolicyAdminMixin, admin.TabularInline):
    model = Membership
    extra = 0
    fields = ["department", "started_on", "ended_on"]


class BaseSalaryInline(PolicyAdminMixin, admin.TabularInline):
    model = BaseSalary
    extra = 0
    fields = ["amount", "effective_from"]


@admin.register(Department)
class DepartmentAdmin(PolicyAdminMixin, ImportExportModelAdmin, SimpleHistoryAdmin):
    resource_classes = [DepartmentResource]
    list_display = ["name", "head"]
    list_select_related = ["head"]
    search_fields = ["name", "head__full_name"]
    autocomplete_fields = ["head"]


@admin.register(Employee)
class EmployeeAdmin(PolicyAdminMixin, ImportExportModelAdmin, SimpleHistoryAdmin):
    resource_classes = [EmployeeResource]
    list_display = ["full_name", "personnel_number", "position", "user"]
    list_select_related = ["user"]
    search_fields = ["full_name", "personnel_number", "position", "user__username"]
    list_filter = ["memberships__department", "user__is_active"]
    autocomplete_fields = ["user"]
    inlines = [MembershipInline, BaseSalaryInline]


@admin.register(Membership)
class MembershipAdmin(PolicyAdminMixin, ImportExportModelAdmin, SimpleHistoryAdmin):
    resource_classes = [MembershipResource]
    list_display = ["employee", "department", "started_on", "ended_on"]
    list_select_related = ["employee", "department"]
    search_fields = ["employee__full_name", "employee__personnel_number", "department__name"]
    list_filter = ["department", ("ended_on", admin.EmptyFieldListFilter)]
    date_hierarchy = "started_on"
    autocomplete_fields = ["employee", "department"]


@admin.register(BaseSalary)
class BaseSalaryAdmin(PolicyAdminMixin, ImportExportModelAdmin, SimpleHistoryAdmin):
    resource_classes = [BaseSalaryResource]
    list_display = ["employee", "amount", "effective_from"]
    list_select_related = ["employee"]
    search_fields = ["employee__full_name", "employee__personnel_number"]
    list_filter = ["effective_from", "employee__memberships__department"]
    date_hierarchy = "effective_from"
    autocomplete_fields = ["employee"]


# Django's own pages for logins and groups, behind the same policy.
admin.site.unregister(User)
admin.site.unregister(Group)


@admin.register(User)
class PolicyUserAdmin(PolicyAdminMixin, UserAdmin):
    pass


@admin.register(Group)
class PolicyGroupAdmin(PolicyAdminMixin, GroupAdmin):
    pass


@admin.register(CalendarDay)
class CalendarDayAdmin(PolicyAdminMixin, SimpleHistoryAdmin):
    """The company's calendar: holidays and transferred working days (core/calendar.py)."""

    list_display = ["day", "is_working", "name", "edited_by"]
    list_filter = ["is_working"]
    date_hierarchy = "day"
    search_fields = ["name"]
    readonly_fields = ["edited_by"]

    def save_model(self, request: HttpRequest, obj: CalendarDay, form: Any, change: bool) -> None:
        obj.edited_by = request.user
        super().save_model(request, obj, form, change)
