"""Payroll files never carry a live spreadsheet formula (CSV/XLSX injection).

Names that a spreadsheet would run (``=HYPERLINK(...)``, ``+``, ``-``, ``@``, tab, CR) come
out as inert text; money stays numeric.
"""

from __future__ import annotations

import csv
import io
from decimal import Decimal
from typing import Any

import openpyxl
import pytest
from django.contrib import admin
from django.test import Client as WebClient
from django.urls import reverse
from hypothesis import example, given
from hypothesis import strategies as st
from import_export.forms import SelectableFieldsExportForm

from compensation import exports
from compensation.exports import FORMULA_STARTS, neutralise
from compensation.models import BonusPeriod, PayLine, Revision
from compensation.selectors import current_revision
from tests.factories import Cast, ClientFactory, PaymentFactory
from tests.test_workflow_helpers import approved_october

EVIL = {
    "head": '=HYPERLINK("http://evil","x")',
    "masha": "+7 (495) 123-45-67",
    "vasya": "-2+3",
    "olya": "@SUM(A1:A9)",
    "department": "\t=1+1",
    "position": "\r=cmd|' /C calc'!A0",
    "director": "=1+1",
}
CASES = [(layout, ext) for layout in ("standard", "zup") for ext in ("csv", "xlsx")]


@pytest.fixture
def approved(cast: Cast) -> Revision:
    """October approved, with every name a would-be formula."""
    for key in ("head", "masha", "vasya", "olya"):
        employee = getattr(cast, key)
        employee.full_name = EVIL[key]
        employee.position = EVIL["position"]
        employee.save()
    cast.dept.name = EVIL["department"]
    cast.dept.save()
    cast.director.user.first_name = EVIL["director"]
    cast.director.user.save()
    period: BonusPeriod = approved_october(cast)
    return current_revision(period)


def _lines(revision: Revision) -> list[PayLine]:
    return list(revision.pay_lines.select_related("employee").order_by("order"))


def _file(revision: Revision, layout: str, extension: str) -> bytes:
    write = exports.to_csv if extension == "csv" else exports.to_xlsx
    return write(exports.LAYOUTS[layout], revision, _lines(revision))


def _csv_cells(content: bytes, layout: str) -> list[list[str]]:
    text = content.decode("cp1251") if layout == "zup" else content.decode("utf-8-sig")
    delimiter = ";" if layout == "zup" else ","
    return list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))


def assert_inert_csv(content: bytes, layout: str) -> None:
    rows = _csv_cells(content, layout)
    cells = [cell for row in rows[1:] for cell in row]
    assert not [cell for cell in cells if cell.startswith(FORMULA_STARTS)]
    for name in EVIL.values():
        if name in (EVIL["director"], EVIL["position"]) and layout == "zup":
            continue  # the ZUP layout shows neither
        assert f"'{name}" in cells, name


def assert_inert_xlsx(content: bytes, revision: Revision) -> None:
    sheet = openpyxl.load_workbook(io.BytesIO(content)).active
    rows = list(sheet.iter_rows(min_row=2))
    for row in rows:
        for cell in row:
            assert cell.data_type != "f", cell.coordinate
            if isinstance(cell.value, str) and cell.value.startswith("="):
                assert cell.data_type == "s", cell.coordinate
    texts = {cell.value for row in rows for cell in row if cell.data_type == "s"}
    assert EVIL["head"] in texts
    _assert_money_is_numeric(sheet, revision)


def _assert_money_is_numeric(sheet: object, revision: Revision) -> None:
    titles = [cell.value for cell in next(sheet.iter_rows(max_row=1))]  # type: ignore[attr-defined]
    money = [i for i, title in enumerate(titles) if title in ("Bonus", "Сумма")]
    bonuses = [
        row[money[0]]
        for row in sheet.iter_rows(min_row=2)  # type: ignore[attr-defined]
    ]
    assert all(cell.data_type == "n" for cell in bonuses)
    # openpyxl reads numbers back as float; compare their exact decimal spelling.
    written = [Decimal(repr(cell.value)).quantize(Decimal("0.01")) for cell in bonuses]
    assert written == [line.bonus for line in _lines(revision)]


@pytest.mark.parametrize(("layout", "extension"), CASES)
def test_the_payroll_files_neutralise_formulas(
    approved: Revision, layout: str, extension: str
) -> None:
    content = _file(approved, layout, extension)

    if extension == "csv":
        assert_inert_csv(content, layout)
    else:
        assert_inert_xlsx(content, approved)


@pytest.mark.parametrize(("layout", "extension"), CASES)
def test_the_payroll_download_neutralises_formulas(
    cast: Cast, approved: Revision, layout: str, extension: str
) -> None:
    web = WebClient()
    web.force_login(cast.accountant.user)
    url = reverse(
        "payroll_export",
        kwargs={
            "pk": approved.period_id,
            "number": approved.number,
            "layout": layout,
            "extension": extension,
        },
    )

    response = web.post(url)

    assert response.status_code == 200
    if extension == "csv":
        assert_inert_csv(response.content, layout)
    else:
        assert_inert_xlsx(response.content, approved)


def test_the_standard_csv_keeps_money_as_plain_numbers(approved: Revision) -> None:
    rows = _csv_cells(_file(approved, "standard", "csv"), "standard")
    totals = [Decimal(row[rows[0].index("Total")]) for row in rows[1:]]

    assert totals == [line.total for line in _lines(approved)]


@given(text=st.text())
@example(text='=HYPERLINK("http://x","y")')
@example(text="\t=1")
@example(text="\r=1")
@example(text="'=already quoted")
@example(text="")
def test_neutralise_leaves_no_formula_start(text: str) -> None:
    result = neutralise(text)

    assert not result.startswith(FORMULA_STARTS)
    if text.startswith(FORMULA_STARTS):
        assert result == f"'{text}"
    else:
        assert result == text


# --- the admin's spreadsheet exports (django-import-export) ------------------------------

HOSTILE_TEXT = '=HYPERLINK("http://x","y")'


@pytest.fixture
def hostile_rows(cast: Cast) -> Cast:
    """A would-be formula in every text the admin's exports carry."""
    from accounts.models import Employee
    from payments.models import Client, Payment

    cast.dept.name = HOSTILE_TEXT
    cast.dept.save()
    Employee.objects.filter(pk=cast.masha.pk).update(
        full_name=HOSTILE_TEXT, position="@SUM(A1:A9)", personnel_number="-1+1"
    )
    client = ClientFactory(department=cast.dept, name=HOSTILE_TEXT)
    PaymentFactory(client=client, source_ref="+7 (495) 123")
    assert Client.objects.filter(name=HOSTILE_TEXT).exists()
    assert Payment.objects.filter(source_ref__startswith="+").exists()
    return cast


def _export_admins() -> list[Any]:
    return [
        model_admin
        for model_admin in admin.site._registry.values()
        if getattr(model_admin, "resource_classes", None)
    ]


def test_every_resource_of_the_product_is_behind_an_admin_export() -> None:
    exported = {
        resource for model_admin in _export_admins() for resource in model_admin.resource_classes
    }
    assert {r.__name__ for r in exported} == {
        "DepartmentResource",
        "EmployeeResource",
        "MembershipResource",
        "BaseSalaryResource",
        "ClientResource",
        "PaymentResource",
    }


def _admin_export(web: WebClient, model_admin: Any, extension: str) -> bytes:
    formats = model_admin.get_export_formats()
    index = next(i for i, f in enumerate(formats) if f().get_extension() == extension)
    resource = model_admin.resource_classes[0]
    chosen = {
        SelectableFieldsExportForm.create_boolean_field_name(resource, name): "on"
        for name in resource().get_export_order()
    }
    opts = model_admin.model._meta
    url = reverse(f"admin:{opts.app_label}_{opts.model_name}_export")
    response = web.post(url, {"format": index, "resource": 0, **chosen})
    assert response.status_code == 200, response.content[:500]
    assert response["Content-Disposition"].startswith("attachment")
    return response.content


@pytest.mark.parametrize("extension", ["csv", "xlsx"])
def test_the_admins_exports_carry_no_live_formula(hostile_rows: Cast, extension: str) -> None:
    web = WebClient()
    web.force_login(hostile_rows.admin)
    for model_admin in _export_admins():
        content = _admin_export(web, model_admin, extension)
        if extension == "csv":
            rows = list(csv.reader(io.StringIO(content.decode("utf-8-sig"), newline="")))
            cells = [cell for row in rows[1:] for cell in row]
        else:
            sheet = openpyxl.load_workbook(io.BytesIO(content)).active
            typed = [cell for row in sheet.iter_rows(min_row=2) for cell in row]
            assert not [cell.coordinate for cell in typed if cell.data_type == "f"]
            cells = [cell.value for cell in typed if isinstance(cell.value, str)]
        name = model_admin.model.__name__
        assert cells, name
        assert not [cell for cell in cells if cell.startswith(FORMULA_STARTS)], name
        assert [cell for cell in cells if cell.startswith(("'=", "'+", "'-", "'@"))], name


def test_the_admins_xlsx_keeps_amounts_numeric(hostile_rows: Cast) -> None:
    web = WebClient()
    web.force_login(hostile_rows.admin)
    payments = next(m for m in _export_admins() if m.model.__name__ == "Payment")
    sheet = openpyxl.load_workbook(io.BytesIO(_admin_export(web, payments, "xlsx"))).active
    titles = [cell.value for cell in next(sheet.iter_rows(max_row=1))]
    amounts = [row[titles.index("amount")] for row in sheet.iter_rows(min_row=2)]
    assert amounts
    assert all(cell.data_type == "n" for cell in amounts)
