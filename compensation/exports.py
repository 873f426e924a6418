"""Payroll files for the accountant: the approved lines of one revision, to the kopeck.

Two layouts, each as CSV and XLSX:

- ``standard``: one row per person with base salary, bonus and total pay, as the
  user's spreadsheet reads it: in Russian ``;``-separated with decimal commas, in
  English ``,``-separated with decimal points; UTF-8 with a BOM, times in local time;
- ``zup``: the columns an accountant keys into 1C:ZUP's «Премия» document
  (``shared/samples/FORMATS.md``): cp1251, ``;``-separated CSV with Russian number
  formatting, and an XLSX with numeric cells formatted ``#,##0.00``.

Corrections of earlier paid months due in the file's month follow the pay lines, one row
each, marked with the month they correct (the standard layout's last column; in 1C:ZUP's
its dates "from" and "to").

Text cells are neutralised against spreadsheet formula injection: a value that a
spreadsheet would run as a formula is written as plain text.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _
from openpyxl import Workbook

from compensation.models import Correction, PayLine, Revision
from core.months import month_label

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
NBSP = "\N{NO-BREAK SPACE}"


def neutralise(text: str) -> str:
    """Prefix a would-be formula with an apostrophe so spreadsheets show it as text."""
    return f"'{text}" if text.startswith(FORMULA_STARTS) else text


def ru_number(amount: Decimal) -> str:
    """``48750.00`` → ``48 750,00`` as Russian Excel reads it (no-break space groups)."""
    grouped = f"{amount:,.2f}"
    return grouped.replace(",", NBSP).replace(".", ",")


@dataclass(frozen=True)
class Column:
    title: str  # the standard layout's titles follow the user's language
    kind: str  # "text", "money", "date", "month", "int", "datetime"


@dataclass(frozen=True)
class Layout:
    name: str
    sheet: str
    columns: tuple[Column, ...]
    rows: Callable[[Revision, Sequence[PayLine], Sequence[Correction]], list[list[Any]]]


def _approver(revision: Revision) -> str:
    approver = revision.approved_by
    return (approver.get_full_name() or approver.get_username()) if approver else ""


def _standard_rows(
    revision: Revision, lines: Sequence[PayLine], corrections: Sequence[Correction]
) -> list[list[Any]]:
    period = revision.period
    approved_by = _approver(revision)
    paid = [
        [
            period.month,
            line.employee.personnel_number,
            line.employee.full_name,
            line.employee.position,
            period.department.name,
            line.base_salary,
            line.bonus,
            line.total,
            approved_by,
            revision.approved_at,
            revision.number,
            None,
        ]
        for line in lines
    ]
    return paid + [
        [
            period.month,
            c.employee.personnel_number,
            c.employee.full_name,
            c.employee.position,
            period.department.name,
            None,
            c.applied,
            c.applied,
            _approver(c.revision),
            c.revision.approved_at,
            c.revision.number,
            c.month,
        ]
        for c in corrections
    ]


def _last_day(first: dt.date) -> dt.date:
    return (first.replace(day=28) + dt.timedelta(days=4)).replace(day=1) - dt.timedelta(days=1)


def _zup_basis(revision: Revision) -> str:
    approved = revision.approved_at.date() if revision.approved_at else None
    return f"Утверждено {approved:%d.%m.%Y}, редакция {revision.number}" if approved else ""


def _zup_rows(
    revision: Revision, lines: Sequence[PayLine], corrections: Sequence[Correction]
) -> list[list[Any]]:
    period = revision.period
    first = period.month
    last = _last_day(first)
    basis = _zup_basis(revision)
    paid = [
        [
            line.employee.personnel_number,
            line.employee.full_name,
            period.department.name,
            "Премия по итогам работы отдела",
            first,
            first,
            last,
            line.bonus,
            basis,
        ]
        for line in lines
    ]
    return paid + [
        [
            c.employee.personnel_number,
            c.employee.full_name,
            period.department.name,
            "Перерасчёт премии по итогам работы отдела",
            first,
            c.month,
            _last_day(c.month),
            c.applied,
            f"Корректировка за {c.month:%m.%Y}: {_zup_basis(c.revision)}; {c.reason}",
        ]
        for c in corrections
    ]


STANDARD = Layout(
    name="standard",
    sheet=_("Payroll"),
    columns=(
        Column(_("Period"), "month"),
        Column(_("Personnel number"), "text"),
        Column(_("Full name"), "text"),
        Column(_("Position"), "text"),
        Column(_("Department"), "text"),
        Column(_("Base salary"), "money"),
        Column(_("Bonus"), "money"),
        Column(_("Total"), "money"),
        Column(_("Approved by"), "text"),
        Column(_("Approved at"), "datetime"),
        Column(_("Revision"), "int"),
        Column(_("Corrects month"), "month"),
    ),
    rows=_standard_rows,
)

ZUP = Layout(
    name="zup",
    sheet="Премии",
    columns=(
        Column("Табельный номер", "text"),
        Column("ФИО", "text"),
        Column("Подразделение", "text"),
        Column("Вид начисления", "text"),
        Column("Месяц начисления", "month"),
        Column("Период с", "date"),
        Column("Период по", "date"),
        Column("Сумма", "money"),
        Column("Основание", "text"),
    ),
    rows=_zup_rows,
)

LAYOUTS = {layout.name: layout for layout in (STANDARD, ZUP)}


def _csv_cell(value: Any, kind: str, russian: bool) -> str:
    if value is None:
        return ""
    if kind == "money":
        return ru_number(value) if russian else f"{value:.2f}"
    if kind == "month":
        return f"{value:%m.%Y}"
    if kind == "date":
        return f"{value:%d.%m.%Y}" if russian else value.isoformat()
    if kind == "datetime":
        # The company's local time, as the people who read the file live by it.
        local = timezone.localtime(value)
        return f"{local:%d.%m.%Y %H:%M}" if russian else f"{local:%Y-%m-%d %H:%M}"
    if kind == "int":
        return str(value)
    return neutralise(str(value))


def _standard_number(amount: Decimal, russian: bool) -> str:
    # Ungrouped, so that any spreadsheet of the language takes it as a number.
    return f"{amount:.2f}".replace(".", ",") if russian else f"{amount:.2f}"


def to_csv(
    layout: Layout,
    revision: Revision,
    lines: Sequence[PayLine],
    corrections: Sequence[Correction] = (),
) -> bytes:
    """A CSV file the reader's spreadsheet opens in columns (see :func:`csv_bytes`)."""
    return csv_bytes(layout, layout.rows(revision, lines, corrections))


def csv_bytes(layout: Layout, rows: Sequence[Sequence[Any]]) -> bytes:
    """The layout's ``rows`` as a CSV file the reader's spreadsheet opens in columns.

    The ZUP layout is always Russian and cp1251, as 1C expects it. The standard one
    follows the active language: Russian Excel splits on ``;`` and reads decimal
    commas; English on ``,`` with decimal points. Both UTF-8 with a BOM.
    """
    zup = layout is ZUP
    russian = zup or (translation.get_language() or "").startswith("ru")
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";" if russian else ",", lineterminator="\r\n")
    writer.writerow([neutralise(str(column.title)) for column in layout.columns])
    for row in rows:
        writer.writerow(
            [
                _standard_number(value, russian)
                if column.kind == "money" and not zup and value is not None
                else _csv_cell(value, column.kind, russian)
                for value, column in zip(row, layout.columns, strict=True)
            ]
        )
    text = buffer.getvalue()
    # cp1251 has no letters such as "ü" or "Ә": they become "?" rather than failing the
    # file; the personnel number, not the name, is what 1C matches on.
    return text.encode("cp1251", errors="replace") if zup else text.encode("utf-8-sig")


_XLSX_FORMATS = {
    "money": "#,##0.00",
    "month": "MM.YYYY",
    "date": "DD.MM.YYYY",
    "datetime": "DD.MM.YYYY HH:MM",
    "int": "0",
}


def _xlsx_value(value: Any, kind: str) -> Any:
    if kind == "datetime" and value is not None:
        # Spreadsheets have no time zones: write the company's local time.
        return timezone.localtime(value).replace(tzinfo=None)
    return value


def to_xlsx(
    layout: Layout,
    revision: Revision,
    lines: Sequence[PayLine],
    corrections: Sequence[Correction] = (),
) -> bytes:
    return xlsx_bytes(layout, layout.rows(revision, lines, corrections))


def xlsx_bytes(layout: Layout, rows: Sequence[Sequence[Any]]) -> bytes:
    """The layout's ``rows`` as a workbook: numbers as numbers, formatted."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = str(layout.sheet)
    sheet.append([str(column.title) for column in layout.columns])
    for row in rows:
        sheet.append(
            [
                _xlsx_value(value, column.kind)
                for value, column in zip(row, layout.columns, strict=True)
            ]
        )
    for index, column in enumerate(layout.columns, start=1):
        for (cell,) in sheet.iter_rows(min_row=2, min_col=index, max_col=index):
            if column.kind in _XLSX_FORMATS:
                cell.number_format = _XLSX_FORMATS[column.kind]
            elif cell.data_type == "f":
                # openpyxl treats a leading "=" as a formula; keep it inert text.
                cell.data_type = "s"
        width = max(len(str(column.title)), 12)
        sheet.column_dimensions[sheet.cell(row=1, column=index).column_letter].width = width + 2
    sheet.freeze_panes = "A2"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def export_file_name(layout: Layout, revision: Revision, extension: str) -> str:
    period = revision.period
    # The month in words of the user's language ("октябрь-2026"), never "2026-10".
    month = month_label(period.month).replace(" ", "-")
    stem = f"payroll-{layout.name}-{period.department_id}-{month}"
    return f"{stem}-r{revision.number}.{extension}"
