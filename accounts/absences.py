"""Recording absences: one by hand, or a file the HR system exported.

Correcting or removing one moves the covers handed over for it, so it is done a floor
up, in ``payments.absence_changes``, with the checks kept here.

The file (CSV or XLSX, headed in English or Russian: personnel number, kind, from, to)
is all-or-nothing like the payment import: every row is checked, each problem is
reported with its row and field (``core.rows.RowError``, as the payment import does),
and only a file without a single error is written, in one transaction.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history

from accounts.models import Absence, AbsenceKind, Department, Employee
from accounts.policy import Action, can, recorded_user, require
from core.rows import RowError, RowReport
from core.tables import read_table

MAX_REPORTED_ERRORS = 200
COLUMNS = {
    "personnel number": "personnel_number",
    "personnel_number": "personnel_number",
    "табельный номер": "personnel_number",
    "kind": "kind",
    "вид": "kind",
    "from": "from",
    "с": "from",
    "to": "to",
    "по": "to",
    "note": "note",
    "примечание": "note",
}
REQUIRED = ("personnel_number", "kind", "from", "to")
KINDS = {
    **{kind.value: kind.value for kind in AbsenceKind},
    "больничный": AbsenceKind.SICK_LEAVE,
    "отпуск": AbsenceKind.VACATION,
    "отпуск без сохранения": AbsenceKind.UNPAID_LEAVE,
    "без содержания": AbsenceKind.UNPAID_LEAVE,
    "другое": AbsenceKind.OTHER,
}


def absence_departments(employee: Employee, first: dt.date, last: dt.date) -> list[Department]:
    """The departments the employee heads or belongs to on any day from first to last."""
    return list(
        Department.objects.filter(
            Q(head=employee)
            | Q(
                Q(memberships__ended_on__isnull=True) | Q(memberships__ended_on__gte=first),
                memberships__employee=employee,
                memberships__started_on__lte=last,
            )
        ).distinct()
    )


def may_record(user: Any, employee: Employee, first: dt.date, last: dt.date) -> bool:
    """The user manages a department the employee is in on one of the days."""
    departments = absence_departments(employee, first, last)
    return any(can(user, Action.MANAGE_ABSENCES, d) for d in departments)


def check_absence(kind: str, started_on: dt.date, ended_on: dt.date) -> None:
    """Refuse an unknown kind or reversed dates, naming the field."""
    if kind not in AbsenceKind.values:
        raise ValidationError({"kind": _("Choose the kind of absence.")})
    if ended_on < started_on:
        raise ValidationError({"ended_on": _("The last day cannot be before the first.")})


def lock_employee(employee: Employee) -> None:
    """Hold the employee's row so two changes of their absences cannot both pass a check."""
    Employee.objects.select_for_update().filter(pk=employee.pk).values_list("pk").get()


def check_no_overlap(
    employee: Employee, first: dt.date, last: dt.date, *, besides: Absence | None = None
) -> None:
    """Refuse days on which the employee is already away (``besides`` left out)."""
    others = Absence.objects.filter(employee=employee, started_on__lte=last, ended_on__gte=first)
    if besides is not None:
        others = others.exclude(pk=besides.pk)
    other = others.order_by("started_on").first()
    if other is not None:
        raise ValidationError({"started_on": _overlap_message(other)})


def _overlap_message(other: Absence) -> str:
    return _("%(employee)s is already away from %(first)s to %(last)s.") % {
        "employee": other.employee,
        "first": f"{other.started_on:%d.%m.%Y}",
        "last": f"{other.ended_on:%d.%m.%Y}",
    }


@transaction.atomic
def absence_record(
    *,
    user: Any,
    employee: Employee,
    kind: str,
    started_on: dt.date,
    ended_on: dt.date,
    note: str = "",
) -> Absence:
    """Record that ``employee`` is away from ``started_on`` to ``ended_on``, both included.

    Refused (nothing saved) if the user does not manage a department the employee is in
    on those days, the dates are reversed, or the employee is already away on one of them.
    """
    check_absence(kind, started_on, ended_on)
    if not may_record(user, employee, started_on, ended_on):
        raise PermissionDenied
    lock_employee(employee)
    check_no_overlap(employee, started_on, ended_on)
    absence = Absence(
        employee=employee,
        kind=kind,
        started_on=started_on,
        ended_on=ended_on,
        note=note.strip()[:300],
        recorded_by=recorded_user(user),
    )
    absence._history_user = recorded_user(user)
    absence.save()
    return absence


# --- the HR system's file --------------------------------------------------------------


@dataclass(frozen=True)
class AbsenceRow:
    line: int
    cells: dict[str, str]


@dataclass
class AbsenceImportResult(RowReport):
    """What an absence import did (or, for a dry run or a rejected file, would have done)."""

    file_name: str
    dry_run: bool
    new: int = 0
    errors: list[RowError] = field(default_factory=list)
    errors_left_out: int = 0

    max_reported = MAX_REPORTED_ERRORS


def read_absence_file(file_name: str, data: bytes) -> list[AbsenceRow]:
    """The rows of a CSV (UTF-8 or Windows-1251, ; or , separated) or an XLSX file."""
    rows = read_table(file_name, data, columns=COLUMNS, required=REQUIRED)
    return [AbsenceRow(line, cells) for line, cells in rows]


def _date(text: str) -> dt.date:
    for pattern in ("%Y-%m-%d", "%d.%m.%Y"):
        try:
            return dt.datetime.strptime(text, pattern).date()
        except ValueError:
            continue
    raise ValueError(text)


def _checked(
    row: AbsenceRow, people: dict[str, Employee], user: Any, result: AbsenceImportResult
) -> Absence | None:
    def error(name: str, message: str) -> None:
        result.add_error(RowError(row.line, name, message))

    employee = people.get(row.cells["personnel_number"])
    if employee is None:
        error("personnel_number", _("No employee has this personnel number."))
    kind = KINDS.get(row.cells["kind"].lower())
    if kind is None:
        error("kind", _("Unknown kind of absence: %(kind)s.") % {"kind": row.cells["kind"]})
    dates = {}
    for name in ("from", "to"):
        try:
            dates[name] = _date(row.cells[name])
        except ValueError:
            error(
                name,
                _("Not a date (YYYY-MM-DD or DD.MM.YYYY): %(value)s.") % {"value": row.cells[name]},
            )
    if len(dates) == 2 and dates["to"] < dates["from"]:
        error("to", _("The last day cannot be before the first."))
        return None
    if employee is None or kind is None or len(dates) < 2:
        return None
    if not may_record(user, employee, dates["from"], dates["to"]):
        error(
            "personnel_number",
            _("You do not record absences for %(employee)s.") % {"employee": employee},
        )
        return None
    return Absence(
        employee=employee,
        kind=kind,
        started_on=dates["from"],
        ended_on=dates["to"],
        note=row.cells.get("note", "")[:300],
        recorded_by=recorded_user(user),
    )


def _check_overlaps(absences: list[tuple[int, Absence]], result: AbsenceImportResult) -> None:
    """Refuse a row that overlaps an absence on record or an earlier row of the file."""
    employees = {absence.employee_id for _line, absence in absences}
    taken: dict[int, list[tuple[dt.date, dt.date, str]]] = {pk: [] for pk in employees}
    for other in Absence.objects.filter(employee_id__in=employees).select_related("employee"):
        taken[other.employee_id].append((other.started_on, other.ended_on, _overlap_message(other)))
    for line, absence in absences:
        spans = taken[absence.employee_id]
        clash = next(
            (
                m
                for first, last, m in spans
                if first <= absence.ended_on and absence.started_on <= last
            ),
            None,
        )
        if clash is not None:
            result.add_error(RowError(line, "from", clash))
        spans.append(
            (
                absence.started_on,
                absence.ended_on,
                _("Overlaps row %(line)s of this file.") % {"line": line},
            )
        )


@transaction.atomic
def absences_import(
    *, user: Any, file_name: str, data: bytes, dry_run: bool = False
) -> AbsenceImportResult:
    """Import absences from the HR system's file: all of them, or none."""
    require(user, Action.MANAGE_ABSENCES)
    result = AbsenceImportResult(file_name=file_name, dry_run=dry_run)
    try:
        rows = read_absence_file(file_name, data)
    except ValidationError as error:
        result.add_error(RowError(0, "file", " ".join(error.messages)))
        return result
    numbers = {row.cells["personnel_number"] for row in rows}
    people = {e.personnel_number: e for e in Employee.objects.filter(personnel_number__in=numbers)}
    if people:
        # Lock them so an absence recorded by hand meanwhile cannot slip past the check.
        list(
            Employee.objects.select_for_update()
            .filter(pk__in=[e.pk for e in people.values()])
            .values_list("pk")
        )
    checked = [(row.line, _checked(row, people, user, result)) for row in rows]
    absences = [(line, absence) for line, absence in checked if absence is not None]
    _check_overlaps(absences, result)
    result.errors.sort(key=lambda error: error.line)
    if not rows:
        result.add_error(RowError(0, "file", _("The file has no absences.")))
    result.new = len(absences)
    if result.written:
        bulk_create_with_history(
            [absence for _line, absence in absences],
            Absence,
            default_user=recorded_user(user),
            default_change_reason=_("Imported from %(file)s") % {"file": file_name},
        )
    return result
