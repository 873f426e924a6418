"""Readers for spreadsheets of payments: CSV and XLSX with the columns date, amount,
client INN or name, reference, headed in English or Russian.

Both stream: CSV line by line, XLSX through openpyxl's read-only mode (the same engine
django-import-export's XLSX format uses, minus building a whole ``tablib.Dataset``).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import itertools
import zipfile
import zlib
from collections.abc import Iterable, Iterator
from decimal import Decimal
from typing import Any, BinaryIO

from django.utils.translation import gettext as _

from payments.importing.readers.encoding import decoded_lines, sniff_encoding
from payments.importing.rows import FieldNames, ImportFileError, RawRow

# Header (lower-cased) → the row field it fills.
COLUMNS = {
    "date": "date",
    "дата": "date",
    "amount": "amount",
    "сумма": "amount",
    "inn": "inn",
    "инн": "inn",
    "client": "client",
    "клиент": "client",
    "reference": "reference",
    "номер": "reference",
    "purpose": "purpose",
    "назначение": "purpose",
}


class Header:
    """Which column holds which field, checked once at the top of the file."""

    def __init__(self, cells: Iterable[Any]) -> None:
        self.index: dict[str, int] = {}
        self.titles: dict[str, str] = {}
        for position, cell in enumerate(cells):
            title = cell_text(cell)
            field = COLUMNS.get(title.lower())
            if field and field not in self.index:
                self.index[field] = position
                self.titles[field] = title
        self._check()
        self.names = FieldNames(
            date=self.titles["date"],
            amount=self.titles["amount"],
            inn=self.titles.get("inn", self.titles.get("client", "inn")),
            client=self.titles.get("client", "client"),
            reference=self.titles.get("reference", "reference"),
        )

    def _check(self) -> None:
        missing = [name for name in ("date", "amount") if name not in self.index]
        if "inn" not in self.index and "client" not in self.index:
            missing.append("inn / client")
        if missing:
            raise ImportFileError(
                1,
                ", ".join(missing),
                _(
                    "Missing column(s) %(missing)s. The header must name date (Дата), amount "
                    "(Сумма), the client's INN (ИНН) or name (Клиент), and optionally reference "
                    "(Номер)."
                )
                % {"missing": ", ".join(missing)},
            )

    def row(self, line: int, cells: list[Any]) -> RawRow | None:
        """The raw row, or None for a blank line."""
        return self._row(line, {field: cell_text(_at(cells, i)) for field, i in self.index.items()})

    def text_row(self, line: int, cells: list[str]) -> RawRow | None:
        """``row`` for cells that are text already (CSV): a million of them, kept lean."""
        count = len(cells)
        return self._row(
            line,
            {field: cells[i].strip() if i < count else "" for field, i in self.index.items()},
        )

    def _row(self, line: int, values: dict[str, str]) -> RawRow | None:
        if not any(values.values()):
            return None
        inn, client = values.get("inn", ""), values.get("client", "")
        # One "client" column may hold either the INN or the name; an INN is all digits.
        if not inn and client.isdigit():
            inn, client = client, ""
        return RawRow(
            line=line,
            date=values["date"],
            amount=values["amount"],
            inn=inn,
            name=client,
            reference=values.get("reference", ""),
            purpose=values.get("purpose", ""),
            names=self.names,
        )


def _at(cells: list[Any], index: int) -> Any:
    return cells[index] if index < len(cells) else None


def cell_text(value: Any) -> str:
    """A cell as text. openpyxl gives numbers as float: this is the only place one exists,
    and it is turned into its shortest decimal spelling before anything else sees it."""
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float):
        return str(Decimal(repr(value)))
    return str(value).strip()


def read_csv(stream: BinaryIO) -> Iterator[RawRow]:
    """Rows of a CSV file: comma or semicolon, UTF-8 (BOM or not) or Windows-1251."""
    lines = csv_lines(stream)
    header = Header(next(lines, (1, []))[1])
    for line, cells in lines:
        row = header.text_row(line, cells)
        if row is not None:
            yield row


def csv_lines(stream: BinaryIO) -> Iterator[tuple[int, list[str]]]:
    """Each row's cells, header first, with the line the row starts on (any CSV file of
    ours: payments, invoices, absences); a malformed line stops it with its number."""
    lines = decoded_lines(stream, sniff_encoding(stream))
    first = next(lines, (1, ""))[1]
    delimiter = ";" if first.count(";") >= first.count(",") else ","
    numbered = itertools.chain([(1, first)], lines)
    # csv needs the text only; the line number of a row is the one its first line had.
    position = {"line": 1}

    def texts() -> Iterator[str]:
        for number, text in numbered:
            position["line"] = number
            yield text + "\n"

    try:
        for cells in csv.reader(texts(), delimiter=delimiter):
            yield position["line"], cells
    except csv.Error as error:
        # A stray line break or quote, or a field beyond csv's size limit.
        raise ImportFileError(
            position["line"],
            "file",
            _("Line %(line)d is not valid CSV: %(error)s")
            % {"line": position["line"], "error": error},
        ) from None


# What openpyxl and zipfile raise for a damaged workbook, at opening or while streaming
# the sheet (a bad CRC, a broken deflate stream, malformed XML inside the zip).
_UNREADABLE_XLSX = (
    zipfile.BadZipFile,
    zlib.error,
    EOFError,
    KeyError,
    OSError,
    ValueError,
    TypeError,
    IndexError,
    AttributeError,
    SyntaxError,  # xml.etree's ParseError
    RuntimeError,  # zipfile: a member flagged as encrypted
    NotImplementedError,  # zipfile: an unknown compression method
)


def read_xlsx(stream: BinaryIO) -> Iterator[RawRow]:
    """Rows of the first sheet of an XLSX workbook, streamed in read-only mode."""
    lines = xlsx_lines(stream)
    header = Header(next(lines, (1, []))[1])
    for line, cells in lines:
        row = header.row(line, cells)
        if row is not None:
            yield row


def xlsx_lines(stream: BinaryIO) -> Iterator[tuple[int, list[Any]]]:
    """Each row's cells of the first sheet, header first, with its row number; a damaged
    workbook stops it with the row it was reading."""
    import openpyxl

    try:
        book = openpyxl.load_workbook(_seekable(stream), read_only=True, data_only=True)
    except _UNREADABLE_XLSX:
        raise ImportFileError(
            1, "file", _("Not a readable XLSX workbook (Excel 2007 or later).")
        ) from None
    line = 1
    try:
        for line, cells in enumerate(book.active.iter_rows(values_only=True), start=1):
            yield line, list(cells)
    except _UNREADABLE_XLSX:
        raise ImportFileError(
            line,
            "file",
            _("The workbook is damaged near row %(line)d: save it again from Excel.")
            % {"line": line},
        ) from None
    finally:
        book.close()


def _seekable(stream: BinaryIO) -> BinaryIO:
    return stream if stream.seekable() else io.BytesIO(stream.read())
