"""core.tables: the short files people bring in by hand, read one way."""

from __future__ import annotations

import datetime as dt
import io

import openpyxl
import pytest
from django.core.exceptions import ValidationError

from core.tables import read_table

COLUMNS = {"табельный номер": "number", "дата": "day", "сумма": "amount"}
REQUIRED = ("number", "day")


def test_a_windows_1251_csv_with_semicolons() -> None:
    data = "Табельный номер;Дата;Сумма\n0002;2026-11-09;1 500,00\n;;\n0003;2026-11-10;\n"
    rows = read_table("hr.csv", data.encode("cp1251"), columns=COLUMNS, required=REQUIRED)
    # the empty line 3 is left out; the lines keep the file's numbers
    assert rows == [
        (2, {"number": "0002", "day": "2026-11-09", "amount": "1 500,00"}),
        (4, {"number": "0003", "day": "2026-11-10", "amount": ""}),
    ]


def test_an_xlsx_with_a_date_and_a_number() -> None:
    book = openpyxl.Workbook()
    book.active.append(["Сумма", "Дата", "Табельный номер"])
    book.active.append([1500.5, dt.datetime(2026, 11, 9), "0002"])
    buffer = io.BytesIO()
    book.save(buffer)
    rows = read_table("hr.xlsx", buffer.getvalue(), columns=COLUMNS, required=REQUIRED)
    assert rows == [(2, {"amount": "1500.5", "day": "2026-11-09", "number": "0002"})]


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("hr.csv", b"", "The file is empty."),
        ("hr.csv", "Сумма;Дата\n1;2\n".encode(), "The file has no column number."),
        ("hr.xlsx", b"not a workbook", "The file is not a readable XLSX workbook."),
        ("hr.xls", b"\xd0\xcf\x11\xe0\x98\x00", "The file is neither a CSV nor an XLSX file."),
    ],
)
def test_a_file_that_cannot_be_read_says_why(name: str, data: bytes, message: str) -> None:
    with pytest.raises(ValidationError) as refused:
        read_table(name, data, columns=COLUMNS, required=REQUIRED)
    assert refused.value.messages == [message]


def test_a_file_over_five_megabytes_is_refused_by_the_form() -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    from accounts.forms import AbsenceImportForm

    big = SimpleUploadedFile("hr.csv", b"x" * (5 * 1024 * 1024 + 1))
    form = AbsenceImportForm(data={}, files={"file": big})
    assert not form.is_valid()
    assert form.errors["file"] == ["The file is larger than 5 MB."]
    small = SimpleUploadedFile("hr.csv", b"x" * (5 * 1024 * 1024))
    assert AbsenceImportForm(data={}, files={"file": small}).is_valid()
