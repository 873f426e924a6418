"""A small table from a person's file (a CSV or an XLSX workbook): its header's columns
found by their titles, each row a dict of texts by column name.

For the short files people bring in by hand (the HR system's absences, the company's
schedule of obligations). Bank statements and invoice exports, which may be large, go
through ``payments.importing``'s streaming readers instead.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import zipfile
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

TableRows = list[tuple[int, dict[str, str]]]


def cell_text(value: Any) -> str:
    """A cell as text: a date as ISO, a spreadsheet's number as it reads (Python writes a
    float's shortest repr, never binary noise), nothing as ""."""
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    return "" if value is None else str(value).strip()


def read_table(
    file_name: str, data: bytes, *, columns: Mapping[str, str], required: Sequence[str]
) -> TableRows:
    """The non-empty rows of a CSV (UTF-8 or Windows-1251, ``;`` or ``,`` separated) or an
    XLSX file, numbered as the file's lines, each a dict of the columns found.

    ``columns`` maps a header's title (lower case) to a column's name; a ``required`` name
    the header lacks, an empty file or an unreadable workbook is a ``ValidationError``.
    """
    if file_name.lower().endswith(".xlsx"):
        return list(_rows_of(_xlsx_rows(data), columns, required))
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        try:
            text = data.decode("cp1251")
        except UnicodeDecodeError:
            # Windows-1251 leaves one byte undefined: a binary file (an old .xls, a PDF).
            raise ValidationError(_("The file is neither a CSV nor an XLSX file.")) from None
    first_line = text.partition("\n")[0]
    delimiter = ";" if first_line.count(";") > first_line.count(",") else ","
    return list(_rows_of(csv.reader(io.StringIO(text), delimiter=delimiter), columns, required))


def _xlsx_rows(data: bytes) -> Iterator[list[Any]]:
    import openpyxl

    try:
        book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError):
        raise ValidationError(_("The file is not a readable XLSX workbook.")) from None
    return (list(row) for row in book.active.iter_rows(values_only=True))


def _rows_of(
    table: Iterator[list[Any]], columns: Mapping[str, str], required: Sequence[str]
) -> Iterator[tuple[int, dict[str, str]]]:
    table = iter(table)
    header = next(table, None)
    if header is None:
        raise ValidationError(_("The file is empty."))
    index: dict[str, int] = {}
    for position, title in enumerate(header):
        name = columns.get(cell_text(title).lower())
        if name and name not in index:
            index[name] = position
    missing = [name for name in required if name not in index]
    if missing:
        raise ValidationError(
            _("The file has no column %(columns)s.") % {"columns": ", ".join(missing)}
        )
    for line, values in enumerate(table, start=2):
        cells = {name: cell_text(values[i]) if i < len(values) else "" for name, i in index.items()}
        if any(cells.values()):
            yield line, cells
