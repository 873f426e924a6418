"""Payment imports: every format through the one pipeline, re-imports, unmatched payers,
dry runs, the command, and the pipeline's streaming and query budget."""

from __future__ import annotations

import datetime as dt
import inspect
import io
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest
from django.core.cache import cache
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client as WebClient
from django.test import override_settings
from import_export.tmp_storages import CacheStorage

from accounts.policy import SYSTEM
from payments.importing import ImportResult, payments_import
from payments.importing.readers.camt053 import read_camt053
from payments.importing.readers.csv_xlsx import read_csv, read_xlsx
from payments.importing.readers.onec import read_onec
from payments.models import (
    Client,
    ImportBatch,
    ImportStatus,
    Payment,
    Source,
    UnmatchedPayment,
)
from payments.services import payment_void, unmatched_assign
from tests.factories import Cast, ClientFactory, make_inn

FIXTURES = Path(__file__).parent / "fixtures"
STATEMENTS = ["statement-1c-cp1251.txt", "statement-1c-utf8.txt", "statement-camt053.xml"]
SPREADSHEETS = ["payments-ru-cp1251.csv", "payments-en-utf8.csv"]
AMOUNTS = sorted([Decimal("150000.00"), Decimal("87500.50"), Decimal("240000.00")])
# Every import, whatever its size: the batch, clients and closed periods once, the
# staging table, COPY, the de-duplication, counts and writes.
QUERY_BUDGET = 25
ALFA, PETROV, VEKTOR = "7701000019", "772300000344", "5001000027"


@pytest.fixture
def clients(cast: Cast) -> dict[str, Client]:
    """The three payers of the sample statements, in two departments."""
    return {
        ALFA: ClientFactory(
            name='ООО "Альфа-Клиент"', inn=ALFA, department=cast.dept, responsible=cast.masha
        ),
        PETROV: ClientFactory(
            name="ИП Петров Петр Петрович", inn=PETROV, department=cast.dept, responsible=cast.olya
        ),
        VEKTOR: ClientFactory(name='АО "Вектор"', inn=VEKTOR, department=cast.other),
    }


def run_import(
    name: str, *, user: object = SYSTEM, dry_run: bool = False, **kwargs: object
) -> ImportResult:
    with (FIXTURES / name).open("rb") as stream:
        return payments_import(file_name=name, data=stream, user=user, dry_run=dry_run, **kwargs)


def xlsx_bytes(rows: list[list[object]]) -> bytes:
    book = openpyxl.Workbook()
    for row in rows:
        book.active.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


# --- good files ------------------------------------------------------------------------


@pytest.mark.parametrize("name", STATEMENTS + SPREADSHEETS)
def test_it_imports_the_three_incoming_payments(name: str, clients: dict, cast: Cast) -> None:
    # when
    result = run_import(name, user=cast.admin)

    # then
    assert result.accepted, result.errors
    assert (result.new, result.duplicate, result.unmatched, result.rejected) == (3, 0, 0, 0)
    assert result.new_amount == Decimal("477500.50")
    assert sorted(Payment.objects.values_list("amount", flat=True)) == AMOUNTS
    assert not Payment.objects.filter(amount=Decimal("35000.00")).exists()
    batch = ImportBatch.objects.get()
    assert batch.status == ImportStatus.DONE
    assert (batch.new_count, batch.created_by) == (3, cast.admin)
    assert batch.first_date.month == batch.last_date.month == 11
    # who imported them is the batch's: each payment names it as its recorder
    imported = Payment.objects.filter(import_batch=batch).select_related("import_batch")
    assert [p.recorder for p in imported] == [cast.admin] * 3
    assert not imported.filter(recorded_by__isnull=False).exists()


def test_an_imported_payment_s_history_starts_with_its_void(clients: dict, cast: Cast) -> None:
    # given a statement imported: its batch records how the payments came in
    run_import("statement-1c-utf8.txt", user=cast.admin)
    alfa = Payment.objects.get(client=clients[ALFA])
    assert not alfa.history.exists()

    # when it is voided
    payment_void(user=cast.admin, payment=alfa, reason="Refunded to the client")

    # then its history holds the void, by whom and why, with every field as it stands
    [change] = alfa.history.all()
    assert (change.history_type, change.history_user) == ("~", cast.admin)
    assert change.history_change_reason == "Refunded to the client"
    assert (change.amount, change.import_batch_id) == (alfa.amount, alfa.import_batch_id)


def test_it_copies_department_and_responsible_and_payer(clients: dict, cast: Cast) -> None:
    run_import("statement-1c-utf8.txt")

    alfa = Payment.objects.get(client=clients[ALFA])
    assert (alfa.department, alfa.responsible) == (cast.dept, cast.masha)
    assert (alfa.received_on, alfa.source) == (dt.date(2025, 11, 6), Source.ONEC)
    assert alfa.payer_inn == ALFA
    assert alfa.payer_name == 'ООО "Альфа-Клиент"'
    assert alfa.purpose.startswith("Оплата по счету № 101")
    assert Payment.objects.get(client=clients[VEKTOR]).department == cast.other


def test_it_imports_an_xlsx_with_numeric_and_date_cells(clients: dict) -> None:
    data = xlsx_bytes(
        [
            ["Дата", "Сумма", "ИНН", "Номер"],
            [dt.datetime(2025, 11, 5), 150000, ALFA, "101"],
            [dt.date(2025, 11, 14), 87500.5, PETROV, "104"],
            ["26.11.2025", "240000.00", VEKTOR, "7-АВ"],
        ]
    )

    result = payments_import(user=SYSTEM, file_name="november.xlsx", data=data)

    assert result.accepted, result.errors
    assert result.format == "xlsx"
    assert sorted(Payment.objects.values_list("amount", flat=True)) == AMOUNTS


@pytest.mark.parametrize("name", STATEMENTS + SPREADSHEETS)
def test_it_reports_every_row_of_a_reimport_as_duplicate(name: str, clients: dict) -> None:
    # given
    run_import(name)

    # when
    again = run_import(name)

    # then
    assert again.accepted
    assert (again.new, again.duplicate, again.unmatched) == (0, 3, 0)
    assert Payment.objects.count() == 3
    assert ImportBatch.objects.filter(status=ImportStatus.DONE).count() == 2


def test_both_1c_encodings_are_the_same_payments(clients: dict) -> None:
    run_import("statement-1c-cp1251.txt")

    again = run_import("statement-1c-utf8.txt")

    assert (again.new, again.duplicate) == (0, 3)


def test_it_dedupes_rows_repeated_within_a_file(clients: dict) -> None:
    data = "date;amount;inn\n05.11.2025;100.00;7701000019\n05.11.2025;100.00;7701000019\n"

    result = payments_import(user=SYSTEM, file_name="x.csv", data=data.encode())

    assert (result.new, result.duplicate) == (1, 1)


# --- unmatched payers ------------------------------------------------------------------


@pytest.mark.parametrize("name", ["statement-1c-cp1251.txt", "statement-camt053.xml"])
def test_an_unknown_payer_is_listed_unmatched_and_assignable(name: str, cast: Cast) -> None:
    # given: Vektor is not a client yet
    ClientFactory(inn=ALFA, department=cast.dept)
    ClientFactory(inn=PETROV, department=cast.dept)

    # when
    result = run_import(name)

    # then
    assert result.accepted
    assert (result.new, result.unmatched) == (2, 1)
    assert not Client.objects.filter(inn=VEKTOR).exists()
    unmatched = UnmatchedPayment.objects.get()
    assert (unmatched.amount, unmatched.payer_inn) == (Decimal("240000.00"), VEKTOR)
    assert unmatched.payer_name == 'АО "Вектор"'
    assert unmatched.payer_account == "40702810600000002468"

    # when a person creates the client and assigns the payment
    vektor = ClientFactory(name='АО "Вектор"', inn=VEKTOR, department=cast.other)
    payment = unmatched_assign(user=cast.accountant.user, unmatched=unmatched, client=vektor)

    # then
    assert payment.amount == Decimal("240000.00")
    assert payment.department == cast.other
    unmatched.refresh_from_db()
    assert unmatched.payment == payment
    assert unmatched.resolved_by == cast.accountant.user
    again = run_import(name)
    assert (again.new, again.duplicate, again.unmatched) == (0, 3, 0)


def test_a_spreadsheet_row_for_an_unknown_client_is_rejected(clients: dict) -> None:
    data = "date;amount;inn\n05.11.2025;100.00;7701000019\n05.11.2025;200.00;" + make_inn(999)

    result = payments_import(user=SYSTEM, file_name="x.csv", data=data.encode())

    assert not result.accepted
    assert [(e.line, e.field) for e in result.errors] == [(3, "inn")]
    assert "No client has the INN" in result.errors[0].message
    assert Payment.objects.count() == 0
    assert UnmatchedPayment.objects.count() == 0


# --- dry run ---------------------------------------------------------------------------


@pytest.mark.parametrize("name", STATEMENTS)
def test_a_dry_run_reports_and_writes_nothing(name: str, clients: dict) -> None:
    del clients[VEKTOR]
    Client.objects.filter(inn=VEKTOR).delete()

    result = run_import(name, dry_run=True)

    assert result.accepted
    assert (result.new, result.unmatched) == (2, 1)
    assert result.batch is None
    assert Payment.objects.count() == 0
    assert UnmatchedPayment.objects.count() == 0
    assert ImportBatch.objects.count() == 0


# --- the command -----------------------------------------------------------------------


def test_the_command_imports_and_prints_the_counts(clients: dict, cast: Cast) -> None:
    out = io.StringIO()

    call_command(
        "import_payments", str(FIXTURES / "statement-1c-cp1251.txt"), "--user", "root", stdout=out
    )

    assert "new: 3 (477500.50)" in out.getvalue()
    assert "duplicates: 0" in out.getvalue()
    assert Payment.objects.filter(import_batch__created_by=cast.admin).count() == 3


def test_the_command_dry_run_saves_nothing(clients: dict) -> None:
    out = io.StringIO()

    call_command(
        "import_payments",
        str(FIXTURES / "statement-camt053.xml"),
        "--format",
        "camt053",
        "--dry-run",
        stdout=out,
    )

    assert "Dry run" in out.getvalue()
    assert "new: 3" in out.getvalue()
    assert Payment.objects.count() == 0


def test_the_command_rejects_a_bad_file_with_a_row_report(clients: dict, tmp_path: Path) -> None:
    bad = (FIXTURES / "statement-1c-utf8.txt").read_bytes().replace(b"87500.50", b"87500.505")
    (tmp_path / "bad.txt").write_bytes(bad)
    out, err = io.StringIO(), io.StringIO()

    with pytest.raises(CommandError) as raised:
        call_command("import_payments", str(tmp_path / "bad.txt"), stdout=out, stderr=err)

    assert raised.value.returncode != 0
    assert "Row 50, Сумма: The amount has more than 2 decimal places." in err.getvalue()
    assert Payment.objects.count() == 0
    assert ImportBatch.objects.get().status == ImportStatus.REJECTED


def test_the_command_reports_duplicates_on_a_second_run(clients: dict) -> None:
    path = str(FIXTURES / "payments-en-utf8.csv")
    call_command("import_payments", path, stdout=io.StringIO())
    out = io.StringIO()

    call_command("import_payments", path, stdout=out)

    assert "new: 0" in out.getvalue()
    assert "duplicates: 3" in out.getvalue()


# --- the admin imports through the import page ----------------------------------------


def test_the_payment_admin_links_to_the_import_page_and_still_exports(
    clients: dict, cast: Cast, client: WebClient
) -> None:
    run_import("statement-camt053.xml")
    client.force_login(cast.admin)

    page = client.get("/admin/payments/payment/").content.decode()
    exported = client.post(
        "/admin/payments/payment/export/",
        {"resource": "0", "format": "0", **{f"paymentresource_{f}": "on" for f in FIELDS}},
    )

    # the one import, with its preview and its possible repeats, is the payments' page
    assert 'href="/payments/import/"' in page
    assert "/admin/payments/payment/import/" not in page
    assert exported.status_code == 200
    assert (
        exported.content.decode().splitlines()[1:]
        == sorted(
            f"2025-11-{day},{amount},{inn},{number}"
            for day, amount, inn, number in [
                ("06", "150000.00", ALFA, "512"),
                ("14", "87500.50", PETROV, "38"),
                ("27", "240000.00", VEKTOR, "2291"),
            ]
        )[::-1]
    )


FIELDS = ("date", "amount", "client", "reference")


# --- streaming and the query budget ----------------------------------------------------


def test_every_reader_is_a_generator() -> None:
    empty = io.BytesIO(b"")
    for reader in (read_csv, read_xlsx, read_onec, read_camt053):
        assert inspect.isgenerator(reader(empty))


def big_csv(rows: int, inns: list[str]) -> bytes:
    lines = ["date;amount;inn;reference"]
    for n in range(rows):
        day = dt.date(2025, 1, 1) + dt.timedelta(days=n % 300)
        lines.append(f"{day:%d.%m.%Y};{n + 1}.25;{inns[n % len(inns)]};ref-{n}")
    return "\n".join(lines).encode()


@pytest.mark.parametrize("rows", [10, 3000])
def test_the_pipeline_makes_a_fixed_number_of_queries(
    rows: int, cast: Cast, django_assert_max_num_queries: object
) -> None:
    # given: 50 clients and a file naming them over and over
    inns = [ClientFactory(department=cast.dept).inn for _ in range(50)]
    data = big_csv(rows, inns)

    # when
    with django_assert_max_num_queries(QUERY_BUDGET):
        result = payments_import(user=SYSTEM, file_name="big.csv", data=data)

    # then: the same statements for 10 rows and 3,000, every row written
    assert result.accepted, result.errors[:3]
    assert Payment.objects.count() == rows


# --- the admin -------------------------------------------------------------------------


def test_the_admin_pages_open_and_import_a_statement(
    clients: dict, cast: Cast, client: WebClient
) -> None:
    client.force_login(cast.admin)
    for model in ("payment", "client", "importbatch", "unmatchedpayment"):
        assert client.get(f"/admin/payments/{model}/").status_code == 200
    assert client.get("/admin/payments/client/import/").status_code == 200

    with (FIXTURES / "statement-camt053.xml").open("rb") as upload:
        response = client.post(
            "/admin/payments/importbatch/import-file/", {"file": upload, "format": "auto"}
        )

    assert response.status_code == 302
    assert Payment.objects.filter(import_batch__created_by=cast.admin).count() == 3
    # a payment's page names who imported it as its recorder
    payment = Payment.objects.filter(import_batch__created_by=cast.admin).first()
    page = client.get(f"/admin/payments/payment/{payment.pk}/change/").content.decode()
    assert '<div class="readonly">root</div>' in page


@override_settings(IMPORT_EXPORT_TMP_STORAGE_CLASS="import_export.tmp_storages.CacheStorage")
def test_the_admin_spreadsheet_import_keeps_its_file_in_the_shared_cache(
    cast: Cast, client: WebClient
) -> None:
    # given the clients' spreadsheet screen as production runs it with Redis: the file
    # waits between preview and confirmation where every web process can read it
    client.force_login(cast.admin)
    upload = io.BytesIO(f"inn,name,department\n{ALFA},Alfa,{cast.dept.name}\n".encode())
    upload.name = "clients.csv"
    preview = client.post(
        "/admin/payments/client/import/", {"resource": "0", "format": "0", "import_file": upload}
    )
    assert preview.status_code == 200
    confirm = preview.context["confirm_form"].initial
    key = CacheStorage.CACHE_PREFIX + confirm["import_file_name"]
    assert cache.get(key) is not None
    assert not Client.objects.filter(inn=ALFA).exists()

    # when the preview is confirmed
    done = client.post("/admin/payments/client/process_import/", confirm)

    # then the file is imported from the cache and the cache lets it go
    assert done.status_code == 302
    assert Client.objects.get(inn=ALFA).department == cast.dept
    assert cache.get(key) is None


def test_the_admin_never_deletes_a_payment(clients: dict, cast: Cast, client: WebClient) -> None:
    run_import("statement-camt053.xml")
    payment = Payment.objects.first()
    client.force_login(cast.admin)

    response = client.post(f"/admin/payments/payment/{payment.pk}/delete/", {"post": "yes"})

    assert response.status_code == 403
    assert Payment.objects.filter(pk=payment.pk).exists()
