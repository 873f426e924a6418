"""Reads about people: absences, and the working days each was present in a month."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Q, QuerySet

from accounts.models import Absence, Department, Membership
from accounts.policy import Action, can, is_admin, visible_departments
from core.calendar import month_bounds, month_working_days


@dataclass
class MonthPresence:
    """One person's month: working days present out of the month's, and their absences."""

    days: int
    of: int
    absences: list[Absence] = field(default_factory=list)

    @property
    def absent(self) -> int:
        return self.of - self.days


def _overlapping(first: dt.date, last: dt.date) -> Q:
    return Q(started_on__lte=last) & (Q(ended_on__isnull=True) | Q(ended_on__gte=first))


def month_presence(
    department: Department, month: dt.date, employee_ids: Iterable[int]
) -> dict[int, MonthPresence]:
    """Working days (the company's calendar) each employee was a member of the department
    and not absent, out of the month's working days. Three queries, whoever is asked.

    Someone who joined on the 29th was present from the 29th only.
    """
    ids = list(employee_ids)
    first, last = month_bounds(month)
    working = month_working_days(first)
    spans: dict[int, list[tuple[dt.date, dt.date]]] = {pk: [] for pk in ids}
    for employee_id, start, end in Membership.objects.filter(
        _overlapping(first, last), department=department, employee_id__in=ids
    ).values_list("employee_id", "started_on", "ended_on"):
        spans[employee_id].append((start, end or last))
    away: dict[int, list[Absence]] = {pk: [] for pk in ids}
    for absence in Absence.objects.filter(_overlapping(first, last), employee_id__in=ids).order_by(
        "started_on"
    ):
        away[absence.employee_id].append(absence)
    return {pk: _presence(working, spans[pk], away[pk]) for pk in ids}


def _presence(
    working: list[dt.date], spans: list[tuple[dt.date, dt.date]], absences: list[Absence]
) -> MonthPresence:
    def present(day: dt.date) -> bool:
        member = any(start <= day <= end for start, end in spans)
        return member and not any(a.started_on <= day <= a.ended_on for a in absences)

    return MonthPresence(
        days=sum(1 for day in working if present(day)), of=len(working), absences=absences
    )


def visible_absences(user: Any) -> QuerySet[Absence]:
    """Absences of the people of the departments whose absences the user records."""
    absences = Absence.objects.select_related("employee", "recorded_by")
    if is_admin(user):
        return absences
    departments = [d for d in visible_departments(user) if can(user, Action.MANAGE_ABSENCES, d)]
    return absences.filter(
        Q(employee__memberships__department__in=departments)
        | Q(employee__headed_departments__in=departments)
    ).distinct()
