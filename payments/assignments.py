"""Who is responsible for a client, and handing a client over (leave cover and back).

``ClientAssignment`` rows are the history, with end dates: a hand-over for an absence
is a row from its first day to its last, and the previous holder's row resumes the day
after, so nobody has to remember to hand the client back. ``Client.responsible`` is the
holder in force today: set by every hand-over, and moved on the day a cover ends by the
daily ``refresh_responsible`` command. Each payment keeps who held its client on the
day it arrived (``Payment.responsible``); a hand-over with past dates re-derives it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Absence, Employee, Membership
from accounts.policy import Action, require
from payments.models import Client, ClientAssignment, Payment

ONE_DAY = dt.timedelta(days=1)


def _in_force_on(day: dt.date, prefix: str = "") -> Q:
    return Q(**{f"{prefix}started_on__lte": day}) & (
        Q(**{f"{prefix}ended_on__isnull": True}) | Q(**{f"{prefix}ended_on__gte": day})
    )


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


def responsible_id_on(client: Client, day: dt.date) -> int | None:
    """Who a payment of ``client`` arriving on ``day`` is credited to: the holder of the
    day from the history, else (a day before the history starts) the holder today."""
    employee_id = (
        ClientAssignment.objects.filter(_in_force_on(day), client=client)
        .values_list("employee_id", flat=True)
        .first()
    )
    return client.responsible_id if employee_id is None else employee_id


def _refuse(field: str, message: str, code: str, **params: Any) -> ValidationError:
    return ValidationError({field: ValidationError(message, code=code, params=params)})


def _check_works_there(client: Client, employee: Employee, on: dt.date) -> None:
    if not works_in_department_on(employee, client, on):
        raise _refuse(
            "employee",
            _("%(employee)s does not work in %(department)s on %(date)s."),
            "not_in_department",
            employee=employee,
            department=client.department,
            date=on,
        )


def _check_handover(
    client: Client, employee: Employee, on: dt.date, current: ClientAssignment | None
) -> None:
    _check_works_there(client, employee, on)
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


def _check_cover(
    client: Client, employee: Employee, on: dt.date, until: dt.date, held: ClientAssignment | None
) -> ClientAssignment:
    """A cover for dates must fall inside one holder's time with the client."""
    if until < on:
        raise _refuse("until", _("The last day cannot be before the first."), "until_before_on")
    if held is None:
        raise _refuse(
            "on",
            _("Nobody is responsible for this client on %(date)s to hand it over."),
            "nobody_holds",
            date=on,
        )
    if held.ended_on is not None and until > held.ended_on:
        raise _refuse(
            "until",
            _("The client changes hands on %(date)s: end this hand-over by then."),
            "crosses_handover",
            date=held.ended_on + ONE_DAY,
        )
    _check_works_there(client, employee, on)
    if held.employee_id == employee.pk:
        raise _refuse(
            "employee",
            _("%(employee)s is already responsible for this client on these dates."),
            "already_responsible",
            employee=employee,
        )
    return held


@transaction.atomic
def client_reassign(
    *,
    user: Any,
    client: Client,
    employee: Employee,
    on: dt.date,
    reason: str,
    until: dt.date | None = None,
) -> ClientAssignment:
    """Hand ``client`` to ``employee`` from ``on`` (to ``until``, both included, if given).

    Without ``until`` the hand-over is for good: the previous holder keeps the client
    until the day before. With it, the holder of those days keeps the days before and
    gets the client back the day after ``until``. Payments already recorded for the
    dates are credited to the new holder. Raises ValidationError (nothing saved) if the
    employee is not in the client's department on ``on``, already holds the client, or
    the dates do not fall inside one holder's time.
    """
    # Lock the client row so two handovers at once cannot both close the same assignment.
    Client.objects.select_for_update().filter(pk=client.pk).values_list("pk").get()
    if until is None:
        assignment = _hand_over_for_good(user, client, employee, on, reason)
    else:
        assignment = _hand_over_for_dates(user, client, employee, on, until, reason)
    _refresh_responsible(client, assignment.employee)
    payments_recredit(client=client, since=on)
    return assignment


def _hand_over_for_good(
    user: Any, client: Client, employee: Employee, on: dt.date, reason: str
) -> ClientAssignment:
    current = ClientAssignment.objects.filter(client=client, ended_on__isnull=True).first()
    _check_handover(client, employee, on, current)
    if current is not None:
        current.ended_on = on - ONE_DAY
        current.save(update_fields=["ended_on"])
    return ClientAssignment.objects.create(
        client=client, employee=employee, started_on=on, reason=reason, assigned_by=user
    )


def _hand_over_for_dates(
    user: Any, client: Client, employee: Employee, on: dt.date, until: dt.date, reason: str
) -> ClientAssignment:
    held = _check_cover(
        client,
        employee,
        on,
        until,
        ClientAssignment.objects.filter(_in_force_on(on), client=client).first(),
    )
    held_until = held.ended_on
    returns = held_until is None or held_until > until
    if on > held.started_on:
        # The holder keeps the days before; a row of their own resumes after the cover.
        held.ended_on = on - ONE_DAY
        held.save(update_fields=["ended_on"])
        if returns:
            ClientAssignment.objects.create(
                client=client,
                employee=held.employee,
                started_on=until + ONE_DAY,
                ended_on=held_until,
                reason=held.reason,
                assigned_by=held.assigned_by,
            )
    elif returns:
        # The cover starts the holder's time: their row now starts after it.
        held.started_on = until + ONE_DAY
        held.save(update_fields=["started_on"])
    else:
        # The cover is exactly the holder's time: it changes hands, nothing is split.
        held.delete()
    return ClientAssignment.objects.create(
        client=client,
        employee=employee,
        started_on=on,
        ended_on=until,
        reason=reason,
        assigned_by=user,
    )


def _refresh_responsible(client: Client, newest: Employee) -> None:
    # Nobody holds the client today when its history starts later: the newest holder.
    holder = client_responsible_on(client, timezone.localdate()) or newest
    if holder.pk != client.responsible_id:
        client.responsible = holder
        client.save(update_fields=["responsible"])


_IN_FORCE_ON_PAYMENT_DAY = """
    a.client_id = p.client_id AND a.started_on <= p.received_on
    AND (a.ended_on IS NULL OR a.ended_on >= p.received_on)
"""


def payments_recredit(*, client: Client, since: dt.date) -> int:
    """Credit the client's payments from ``since`` on to who held it on each one's day.

    One set-based statement; how many payments changed hands. Payments of a day nobody
    held the client keep the holder they were recorded with.
    """
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            UPDATE {Payment._meta.db_table} AS p SET responsible_id = a.employee_id
            FROM {ClientAssignment._meta.db_table} AS a
            WHERE p.client_id = %s AND p.received_on >= %s AND {_IN_FORCE_ON_PAYMENT_DAY}
              AND p.responsible_id IS DISTINCT FROM a.employee_id
            """,  # noqa: S608  # nosec B608 - identifiers come from model meta
            [client.pk, since],
        )
        return cursor.rowcount


def responsible_refresh(*, today: dt.date | None = None) -> int:
    """Set every client's ``responsible`` to its holder on ``today``: the daily command.

    A cover that ended yesterday hands the client back here. One statement; how many
    clients changed hands.
    """
    today = today or timezone.localdate()
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            UPDATE {Client._meta.db_table} AS c SET responsible_id = a.employee_id
            FROM {ClientAssignment._meta.db_table} AS a
            WHERE a.client_id = c.id AND a.started_on <= %s
              AND (a.ended_on IS NULL OR a.ended_on >= %s)
              AND c.responsible_id IS DISTINCT FROM a.employee_id
            """,  # noqa: S608  # nosec B608 - identifiers come from model meta
            [today, today],
        )
        return cursor.rowcount


def absence_clients(absence: Absence) -> list[Client]:
    """The clients the absent person holds on the absence's first day, by name."""
    return list(
        Client.objects.filter(
            _in_force_on(absence.started_on, "assignments__"),
            assignments__employee=absence.employee,
        )
        .select_related("department")
        .order_by("name")
        .distinct()
    )


@transaction.atomic
def absence_cover(
    *, user: Any, absence: Absence, cover: Mapping[Client, Employee]
) -> list[ClientAssignment]:
    """Hand each of the absent person's clients to a colleague for the absence's dates.

    One colleague for all, or spread: ``cover`` says who takes which client. Each comes
    back to the absent person the day after the absence ends. All or nothing. Each cover
    remembers its absence, and follows it when the absence is corrected or removed.
    """
    handed = []
    for client, employee in cover.items():
        require(user, Action.MANAGE_ABSENCES, client)
        handed.append(_cover_for(user, absence, client, employee))
    return handed


def _cover_for(user: Any, absence: Absence, client: Client, employee: Employee) -> ClientAssignment:
    reason = _("Cover for %(employee)s: %(kind)s %(first)s–%(last)s") % {
        "employee": absence.employee,
        "kind": absence.get_kind_display(),
        "first": f"{absence.started_on:%d.%m.%Y}",
        "last": f"{absence.ended_on:%d.%m.%Y}",
    }
    assignment = client_reassign(
        user=user,
        client=client,
        employee=employee,
        on=absence.started_on,
        until=absence.ended_on,
        reason=reason,
    )
    assignment.absence = absence
    assignment.save(update_fields=["absence"])
    return assignment


def absence_covers(absence: Absence) -> list[ClientAssignment]:
    """The hand-overs made for the absence, each client locked, by client name."""
    covers = list(
        ClientAssignment.objects.filter(absence=absence)
        .select_related("client__department", "employee")
        .order_by("client__name")
    )
    for cover in covers:
        Client.objects.select_for_update().filter(pk=cover.client_id).values_list("pk").get()
    return covers


def check_cover_unchanged(cover: ClientAssignment, days: tuple[dt.date, dt.date]) -> None:
    """Refuse to move a cover that no longer spans the absence's (first, last) ``days``:
    one split or shortened by hand since is no longer the absence's to move."""
    if (cover.started_on, cover.ended_on) != days:
        raise _refuse(
            "absence",
            _(
                "The hand-over of %(client)s for this absence was changed on the client's "
                "page since; change it there first."
            ),
            "cover_changed",
            client=cover.client.name,
        )


def _give_back(cover: ClientAssignment, absent: Employee) -> None:
    """Undo a cover: its days go back to the absent person, whose rows join up again."""
    client, first, last = cover.client, cover.started_on, cover.ended_on
    before = ClientAssignment.objects.filter(
        client=client, employee=absent, ended_on=first - ONE_DAY
    ).first()
    after = ClientAssignment.objects.filter(
        client=client, employee=absent, started_on=last + ONE_DAY
    ).first()
    cover.delete()
    if before is not None and after is not None:
        # Delete the later row first: it may be the open one, and only one may be open.
        before.ended_on = after.ended_on
        after.delete()
        before.save(update_fields=["ended_on"])
    elif after is not None:
        after.started_on = first
        after.save(update_fields=["started_on"])
    elif before is not None:
        before.ended_on = last
        before.save(update_fields=["ended_on"])
    else:
        ClientAssignment.objects.create(
            client=client, employee=absent, started_on=first, ended_on=last, reason=cover.reason
        )


def covers_follow(*, user: Any, absence: Absence, old: tuple[dt.date, dt.date]) -> int:
    """Move the absence's covers from its ``old`` (first, last) days to its days now.

    Each client goes back to the absent person for the old days and to the same colleague
    for the new ones, through the hand-over's own checks; payments of either days are
    credited again. Raises ValidationError if a cover was changed by hand since, or the
    new days cannot be handed over. How many covers moved.
    """
    moved = 0
    for cover in absence_covers(absence):
        require(user, Action.MANAGE_ABSENCES, cover.client)
        check_cover_unchanged(cover, old)
        colleague = cover.employee
        _give_back(cover, absence.employee)
        _cover_for(user, absence, cover.client, colleague)
        payments_recredit(client=cover.client, since=min(old[0], absence.started_on))
        moved += 1
    return moved


def covers_end(*, user: Any, absence: Absence) -> int:
    """End the absence's covers: each client goes back to the absent person for its days."""
    ended = 0
    for cover in absence_covers(absence):
        require(user, Action.MANAGE_ABSENCES, cover.client)
        check_cover_unchanged(cover, (absence.started_on, absence.ended_on))
        _give_back(cover, absence.employee)
        _refresh_responsible(cover.client, absence.employee)
        payments_recredit(client=cover.client, since=cover.started_on)
        ended += 1
    return ended
