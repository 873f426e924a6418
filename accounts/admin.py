"""Admin for people: departments, employees, memberships and base salaries, with history."""

from __future__ import annotations

from django.contrib import admin
from import_export.admin import ImportExportModelAdmin
from simple_history.admin import SimpleHistoryAdmin

from accounts.models import BaseSalary, Department, Employee, Membership
from accounts.resources import (
    BaseSalaryResource,
    DepartmentResource,
    EmployeeResource,
    MembershipResource,
)


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    fields = ["department", "started_on", "ended_on"]


class BaseSalaryInline(admin.TabularInline):
    model = BaseSalary
    extra = 0
    fields = ["amount", "effective_from"]


@admin.register(Department)
class DepartmentAdmin(ImportExportModelAdmin, SimpleHistoryAdmin):
    resource_classes = [DepartmentResource]
    list_display = ["name", "head"]
    list_select_related = ["head"]
    search_fields = ["name", "head__full_name"]
    autocomplete_fields = ["head"]


@admin.register(Employee)
class EmployeeAdmin(ImportExportModelAdmin, SimpleHistoryAdmin):
    resource_classes = [EmployeeResource]
    list_display = ["full_name", "personnel_number", "position", "user"]
    list_select_related = ["user"]
    search_fields = ["full_name", "personnel_number", "position", "user__username"]
    list_filter = ["memberships__department", "user__is_active"]
    autocomplete_fields = ["user"]
    inlines = [MembershipInline, BaseSalaryInline]


@admin.register(Membership)
class MembershipAdmin(ImportExportModelAdmin, SimpleHistoryAdmin):
    resource_classes = [MembershipResource]
    list_display = ["employee", "department", "started_on", "ended_on"]
    list_select_related = ["employee", "department"]
    search_fields = ["employee__full_name", "employee__personnel_number", "department__name"]
    list_filter = ["department", ("ended_on", admin.EmptyFieldListFilter)]
    date_hierarchy = "started_on"
    autocomplete_fields = ["employee", "department"]


@admin.register(BaseSalary)
class BaseSalaryAdmin(ImportExportModelAdmin, SimpleHistoryAdmin):
    resource_classes = [BaseSalaryResource]
    list_display = ["employee", "amount", "effective_from"]
    list_select_related = ["employee"]
    search_fields = ["employee__full_name", "employee__personnel_number"]
    list_filter = ["effective_from", "employee__memberships__department"]
    date_hierarchy = "effective_from"
    autocomplete_fields = ["employee"]
