"""Spreadsheet import and export of people for the admin (django-import-export).

People are named by personnel number and departments by name, as a personnel
department's spreadsheet has them, never by database id.
"""

from __future__ import annotations

from import_export import fields
from import_export.widgets import ForeignKeyWidget

from accounts.models import BaseSalary, Department, Employee, Membership
from core.resources import InertModelResource


def _employee_field() -> fields.Field:
    return fields.Field(
        attribute="employee",
        column_name="personnel_number",
        widget=ForeignKeyWidget(Employee, field="personnel_number"),
    )


class DepartmentResource(InertModelResource):
    class Meta:
        model = Department
        fields = ("name",)
        import_id_fields = ("name",)


class EmployeeResource(InertModelResource):
    class Meta:
        model = Employee
        fields = ("personnel_number", "full_name", "position")
        import_id_fields = ("personnel_number",)
        # A login is linked in the admin; a sheet only updates existing people.
        skip_unchanged = True


class MembershipResource(InertModelResource):
    employee = _employee_field()
    department = fields.Field(
        attribute="department",
        column_name="department",
        widget=ForeignKeyWidget(Department, field="name"),
    )

    class Meta:
        model = Membership
        fields = ("employee", "department", "started_on", "ended_on")
        import_id_fields = ("employee", "started_on")


class BaseSalaryResource(InertModelResource):
    employee = _employee_field()

    class Meta:
        model = BaseSalary
        fields = ("employee", "amount", "effective_from")
        import_id_fields = ("employee", "effective_from")
