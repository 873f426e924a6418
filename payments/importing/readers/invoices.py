"""The billing system's export of invoices, as CSV or XLSX: client INN, number, date,
amount and due date, headed in English or Russian.

The spreadsheet plumbing (encodings, a damaged workbook, a float cell) is that of the
payments' reader (``csv_xlsx``); only the columns differ.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any, BinaryIO, NamedTuple

from django.utils.translation import gettext as _

from payments.importing.readers.csv_xlsx import cell_text, csv_lines, xlsx_lines
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
    return _invoices(csv_lines(stream))


def read_invoices_xlsx(stream: BinaryIO) -> Iterator[InvoiceRow]:
    """Rows of the first sheet of an XLSX workbook."""
    return _invoices(xlsx_lines(stream))


def _invoices(lines: Iterator[tuple[int, list[Any]]]) -> Iterator[InvoiceRow]:
    header = _Header(next(lines, (1, []))[1])
    for line, cells in lines:
        row = header.row(line, cells)
        if row is not None:
            yield row


_JSON_TITLES = {name: name for name in REQUIRED}


def read_invoices_json(stream: BinaryIO) -> Iterator[InvoiceRow]:
    """Rows of a JSON array of objects with the fields ``inn``, ``number``, ``date``,
    ``amount`` and ``due`` (the HTTP API's body), counted from 1."""
    from payments.importing.readers.json_rows import json_items

    for line, item in enumerate(json_items(stream), start=1):
        if not isinstance(item, dict):
            raise ImportFileError(line, "row", _("Each row must be a JSON object."))
        values = {name: "" if item.get(name) is None else str(item[name]) for name in REQUIRED}
        yield InvoiceRow(line=line, titles=_JSON_TITLES, **values)


READERS = {"csv": read_invoices_csv, "xlsx": read_invoices_xlsx, "json": read_invoices_json}
