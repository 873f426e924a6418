"""The billing system's export of invoices, as CSV or XLSX: client INN, number, date,
amount and due date, headed in English or Russian.

The spreadsheet plumbing (encodings, a damaged workbook, a float cell) is that of the
payments' reader (``csv_xlsx``); only the columns differ.
"""

from __future__ import annotations

import csv
import itertools
from collections.abc import Iterable, Iterator
from typing import Any, BinaryIO, NamedTuple

from django.utils.translation import gettext as _

from payments.importing.readers.csv_xlsx import _UNREADABLE_XLSX, _seekable, cell_text
from payments.importing.readers.encoding import decoded_lines, sniff_encoding
from payments.importing.rows import ImportFileError

# Header (lower-cased) → the field it fills.
COLUMNS = {
    "inn": "inn",
    "инн": "inn",
    "number": "number",
    "номер": "number",
    "date": "date",
    "дата": "date",
    "amount": "amount",
    "сумма": "amount",
    "due": "due",
    "due date": "due",
    "срок оплаты": "due",
    "оплатить до": "due",
}
REQUIRED = ("inn", "number", "date", "amount", "due")


class InvoiceRow(NamedTuple):
    """One invoice as the file has it: text only, nothing checked yet."""

    line: int
    inn: str
    number: str
    date: str
    amount: str
    due: str
    titles: dict[str, str]  # field → the file's own column title, for errors


class _Header:
    def __init__(self, cells: Iterable[Any]) -> None:
        self.index: dict[str, int] = {}
        self.titles: dict[str, str] = {}
        for position, cell in enumerate(cells):
            title = cell_text(cell)
            found = COLUMNS.get(title.lower())
            if found and found not in self.index:
                self.index[found] = position
                self.titles[found] = title
        missing = [name for name in REQUIRED if name not in self.index]
        if missing:
            raise ImportFileError(
                1,
                ", ".join(missing),
                _(
                    "Missing column(s) %(missing)s. The header must name the client's INN "
                    "(ИНН), number (Номер), date (Дата), amount (Сумма) and due date "
                    "(Срок оплаты)."
                )
                % {"missing": ", ".join(missing)},
            )

    def row(self, line: int, cells: list[Any]) -> InvoiceRow | None:
        values = {f: cell_text(cells[i] if i < len(cells) else None) for f, i in self.index.items()}
        if not any(values.values()):
            return None
        return InvoiceRow(line=line, titles=self.titles, **values)


def read_invoices_csv(stream: BinaryIO) -> Iterator[InvoiceRow]:
    """Rows of a CSV file: comma or semicolon, UTF-8 (BOM or not) or Windows-1251."""
    lines = decoded_lines(stream, sniff_encoding(stream))
    first = next(lines, (1, ""))[1]
    delimiter = ";" if first.count(";") >= first.count(",") else ","
    position = {"line": 1}

    def texts() -> Iterator[str]:
        for number, text in itertools.chain([(1, first)], lines):
            position["line"] = number
            yield text + "\n"

    cells = csv.reader(texts(), delimiter=delimiter)
    try:
        header = _Header(next(cells, []))
        for row_cells in cells:
            row = header.row(position["line"], row_cells)
            if row is not None:
                yield row
    except csv.Error as error:
        raise ImportFileError(
            position["line"],
            "file",
            _("Line %(line)d is not valid CSV: %(error)s")
            % {"line": position["line"], "error": error},
        ) from None


def read_invoices_xlsx(stream: BinaryIO) -> Iterator[InvoiceRow]:
    import openpyxl

    try:
        book = openpyxl.load_workbook(_seekable(stream), read_only=True, data_only=True)
    except _UNREADABLE_XLSX:
        raise ImportFileError(
            1, "file", _("Not a readable XLSX workbook (Excel 2007 or later).")
        ) from None
    try:
        rows = book.active.iter_rows(values_only=True)
        header = _Header(next(rows, ()))
        for line, cells in enumerate(rows, start=2):
            row = header.row(line, list(cells))
            if row is not None:
                yield row
    except _UNREADABLE_XLSX:
        raise ImportFileError(
            1, "file", _("The workbook is damaged: save it again from Excel.")
        ) from None
    finally:
        book.close()


READERS = {"csv": read_invoices_csv, "xlsx": read_invoices_xlsx}
