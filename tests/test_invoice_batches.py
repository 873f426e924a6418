"""Invoice files through the one import pipeline: each import keeps its batch, the
dry run keeps nothing, a rejected file's batch names its rows, and a large file goes to
the worker exactly as a large statement does."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client as HttpClient
from django.urls import reverse
from django.utils import timezone

from compensation.services.closing import _running_imports
from payments.cockpit.invoices import invoices_import
from payments.models import Client, ImportBatch, ImportKind, ImportStatus, ImportUpload, Invoice
from payments.tasks import import_batch_retry, import_upload_store
from tests.factories import Cast, ClientFactory, make_inn

D = Decimal
HEADER = "ИНН;Номер;Дата;Сумма;Срок оплаты"


@pytest.fixture(autouse=True)
def _english(settings: object) -> None:
    settings.LANGUAGE_CODE = "en"


@pytest.fixture
def alpha(cast: Cast) -> Client:
    return ClientFactory(name="Alpha", inn=make_inn(), department=cast.dept)


def invoices_csv(*rows: str) -> bytes:
    return "\n".join([HEADER, *rows]).encode("utf-8")


def good(alpha: Client, count: int = 3) -> bytes:
    return invoices_csv(
        *(f"{alpha.inn};N-{n};01.12.2026;{n + 1}00,00;10.12.2026" for n in range(count))
    )


def test_an_import_keeps_its_batch_with_its_counts(cast: Cast, alpha: Client) -> None:
    first = invoices_import(
        user=cast.accountant.user, data=good(alpha, 2), fmt="csv", file_name="dec.csv"
    )
    again = invoices_import(
        user=cast.accountant.user, data=good(alpha, 3), fmt="csv", file_name="dec2.csv"
    )

    batches = {b.file_name: b for b in ImportBatch.objects.all()}
    assert {
        name: (b.kind, b.status, b.new_count, b.duplicate_count) for name, b in batches.items()
    } == {
        "dec.csv": (ImportKind.INVOICES, ImportStatus.DONE, 2, 0),
        "dec2.csv": (ImportKind.INVOICES, ImportStatus.DONE, 1, 2),
    }
    assert first.batch == batches["dec.csv"]
    assert again.new_amount == D("300.00")
    invoice = Invoice.objects.get(number="N-2")
    assert (invoice.import_batch, invoice.recorded_by) == (
        batches["dec2.csv"],
        cast.accountant.user,
    )
    assert invoice.history.get().history_user == cast.accountant.user


def test_a_dry_run_keeps_neither_invoices_nor_a_batch(cast: Cast, alpha: Client) -> None:
    result = invoices_import(user=cast.accountant.user, data=good(alpha), fmt="csv", dry_run=True)

    assert (result.new, result.accepted, result.written) == (3, True, False)
    assert not ImportBatch.objects.exists()
    assert not Invoice.objects.exists()


def test_a_rejected_file_keeps_a_rejected_batch_naming_its_rows(cast: Cast, alpha: Client) -> None:
    data = invoices_csv(
        f"{alpha.inn};1;01.12.2026;100,00;10.12.2026",
        f"{alpha.inn};2;01.12.2026;сто;30.11.2026",
        "7707083893;3;01.12.2026;100,00;10.12.2026",
    )

    result = invoices_import(user=cast.accountant.user, data=data, fmt="csv", file_name="bad.csv")

    batch = ImportBatch.objects.get()
    assert (batch.kind, batch.status, batch.new_count, batch.rejected_count) == (
        ImportKind.INVOICES,
        ImportStatus.REJECTED,
        0,
        2,
    )
    assert [(e["line"], e["field"]) for e in batch.errors] == [
        (3, "Сумма"),
        (3, "Срок оплаты"),
        (4, "ИНН"),
    ]
    assert result.rejected == 2
    assert not Invoice.objects.exists()


def test_a_payments_format_is_not_an_invoices_one(cast: Cast) -> None:
    result = invoices_import(user=cast.accountant.user, data=b"x", fmt="1c", dry_run=True)

    assert [(e.field, e.message) for e in result.errors] == [("format", "Unknown format 1c.")]


def test_a_large_invoices_file_is_imported_by_the_worker(
    cast: Cast, alpha: Client, settings: object, django_capture_on_commit_callbacks: object
) -> None:
    settings.IMPORT_BACKGROUND_BYTES = 100
    http = HttpClient(HTTP_ACCEPT_LANGUAGE="en")
    http.force_login(cast.accountant.user)
    upload = SimpleUploadedFile("december.csv", good(alpha, 40))

    with django_capture_on_commit_callbacks(execute=True):
        response = http.post(reverse("invoice_upload"), {"file": upload, "format": "csv"})

    batch = ImportBatch.objects.get()
    assert response["Location"] == reverse("import_batch", args=[batch.pk])
    assert (batch.kind, batch.status, batch.new_count) == (
        ImportKind.INVOICES,
        ImportStatus.DONE,
        40,
    )
    assert Invoice.objects.filter(import_batch=batch).count() == 40
    assert not ImportUpload.objects.exists()  # the bytes have served
    page = http.get(response["Location"]).content.decode()
    assert 'data-count="new">40<' in page


def test_a_bad_large_file_saves_nothing_and_its_batch_says_why(
    cast: Cast, alpha: Client, settings: object, django_capture_on_commit_callbacks: object
) -> None:
    settings.IMPORT_BACKGROUND_BYTES = 100
    http = HttpClient(HTTP_ACCEPT_LANGUAGE="en")
    http.force_login(cast.accountant.user)
    data = good(alpha, 40) + b"\n" + f"{alpha.inn};X;01.12.2026;-1;10.12.2026".encode()

    with django_capture_on_commit_callbacks(execute=True):
        http.post(
            reverse("invoice_upload"),
            {"file": SimpleUploadedFile("bad.csv", data), "format": "csv"},
        )

    batch = ImportBatch.objects.get()
    assert (batch.status, batch.rejected_count, batch.errors[0]["line"]) == (
        ImportStatus.REJECTED,
        1,
        42,
    )
    assert not Invoice.objects.exists()


def test_a_stopped_invoices_import_runs_again_as_invoices(
    cast: Cast, alpha: Client, django_capture_on_commit_callbacks: object
) -> None:
    stored = import_upload_store(
        file_name="dec.csv",
        chunks=[good(alpha, 2)],
        size=len(good(alpha, 2)),
        fmt="csv",
        user=cast.accountant.user,
        kind=ImportKind.INVOICES,
    )
    ImportBatch.objects.filter(pk=stored.pk).update(
        status=ImportStatus.FAILED, finished_at=timezone.now()
    )

    with django_capture_on_commit_callbacks(execute=True):
        again = import_batch_retry(user=cast.accountant.user, batch=stored)

    again.refresh_from_db()
    assert (again.kind, again.status, again.new_count) == (
        ImportKind.INVOICES,
        ImportStatus.DONE,
        2,
    )
    assert Invoice.objects.count() == 2


def test_a_running_invoices_import_does_not_hold_a_month_open(cast: Cast) -> None:
    ImportBatch.objects.create(
        kind=ImportKind.INVOICES, file_name="inv.csv", sha256="0", status=ImportStatus.PENDING
    )
    payments = ImportBatch.objects.create(
        file_name="bank.csv", sha256="0", status=ImportStatus.PENDING
    )

    assert _running_imports(dt.date(2026, 10, 1), dt.date(2026, 10, 31)) == [payments]


def test_a_dry_run_reads_a_fixed_number_of_queries_whatever_the_files_size(
    cast: Cast, alpha: Client
) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def queries(rows: int) -> int:
        with CaptureQueriesContext(connection) as captured:
            result = invoices_import(
                user=cast.accountant.user, data=good(alpha, rows), fmt="csv", dry_run=True
            )
        assert result.new == rows
        return len(captured)

    queries(1)  # the user's roles are read once, then kept on the user
    assert queries(2) == queries(60)
