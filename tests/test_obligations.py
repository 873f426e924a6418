"""The company's obligations: a month's total by form, a schedule by file, all or nothing."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import openpyxl
import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client as HttpClient
from django.urls import reverse
from django.utils import translation

from compensation.company_cash import obligations_by_day
from compensation.models import MonthlyObligation, ObligationDue
from compensation.obligations import obligations_import
from tests.factories import Cast

D = Decimal
OCTOBER = dt.date(2026, 10, 1)


@pytest.fixture(autouse=True)
def _english(settings: object) -> None:
    settings.LANGUAGE_CODE = "en"


def csv_file(text: str) -> bytes:
    return text.encode("utf-8")


def test_a_schedule_is_imported_and_a_second_import_replaces_its_months(cast: Cast) -> None:
    data = csv_file(
        "due date;amount;description\n05.10.2026;1 500 000,00;Rent\n2026-10-20;250.50;Tax\n"
    )

    first = obligations_import(user=cast.director.user, file_name="october.csv", data=data)
    again = obligations_import(user=cast.director.user, file_name="october.csv", data=data)

    assert (first.new, first.total, first.months) == (2, D("1500250.50"), [OCTOBER])
    assert again.written
    assert sorted(ObligationDue.objects.values_list("due_on", "amount")) == [
        (dt.date(2026, 10, 5), D("1500000.00")),
        (dt.date(2026, 10, 20), D("250.50")),
    ]


def test_a_bad_row_is_named_and_nothing_is_saved(cast: Cast) -> None:
    ObligationDue.objects.create(due_on=dt.date(2026, 10, 2), amount=D("7.00"))
    data = csv_file("date,amount\n2026-10-05,100.00\n31.02.2026,5\n2026-10-07,-3\n")

    result = obligations_import(user=cast.director.user, file_name="bad.csv", data=data)

    assert not result.written
    assert [str(e) for e in result.errors] == [
        "row 3, due_on: Not a date (YYYY-MM-DD or DD.MM.YYYY): 31.02.2026.",
        "row 4, amount: The amount must be greater than zero.",
    ]
    # the schedule on record is untouched
    assert list(ObligationDue.objects.values_list("amount", flat=True)) == [D("7.00")]


def test_an_amount_error_is_in_the_readers_language(cast: Cast) -> None:
    data = csv_file("date,amount\n2026-10-05,12abc\n2026-10-07,-3\n")
    with translation.override("ru"):
        result = obligations_import(user=cast.director.user, file_name="bad.csv", data=data)
    assert [e.message for e in result.errors] == [
        "12abc — не сумма.",
        "Сумма должна быть больше нуля.",
    ]


def test_a_dry_run_checks_and_saves_nothing(cast: Cast) -> None:
    data = csv_file("date,amount\n2026-10-05,100.00\n")

    result = obligations_import(user=cast.director.user, file_name="x.csv", data=data, dry_run=True)

    assert (result.accepted, result.written, result.new) == (True, False, 1)
    assert not ObligationDue.objects.exists()


def test_a_file_without_the_amount_column_is_refused(cast: Cast) -> None:
    result = obligations_import(
        user=cast.director.user, file_name="x.csv", data=csv_file("date,sum\n2026-10-05,1\n")
    )
    assert [str(e) for e in result.errors] == ["row 0, file: The file has no column amount."]


def test_an_xlsx_schedule_is_read_too(cast: Cast) -> None:
    book = openpyxl.Workbook()
    book.active.append(["Дата", "Сумма", "Назначение"])
    book.active.append([dt.date(2026, 10, 9), "2000.00", "=cmd()"])
    buffer = io.BytesIO()
    book.save(buffer)

    result = obligations_import(user=cast.admin, file_name="s.xlsx", data=buffer.getvalue())

    assert result.written
    due = ObligationDue.objects.get()
    assert (due.due_on, due.amount) == (dt.date(2026, 10, 9), D("2000.00"))


def test_only_the_director_and_the_administrator_import(cast: Cast) -> None:
    with pytest.raises(PermissionDenied):
        obligations_import(user=cast.head.user, file_name="x.csv", data=b"date,amount\n")


def test_a_month_s_total_is_spread_over_its_working_days(cast: Cast) -> None:
    MonthlyObligation.objects.create(month=dt.date(2026, 11, 1), total=D("100.00"))

    owed = obligations_by_day(dt.date(2026, 11, 1), dt.date(2026, 11, 30))

    # November 2026: 20 working days (the 4th is a holiday), 5.00 each
    assert sum(owed.values()) == D("100.00")
    assert len(owed) == 20
    assert dt.date(2026, 11, 4) not in owed
    assert set(owed.values()) == {D("5.00")}


def test_the_page_sets_a_month_s_total_and_reports_a_bad_file(cast: Cast) -> None:
    http = HttpClient(HTTP_ACCEPT_LANGUAGE="en")
    http.force_login(cast.director.user)
    url = reverse("obligations_import")

    saved = http.post(url, {"action": "total", "month": "2026-10", "total": "44000000.00"})
    bad_month = http.post(url, {"action": "total", "month": "2026-13", "total": "1"})
    bad_file = http.post(
        url,
        {"action": "import", "file": SimpleUploadedFile("s.csv", b"date,amount\nsoon,1\n")},
    )

    assert saved.status_code == 302
    assert MonthlyObligation.objects.get().total == D("44000000.00")
    assert "Enter a month as YYYY-MM" in bad_month.content.decode()
    assert "row 2, due_on: Not a date" in bad_file.content.decode()
    assert not ObligationDue.objects.exists()


def test_the_page_lists_each_month_s_schedule(
    cast: Cast, django_assert_max_num_queries: object
) -> None:
    obligations_import(
        user=cast.director.user,
        file_name="s.csv",
        data=csv_file("date,amount\n2026-10-05,100.00\n2026-10-06,50.00\n2026-11-02,7.00\n"),
    )
    http = HttpClient(HTTP_ACCEPT_LANGUAGE="en")
    http.force_login(cast.director.user)

    with django_assert_max_num_queries(12):
        page = http.get(reverse("obligations_import")).content.decode()

    schedule = page[page.index('id="schedule"') :]
    assert "October 2026" in schedule
    assert "150.00" in schedule
    assert "November 2026" in schedule
