"""Correcting or removing a recorded absence, its covers following.

A floor above ``accounts.absences``: a change moves the hand-overs made for the absence
(``payments.assignments``), and is refused when it would touch the days of a month whose
bonus period is closed (its days present are frozen; an approved month never changes).
Both write the absence's history with who changed it and why.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from accounts.absences import (
    absence_departments,
    check_absence,
    check_no_overlap,
    lock_employee,
    may_record,
)
from accounts.models import Absence, Department
from accounts.policy import recorded_user
from core.months import month_label, next_month
from payments.assignments import (
    absence_covers,
    check_cover_unchanged,
    covers_end,
    covers_follow,
)
from payments.importing.rules import closed_periods, lock_periods

Span = tuple[dt.date, dt.date]


def _changed_spans(old: Span, new: Span, whole: bool) -> list[Span]:
    """The days whose record changes: those in one span and not the other (both whole
    spans if ``whole``, as when the kind changes)."""
    (a, b), (c, d) = old, new
    if whole or c > b or d < a:
        return [old, new]
    spans = []
    if a != c:
        spans.append((min(a, c), max(a, c) - dt.timedelta(days=1)))
    if b != d:
        spans.append((min(b, d) + dt.timedelta(days=1), max(b, d)))
    return spans


def _months(spans: list[Span]) -> Iterator[dt.date]:
    for first, last in spans:
        month = first.replace(day=1)
        while month <= last:
            yield month
            month = next_month(month)


def _pairs(absence: Absence, spans: list[Span], covers: list[Any]) -> set[tuple[int, dt.date]]:
    """(department, month) of each changed day: the employee's departments on those days,
    and the covered clients'."""
    if not spans:
        return set()
    first = min(s[0] for s in spans)
    last = max(s[1] for s in spans)
    departments = {d.pk for d in absence_departments(absence.employee, first, last)}
    departments |= {cover.client.department_id for cover in covers}
    return {(department, month) for department in departments for month in _months(spans)}


def _check_months_open(absence: Absence, spans: list[Span], covers: list[Any]) -> None:
    """Refuse a change in a closed month; the months stay held until the change commits,
    as a close holds them, so a close cannot slip in between."""
    closed = lock_periods(_pairs(absence, spans, covers))
    if closed:
        department_id, month = min(closed, key=lambda pair: (pair[1], pair[0]))
        raise ValidationError(
            {
                "started_on": _(
                    "%(month)s is closed for %(department)s: its days present are frozen, "
                    "so an absence on its days can no longer change."
                )
                % {
                    "month": month_label(month, "title"),
                    "department": Department.objects.get(pk=department_id).name,
                }
            }
        )


def absence_closed_months(absence: Absence) -> list[dt.date]:
    """The closed months among the absence's days, in order: while there is one, the
    absence cannot be removed, and only its days in open months can change."""
    covers = list(absence.covers.select_related("client"))
    pairs = _pairs(absence, [(absence.started_on, absence.ended_on)], covers)
    return sorted({month for _department, month in closed_periods(pairs)})


def _check_reason(reason: str) -> str:
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": _("Say why the absence changes.")})
    return reason[:100]


def _locked(absence: Absence) -> Absence:
    lock_employee(absence.employee)
    return Absence.objects.select_for_update().select_related("employee").get(pk=absence.pk)


@transaction.atomic
def absence_update_check(
    *,
    user: Any,
    absence: Absence,
    kind: str,
    started_on: dt.date,
    ended_on: dt.date,
    reason: str,
) -> tuple[Absence, str]:
    """Every check of ``absence_update`` before it writes: the absence as recorded (read
    again, locked) and the cleaned reason, or a ValidationError naming the field."""
    reason = _check_reason(reason)
    check_absence(kind, started_on, ended_on)
    absence = _locked(absence)
    old = (absence.started_on, absence.ended_on)
    if not (
        may_record(user, absence.employee, *old)
        and may_record(user, absence.employee, started_on, ended_on)
    ):
        raise PermissionDenied
    check_no_overlap(absence.employee, started_on, ended_on, besides=absence)
    covers = absence_covers(absence)
    if old != (started_on, ended_on):
        for cover in covers:
            check_cover_unchanged(cover, old)
    spans = _changed_spans(old, (started_on, ended_on), whole=kind != absence.kind)
    _check_months_open(absence, spans, covers)
    return absence, reason


@transaction.atomic
def absence_update(
    *,
    user: Any,
    absence: Absence,
    kind: str,
    started_on: dt.date,
    ended_on: dt.date,
    note: str = "",
    reason: str,
) -> Absence:
    """Correct an absence's kind, days or note; its covers move to the new days.

    Refused (nothing saved) without a reason, if the user does not manage a department
    the employee is in on the old or the new days, the new days overlap another absence,
    a changed day is in a closed month, or a cover cannot move (see ``covers_follow``).
    """
    absence, reason = absence_update_check(
        user=user,
        absence=absence,
        kind=kind,
        started_on=started_on,
        ended_on=ended_on,
        reason=reason,
    )
    old = (absence.started_on, absence.ended_on)
    absence.kind = kind
    absence.started_on = started_on
    absence.ended_on = ended_on
    absence.note = note.strip()[:300]
    absence._history_user = recorded_user(user)
    absence._change_reason = reason
    absence.save()
    if old != (started_on, ended_on):
        covers_follow(user=user, absence=absence, old=old)
    return absence


@transaction.atomic
def absence_delete(*, user: Any, absence: Absence, reason: str) -> None:
    """Remove an absence recorded in error; its covers end (the clients go back).

    Refused (nothing changed) without a reason, if the user does not manage a department
    the employee is in on its days, or one of its days is in a closed month.
    """
    reason = _check_reason(reason)
    absence = _locked(absence)
    if not may_record(user, absence.employee, absence.started_on, absence.ended_on):
        raise PermissionDenied
    covers = absence_covers(absence)
    _check_months_open(absence, [(absence.started_on, absence.ended_on)], covers)
    covers_end(user=user, absence=absence)
    absence._history_user = recorded_user(user)
    absence._change_reason = reason
    absence.delete()
