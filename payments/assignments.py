"""Who is responsible for a client, and handing a client over (leave cover and back).

``ClientAssignment`` rows are the history; ``Client.responsible`` mirrors the latest one
so that recording a payment needs no look-up in the history.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from accounts.models import Employee, Membership
from payments.models import Client, ClientAssignment

ONE_DAY = dt.timedelta(days=1)


def _in_force_on(day: dt.date) -> Q:
    return Q(started_on__lte=day) & (Q(ended_on__isnull=True) | Q(ended_on__gte=day))


def works_in_department_on(employee: Employee, client: Client, day: dt.date) -> bool:
    """A staff member of the client's department on ``day``, or the department's head."""
    if client.department.head_id == employee.pk:
        return True
    return Membership.objects.filter(
        _in_force_on(day), employee=employee, department_id=client.department_id
    ).exists()


def client_responsible_on(client: Client, day: dt.date) -> Employee | None:
    """Who had the client on ``day`` according to the assignment history."""
    assignment = (
        ClientAssignment.objects.filter(_in_force_on(day), client=client)
        .select_related("employee")
        .first()
    )
    return None if assignment is None else assignment.employee


def _refuse(field: str, message: str, code: str, **params: Any) -> ValidationError:
    return ValidationError({field: ValidationError(message, code=code, params=params)})


def _check_handover(
    client: Client, employee: Employee, on: dt.date, current: ClientAssignment | None
) -> None:
    if not works_in_department_on(employee, client, on):
        raise _refuse(
            "employee",
            _("%(employee)s does not work in %(department)s on %(date)s."),
            "not_in_department",
            employee=employee,
            department=client.department,
            date=on,
        )
    if current is not None and current.employee_id == employee.pk:
        raise _refuse(
            "employee",
            _("%(employee)s is already responsible for this client."),
            "already_responsible",
            employee=employee,
        )
    # The current holder keeps the client until the day before; that day must exist.
    if current is not None and on <= current.started_on:
        raise _refuse(
            "on",
            _("The handover date must be after %(date)s, when the current assignment began."),
            "before_current",
            date=current.started_on,
        )


@transaction.atomic
def client_reassign(
    *, user: Any, client: Client, employee: Employee, on: dt.date, reason: str
) -> ClientAssignment:
    """Hand ``client`` to ``employee`` from ``on``; the previous holder keeps it until then.

    Raises ValidationError (nothing saved) if the employee is not in the client's
    department on that date, already holds the client, or ``on`` is not after the start
    of the current assignment.
    """
    # Lock the client row so two handovers at once cannot both close the same assignment.
    Client.objects.select_for_update().filter(pk=client.pk).values_list("pk").get()
    current = ClientAssignment.objects.filter(client=client, ended_on__isnull=True).first()
    _check_handover(client, employee, on, current)
    if current is not None:
        current.ended_on = on - ONE_DAY
        current.save(update_fields=["ended_on"])
    assignment = ClientAssignment.objects.create(
        client=client, employee=employee, started_on=on, reason=reason, assigned_by=user
    )
    client.responsible = employee
    client.save(update_fields=["responsible"])
    return assignment
