"""The year as a workbook: a department's twelve months, a person's own twelve months.

Text cells (a department's name) are neutralised against formula injection as the
payroll exports are (``compensation.exports.neutralise``); amounts stay numbers.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from django.http import HttpResponse
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from openpyxl import Workbook

from accounts.models import Employee
from compensation.company import DepartmentYear, PersonMonth
from compensation.exports import neutralise

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
MONEY_FORMAT = "#,##0.00"
MONTH_FORMAT = "MM.YYYY"


def _workbook(title: str, header: Sequence[str], rows: Sequence[Sequence[Any]]) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = title[:31]
    sheet.append(list(header))
    for row in rows:
        sheet.append([neutralise(v) if isinstance(v, str) else v for v in row])
    for cells in sheet.iter_rows(min_row=2):
        for cell in cells:
            if cell.data_type == "f":
                # openpyxl reads a leading "=" as a formula; keep it inert text.
                cell.data_type = "s"
            elif cell.column == 1:
                cell.number_format = MONTH_FORMAT
            elif isinstance(cell.value, Decimal):
                # Money to the kopeck; counts (milestones met) stay whole numbers.
                cell.number_format = MONEY_FORMAT
    sheet.freeze_panes = "A2"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _response(content: bytes, name: str) -> HttpResponse:
    response = HttpResponse(content, content_type=XLSX)
    response["Content-Disposition"] = content_disposition_header(True, name)
    return response


def department_year_response(data: DepartmentYear) -> HttpResponse:
    header = [
        _("Month"),
        _("Department"),
        _("Plan"),
        _("Collected"),
        _("Milestones met"),
        _("Bonus pool"),
        _("Head's bonus"),
        _("Staff bonuses"),
        _("Period state"),
    ]
    rows = [
        [
            m.month,
            data.department.name,
            m.plan,
            m.collected,
            m.gates_met,
            m.pool,
            m.head,
            m.staff_pool,
            str(m.state_label),
        ]
        for m in data.months
    ]
    name = f"year-{data.department.pk}-{data.year}.xlsx"
    return _response(_workbook(str(data.year), header, rows), name)


def person_year_response(
    employee: Employee, year: int, months: Sequence[PersonMonth]
) -> HttpResponse:
    header = [_("Month"), _("Department"), _("Base salary"), _("Bonus"), _("Total pay"), _("Paid")]
    rows = [
        [m.month, m.department, m.base_salary, m.bonus, m.total, _("yes") if m.paid else _("no")]
        for m in months
    ]
    name = f"my-year-{employee.personnel_number}-{year}.xlsx"
    return _response(_workbook(str(year), header, rows), name)
