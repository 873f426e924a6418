"""The import dry run lists its rows by kind, checks the statement's own totals against
the rows read, and says what it left out as not payments to us."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.test import Client as HttpClient

from accounts.policy import SYSTEM
from payments.importing import payments_import
from payments.importing.rows import StatementCheck
from payments.models import Client
from tests.factories import Cast, ClientFactory
from tests.test_import_preview import FIXTURES, ONEC, previewed, signed_in

CAMT = (FIXTURES / "statement-camt053.xml").read_bytes()
ACCOUNT = "40702810500000001234"


@pytest.fixture(autouse=True)
def _english(settings: object) -> None:
    settings.LANGUAGE_CODE = "en"


@pytest.fixture
def clients(cast: Cast) -> dict[str, Client]:
    return {
        inn: ClientFactory(name=name, inn=inn, department=cast.dept)
        for inn, name in [("7701000019", "Alfa"), ("772300000344", "Petrov")]
    }


def _dry_run(data: bytes, name: str = "statement.txt") -> object:
    return payments_import(user=SYSTEM, file_name=name, data=data, dry_run=True)


def test_a_dry_run_lists_new_and_unmatched_rows(clients: dict) -> None:
    result = _dry_run(ONEC.encode())

    assert [(row.number, row.client, row.amount) for row in result.listed["new"]] == [
        ("512", "Alfa", Decimal("150000.00")),
        ("38", "Petrov", Decimal("87500.50")),
    ]
    assert [row.number for row in result.listed["unmatched"]] == ["2291"]
    assert result.listed["duplicate"] == []


def test_a_dry_run_of_a_statement_imported_before_lists_its_repeats(clients: dict) -> None:
    payments_import(user=SYSTEM, file_name="statement.txt", data=ONEC.encode())

    result = _dry_run(ONEC.encode())

    assert [row.number for row in result.listed["duplicate"]] == ["512", "38", "2291"]
    assert result.listed["new"] == result.listed["unmatched"] == []


def test_the_1c_total_is_checked_and_the_outgoing_document_counted(clients: dict) -> None:
    result = _dry_run(ONEC.encode())

    assert result.statement.checks == [
        StatementCheck(ACCOUNT, "ВсегоПоступило", Decimal("477500.50"), Decimal("477500.50"))
    ]
    assert (result.statement.skipped_outgoing, result.statement.skipped_own) == (1, 0)


def test_camt_balances_and_credit_total_are_checked(clients: dict) -> None:
    result = _dry_run(CAMT, "statement.xml")

    closing = [check for check in result.statement.checks if check.field == "CLBD"]
    assert closing == [StatementCheck(ACCOUNT, "CLBD", Decimal("542500.50"), Decimal("542500.50"))]
    assert all(check.agrees for check in result.statement.checks)
    assert result.statement.skipped_outgoing == 1


def test_a_camt_closing_balance_that_does_not_add_up_is_said(clients: dict) -> None:
    damaged = CAMT.replace(b"542500.50", b"542600.50")

    result = _dry_run(damaged, "statement.xml")

    (closing,) = [check for check in result.statement.checks if check.field == "CLBD"]
    assert not closing.agrees
    assert closing.read == Decimal("542500.50")


def test_the_preview_page_shows_the_rows_totals_and_left_out(clients: dict, cast: Cast) -> None:
    http: HttpClient = signed_in(cast.admin)
    url, _token = previewed(http, ONEC)

    page = http.get(url).content.decode()

    assert 'id="import-list-new"' in page
    assert 'id="import-list-unmatched"' in page
    assert "2291" in page
    assert 'data-field="ВсегоПоступило"' in page
    assert "477,500.50" in page
    assert "1 outgoing document was left out." in page
