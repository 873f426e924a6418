"""Invoices in: the billing system's file (dry run, then all or nothing) and by hand."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import openpyxl
import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client as HttpClient
from django.urls import reverse

from payments.cockpit.invoices import invoice_record, invoices_import
from payments.models import Client, ImportBatch, Invoice
from tests.factories import Cast, ClientFactory, make_inn

D = Decimal


@pytest.fixture
def client_a(cast: Cast) -> Client:
    return ClientFactory(name="Alpha", inn=make_inn(), department=cast.dept)


def csv_file(*rows: str, header: str = "ИНН;Номер;Дата;Сумма;Срок оплаты") -> io.BytesIO:
    return io.BytesIO("\n".join([header, *rows]).encode("utf-8"))


def test_a_good_file_is_recorded_with_its_history(cast: Cast, client_a: Client) -> None:
    data = csv_file(f"{client_a.inn};101;01.12.2026;1 500,50;10.12.2026")

    result = invoices_import(user=cast.accountant.user, data=data, fmt="csv")

    assert (result.new, result.duplicate, result.errors, result.written) == (1, 0, [], True)
    invoice = Invoice.objects.get()
    assert (invoice.client, invoice.number, invoice.amount, invoice.month, invoice.due_on) == (
        client_a,
        "101",
        D("1500.50"),
        dt.date(2026, 12, 1),
        dt.date(2026, 12, 10),
    )
    assert invoice.history.count() == 1


def test_importing_the_same_file_again_changes_nothing(cast: Cast, client_a: Client) -> None:
    row = f"{client_a.inn};101;01.12.2026;100.00;10.12.2026"
    invoices_import(user=cast.accountant.user, data=csv_file(row), fmt="csv")

    again = invoices_import(user=cast.accountant.user, data=csv_file(row), fmt="csv")

    assert (again.new, again.duplicate, again.errors) == (0, 1, [])
    assert Invoice.objects.count() == 1


def test_one_bad_row_rejects_the_file_naming_row_and_field(cast: Cast, client_a: Client) -> None:
    data = csv_file(
        f"{client_a.inn};101;01.12.2026;100.00;10.12.2026",
        f"{client_a.inn};102;05.12.2026;-5;10.12.2026",
        "7707083893;103;01.12.2026;100.00;30.11.2026",
        f"{client_a.inn};101;02.12.2026;100.00;10.12.2026",
    )

    result = invoices_import(user=cast.accountant.user, data=data, fmt="csv")

    assert not result.written
    assert [(e.line, e.field) for e in result.errors] == [
        (3, "Сумма"),
        (4, "ИНН"),
        (4, "Срок оплаты"),
        (5, "Номер"),
    ]
    assert not Invoice.objects.exists()


def test_a_number_recorded_with_another_amount_is_an_error(cast: Cast, client_a: Client) -> None:
    invoices_import(
        user=cast.accountant.user,
        data=csv_file(f"{client_a.inn};101;01.12.2026;100.00;10.12.2026"),
        fmt="csv",
    )

    result = invoices_import(
        user=cast.accountant.user,
        data=csv_file(f"{client_a.inn};101;01.12.2026;200.00;10.12.2026"),
        fmt="csv",
    )

    assert [(e.line, e.field) for e in result.errors] == [(2, "number")]
    assert Invoice.objects.get().amount == D("100.00")


def test_a_missing_column_is_named(cast: Cast) -> None:
    result = invoices_import(
        user=cast.accountant.user, data=csv_file(header="ИНН;Номер;Дата;Сумма"), fmt="csv"
    )

    assert result.errors[0].field == "due"


def test_an_xlsx_file_reads_the_same(cast: Cast, client_a: Client) -> None:
    book = openpyxl.Workbook()
    book.active.append(["INN", "Number", "Date", "Amount", "Due date"])
    book.active.append([client_a.inn, "A-7", dt.datetime(2026, 12, 2), 250.1, "2026-12-12"])
    data = io.BytesIO()
    book.save(data)
    data.seek(0)

    result = invoices_import(user=cast.accountant.user, data=data, fmt="xlsx")

    assert result.written
    assert Invoice.objects.get().amount == D("250.10")


def test_staff_cannot_import_invoices(cast: Cast) -> None:
    with pytest.raises(PermissionDenied):
        invoices_import(user=cast.masha.user, data=csv_file(), fmt="csv")


def test_an_invoice_by_hand_obeys_the_same_rules(cast: Cast, client_a: Client) -> None:
    fields = {
        "client": client_a,
        "number": "101",
        "issued_on": dt.date(2026, 12, 1),
        "due_on": dt.date(2026, 12, 10),
        "amount": D("10.00"),
    }
    invoice_record(user=cast.accountant.user, **fields)

    with pytest.raises(ValidationError):
        invoice_record(user=cast.accountant.user, **fields)
    with pytest.raises(ValidationError) as refused:
        invoice_record(
            user=cast.accountant.user, **{**fields, "number": "102", "due_on": dt.date(2026, 11, 1)}
        )
    assert "due_on" in refused.value.message_dict
    assert Invoice.objects.count() == 1


def test_the_upload_page_shows_the_dry_run_then_imports_on_confirm(
    cast: Cast, client_a: Client
) -> None:
    http = HttpClient(HTTP_ACCEPT_LANGUAGE="en")
    http.force_login(cast.accountant.user)
    upload = csv_file(f"{client_a.inn};101;01.12.2026;100.00;10.12.2026")
    upload.name = "invoices.csv"

    checked = http.post(reverse("invoice_upload"), {"file": upload, "format": "csv"})
    preview = http.get(reverse("invoice_confirm"))

    assert checked.status_code == 302
    assert "1 new invoices to record" in preview.content.decode()
    assert not Invoice.objects.exists()
    confirmed = http.post(reverse("invoice_confirm"), {})
    assert Invoice.objects.count() == 1
    batch = ImportBatch.objects.get()
    assert confirmed["Location"] == reverse("import_batch", args=[batch.pk])
    page = http.get(confirmed["Location"]).content.decode()
    assert "Imported 1 new invoices; 0 were recorded already." in page
    assert "New invoices" in page
    assert "Unmatched payers" not in page


def test_the_preview_lists_row_errors_and_offers_no_import(cast: Cast) -> None:
    http = HttpClient(HTTP_ACCEPT_LANGUAGE="en")
    http.force_login(cast.accountant.user)
    upload = csv_file("7707083893;101;01.12.2026;100.00;10.12.2026")
    upload.name = "invoices.csv"

    http.post(reverse("invoice_upload"), {"file": upload, "format": "csv"})
    page = http.get(reverse("invoice_confirm")).content.decode()

    assert "No client has the INN 7707083893" in page
    assert ">Import<" not in page
