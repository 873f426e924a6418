"""Absences: recorded by the head, imported from the HR system's file, covered by
colleagues, and counted as days present in a month."""

from __future__ import annotations

import datetime as dt
import io

import openpyxl
import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from pytest_django import DjangoAssertNumQueries

from accounts.absences import absence_record, absences_import
from accounts.models import Absence, AbsenceKind, Membership
from accounts.selectors import month_presence
from core.calendar import month_working_days
from payments.assignments import absence_clients, absence_cover, client_reassign
from tests.factories import Cast, ClientFactory, EmployeeFactory

NOVEMBER = dt.date(2026, 11, 1)
AWAY, UNTIL = dt.date(2026, 11, 9), dt.date(2026, 11, 20)


def _away(cast: Cast, **change: object) -> Absence:
    fields = {
        "employee": cast.olya,
        "kind": AbsenceKind.VACATION,
        "started_on": AWAY,
        "ended_on": UNTIL,
    }
    return absence_record(user=cast.head.user, **(fields | change))


def test_the_head_records_an_absence_of_their_staff(cast: Cast) -> None:
    absence = _away(cast, note="Sea")

    assert (absence.employee, absence.kind, absence.days) == (cast.olya, "vacation", 12)
    assert absence.recorded_by == cast.head.user
    assert absence.history.count() == 1


def test_an_overlapping_absence_is_refused_naming_the_field(cast: Cast) -> None:
    _away(cast)

    with pytest.raises(ValidationError) as raised:
        _away(cast, kind=AbsenceKind.SICK_LEAVE, started_on=UNTIL, ended_on=UNTIL)

    assert "started_on" in raised.value.message_dict
    assert "09.11.2026" in raised.value.message_dict["started_on"][0]
    assert Absence.objects.count() == 1


def test_reversed_dates_are_refused(cast: Cast) -> None:
    with pytest.raises(ValidationError) as raised:
        _away(cast, started_on=UNTIL, ended_on=AWAY)
    assert "ended_on" in raised.value.message_dict


@pytest.mark.parametrize("who", ["other_head", "masha", "director"])
def test_only_the_own_head_or_an_administrator_records(cast: Cast, who: str) -> None:
    user = getattr(cast, who).user
    with pytest.raises(PermissionDenied):
        absence_record(
            user=user, employee=cast.olya, kind="vacation", started_on=AWAY, ended_on=UNTIL
        )
    assert absence_record(
        user=cast.admin, employee=cast.olya, kind="vacation", started_on=AWAY, ended_on=UNTIL
    )


# --- the HR system's file ----------------------------------------------------------------


def _csv(*rows: str, header: str = "Табельный номер;Вид;С;По") -> bytes:
    return ("\n".join([header, *rows]) + "\n").encode("cp1251")


def test_it_imports_a_good_file(cast: Cast) -> None:
    data = _csv(
        f"{cast.olya.personnel_number};отпуск;09.11.2026;20.11.2026",
        f"{cast.vasya.personnel_number};больничный;2026-11-02;2026-11-03",
    )

    result = absences_import(user=cast.head.user, file_name="hr.csv", data=data)

    assert (result.accepted, result.new) == (True, 2)
    assert sorted(
        Absence.objects.values_list("employee", "kind", "started_on", "ended_on")
    ) == sorted(
        [
            (cast.olya.pk, "vacation", AWAY, UNTIL),
            (cast.vasya.pk, "sick_leave", dt.date(2026, 11, 2), dt.date(2026, 11, 3)),
        ]
    )


def test_it_imports_an_xlsx_with_date_cells(cast: Cast) -> None:
    book = openpyxl.Workbook()
    book.active.append(["personnel number", "kind", "from", "to"])
    book.active.append(
        [
            cast.olya.personnel_number,
            "sick_leave",
            dt.datetime(2026, 11, 9),
            dt.datetime(2026, 11, 10),
        ]
    )
    out = io.BytesIO()
    book.save(out)

    result = absences_import(user=cast.admin, file_name="hr.xlsx", data=out.getvalue())

    assert (result.new, result.written) == (1, True)
    assert Absence.objects.get().ended_on == dt.date(2026, 11, 10)


def test_a_file_with_bad_rows_writes_nothing_and_names_each(cast: Cast) -> None:
    _away(cast)
    data = _csv(
        f"{cast.vasya.personnel_number};отпуск;02.11.2026;03.11.2026",  # good
        "99999;отпуск;02.11.2026;03.11.2026",  # nobody
        f"{cast.masha.personnel_number};прогул;02.11.2026;03.11.2026",  # kind
        f"{cast.masha.personnel_number};отпуск;32.11.2026;03.11.2026",  # date
        f"{cast.olya.personnel_number};больничный;20.11.2026;21.11.2026",  # on record
        f"{cast.vasya.personnel_number};больничный;03.11.2026;04.11.2026",  # row 2
        f"{cast.sergey.personnel_number};отпуск;02.11.2026;03.11.2026",  # not theirs
    )

    result = absences_import(user=cast.head.user, file_name="hr.csv", data=data)

    assert not result.accepted
    assert [(e.line, e.field) for e in result.errors] == [
        (3, "personnel_number"),
        (4, "kind"),
        (5, "from"),
        (6, "from"),
        (7, "from"),
        (8, "personnel_number"),
    ]
    assert result.errors[4].message == "Overlaps row 2 of this file."
    assert "09.11.2026" in result.errors[3].message
    assert Absence.objects.count() == 1


def test_a_dry_run_and_a_file_without_columns_write_nothing(cast: Cast) -> None:
    data = _csv(f"{cast.olya.personnel_number};отпуск;09.11.2026;20.11.2026")
    assert (
        absences_import(user=cast.head.user, file_name="hr.csv", data=data, dry_run=True).new == 1
    )

    bad = absences_import(user=cast.head.user, file_name="hr.csv", data=b"name;date\nx;y\n")

    assert [e.field for e in bad.errors] == ["file"]
    assert Absence.objects.count() == 0


def test_staff_may_not_import(cast: Cast) -> None:
    with pytest.raises(PermissionDenied):
        absences_import(user=cast.masha.user, file_name="hr.csv", data=_csv())


# --- cover and days present ----------------------------------------------------------------


def test_the_head_hands_the_absent_persons_clients_over_and_they_come_back(cast: Cast) -> None:
    # given Olya's two clients and her vacation
    alfa = ClientFactory(department=cast.dept, name="Alfa")
    beta = ClientFactory(department=cast.dept, name="Beta")
    for client in (alfa, beta):
        client_reassign(
            user=cast.admin, client=client, employee=cast.olya, on=dt.date(2026, 1, 1), reason=""
        )
    absence = _away(cast)
    assert absence_clients(absence) == [alfa, beta]

    # when they are spread between Vasya and Masha for its dates
    absence_cover(user=cast.head.user, absence=absence, cover={alfa: cast.vasya, beta: cast.masha})

    # then each was covered for the dates, and Olya holds them again from the 21st
    for client, colleague in ((alfa, cast.vasya), (beta, cast.masha)):
        rows = list(
            client.assignments.order_by("started_on").values_list(
                "employee", "started_on", "ended_on"
            )
        )
        assert rows == [
            (cast.olya.pk, dt.date(2026, 1, 1), dt.date(2026, 11, 8)),
            (colleague.pk, AWAY, UNTIL),
            (cast.olya.pk, dt.date(2026, 11, 21), None),
        ]
        assert "Olya Smirnova" in client.assignments.get(started_on=AWAY).reason


def test_another_head_may_not_hand_over(cast: Cast) -> None:
    alfa = ClientFactory(department=cast.dept)
    client_reassign(
        user=cast.admin, client=alfa, employee=cast.olya, on=dt.date(2026, 1, 1), reason=""
    )
    absence = _away(cast)
    with pytest.raises(PermissionDenied):
        absence_cover(user=cast.other_head.user, absence=absence, cover={alfa: cast.vasya})
    assert alfa.assignments.count() == 1


def test_days_present_count_working_days_in_the_department_not_away(
    cast: Cast, django_assert_num_queries: DjangoAssertNumQueries
) -> None:
    # given Olya away 9-20 November, and Katya who joined on the 27th
    _away(cast)
    katya = EmployeeFactory(full_name="Katya")
    Membership.objects.create(
        employee=katya, department=cast.dept, started_on=dt.date(2026, 11, 27)
    )
    working = month_working_days(NOVEMBER)

    # when the month's presence is read (three queries, whoever is asked)
    with django_assert_num_queries(3):
        presence = month_presence(cast.dept, NOVEMBER, [cast.masha.pk, cast.olya.pk, katya.pk])

    # then Masha was there every working day, Olya not on her ten, Katya from the 27th
    assert len(working) == 20  # 4 November is a public holiday
    assert (presence[cast.masha.pk].days, presence[cast.masha.pk].of) == (20, 20)
    assert presence[cast.olya.pk].days == 10
    assert [a.kind for a in presence[cast.olya.pk].absences] == ["vacation"]
    assert presence[katya.pk].days == len([d for d in working if d >= dt.date(2026, 11, 27)]) == 2
