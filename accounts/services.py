"""People services: the figures about an employee that other parts of the app need."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from accounts.models import Employee
from core.money import KOPECK


def employee_base_salary(*, employee: Employee, month: dt.date) -> Decimal | None:
    """The base salary in force on the month's first day, or None if none was set yet.

    Uses the same one-query annotation as the month's payroll, so the two cannot differ.
    """
    salary = (
        Employee.objects.with_base_salary(month.replace(day=1))
        .filter(pk=employee.pk)
        .values_list("base_salary", flat=True)
        .first()
    )
    # SQLite drops the scale of a subquery's decimal (40000 for 40000.00).
    return None if salary is None else salary.quantize(KOPECK)
