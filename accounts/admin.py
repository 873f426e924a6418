"""Admin for people: departments, employees, memberships and base salaries, with history."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.contrib.auth.admin import GroupAdmin, UserAdmin
from django.contrib.auth.models import Group, User
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest
from django.utils.translation import gettext, gettext_lazy
from import_export.admin import ImportExportModelAdmin
from simple_history.admin import SimpleHistoryAdmin

from accounts import policy
from accounts.absences import absence_record, check_absence, check_no_overlap, may_record
from accounts.models import Absence, BaseSalary, Department, Employee, Membership
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


class AbsenceAdminForm(forms.ModelForm):
    """An absence as the services check it: the refusal shown at its field, not a crash."""

    change_reason = forms.CharField(
        label=gettext_lazy("Reason for the change"),
        max_length=100,
        required=False,
        help_text=gettext_lazy("Kept in the absence's history."),
    )

    class Meta:
        model = Absence
        fields = ["employee", "kind", "started_on", "ended_on", "note"]

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if self.errors:
            return data
        try:
            if self.instance.pk is None:
                self._check_record(data)
            else:
                self._check_update(data)
        except ValidationError as error:
            self._add_refusal(error)
        except PermissionDenied:
            self.add_error("employee", gettext("You do not record absences for this employee."))
        return data

    def _check_record(self, data: dict[str, Any]) -> None:
        check_absence(data["kind"], data["started_on"], data["ended_on"])
        if not may_record(self.user, data["employee"], data["started_on"], data["ended_on"]):
            raise PermissionDenied
        check_no_overlap(data["employee"], data["started_on"], data["ended_on"])

    def _check_update(self, data: dict[str, Any]) -> None:
        from payments.absence_changes import absence_update_check  # see AbsenceAdmin

        if data["employee"] != Absence.objects.get(pk=self.instance.pk).employee:
            raise ValidationError(
                {"employee": gettext("Remove the absence and record it for the right person.")}
            )
        absence_update_check(
            user=self.user,
            absence=self.instance,
            kind=data["kind"],
            started_on=data["started_on"],
            ended_on=data["ended_on"],
            reason=data.get("change_reason", ""),
        )

    def _add_refusal(self, error: ValidationError) -> None:
        if not hasattr(error, "error_dict"):
            self.add_error(None, error)
            return
        for name, errors in error.error_dict.items():
            field = {"reason": "change_reason"}.get(name, name)
            self.add_error(field if field in self.fields else None, errors)


@admin.register(Absence)
class AbsenceAdmin(PolicyAdminMixin, SimpleHistoryAdmin):
    """Absences, written by the same services as the absences pages.

    A correction or a removal moves the covers handed over for the absence, which is the
    payments floor's work (``payments.absence_changes``): imported where it is called, as
    the admin is the one place on this floor that offers it.
    """

    form = AbsenceAdminForm
    list_display = ["employee", "kind", "started_on", "ended_on", "recorded_by"]
    list_select_related = ["employee", "recorded_by"]
    list_filter = ["kind", "employee__memberships__department"]
    search_fields = ["employee__full_name", "employee__personnel_number", "note"]
    date_hierarchy = "started_on"
    autocomplete_fields = ["employee"]
    readonly_fields = ["recorded_by", "recorded_at"]

    def get_form(self, request: HttpRequest, obj: Any = None, **kwargs: Any) -> Any:
        form = super().get_form(request, obj, **kwargs)
        form.user = request.user
        return form

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        # No removal offered while one of its days is in a closed month: it would be refused.
        from payments.absence_changes import absence_closed_months

        allowed = super().has_delete_permission(request, obj)
        return allowed and (obj is None or not absence_closed_months(obj))

    def save_model(self, request: HttpRequest, obj: Absence, form: Any, change: bool) -> None:
        from payments.absence_changes import absence_update

        data = form.cleaned_data
        fields = {name: data[name] for name in ("kind", "started_on", "ended_on", "note")}
        if change:
            saved = absence_update(
                user=request.user, absence=obj, reason=data["change_reason"], **fields
            )
        else:
            saved = absence_record(user=request.user, employee=data["employee"], **fields)
        obj.pk = saved.pk

    def delete_model(self, request: HttpRequest, obj: Absence) -> None:
        from payments.absence_changes import absence_delete

        absence_delete(
            user=request.user, absence=obj, reason=gettext("Removed in the administration site")
        )

    def get_actions(self, request: HttpRequest) -> dict[str, Any]:
        # One at a time, through its confirmation page: a removal may be refused.
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)
        return actions


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
