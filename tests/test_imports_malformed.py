"""Bad input: each file is rejected with a message naming row and field, and nothing changes."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from django.utils import timezone

from accounts.policy import SYSTEM
from compensation.models import BonusPeriod, PeriodState
from payments.importing import ImportResult, payments_import
from payments.models import ImportBatch, ImportStatus, Payment, UnmatchedPayment
from tests.factories import Cast, ClientFactory, PaymentFactory

FIXTURES = Path(__file__).parent / "fixtures"
ONEC = (FIXTURES / "statement-1c-utf8.txt").read_bytes()
CAMT = (FIXTURES / "statement-camt053.xml").read_bytes()
ALFA, PETROV, VEKTOR = "7701000019", "772300000344", "5001000027"


@pytest.fixture
def clients(cast: Cast) -> None:
    ClientFactory(inn=ALFA, name='ООО "Альфа-Клиент"', department=cast.dept)
    ClientFactory(inn=PETROV, name="ИП Петров Петр Петрович", department=cast.dept)
    ClientFactory(inn=VEKTOR, name='АО "Вектор"', department=cast.other)
    # One payment from before, so "nothing changed" means more than "still empty".
    PaymentFactory(received_on=dt.date(2025, 10, 1))


def rejected(name: str, data: bytes, fmt: str = "auto") -> ImportResult:
    """Import a bad file and check the all-or-nothing promise before returning the result."""
    payments, unmatched = Payment.objects.count(), UnmatchedPayment.objects.count()

    result = payments_import(user=SYSTEM, file_name=name, data=data, fmt=fmt)

    assert not result.accepted
    assert Payment.objects.count() == payments
    assert UnmatchedPayment.objects.count() == unmatched
    assert ImportBatch.objects.get(pk=result.batch.pk).status == ImportStatus.REJECTED
    assert result.batch.errors == [error.as_json() for error in result.errors]
    return result


def errors_of(result: ImportResult) -> list[tuple[int, str]]:
    return [(error.line, error.field) for error in result.errors]


# --- 1C --------------------------------------------------------------------------------


def test_a_1c_file_in_utf16_is_rejected(clients: None) -> None:
    result = rejected("s.txt", ONEC.decode().encode("utf-16"), fmt="1c")

    assert errors_of(result) == [(1, "file")]
    assert "UTF-16" in result.errors[0].message


def test_a_utf8_1c_file_with_a_windows_1251_line_is_rejected(clients: None) -> None:
    lines = ONEC.split(b"\r\n")
    lines[60] = lines[60].decode().encode("cp1251")

    result = rejected("s.txt", b"\r\n".join(lines))

    # The whole file is no longer UTF-8, so it is read as Windows-1251 until a line
    # (the first with a UTF-8 "И", byte 0x98) cannot be: that line is named.
    assert errors_of(result) == [(26, "file")]
    assert "mixes encodings" in result.errors[0].message


def test_a_truncated_1c_file_is_rejected(clients: None) -> None:
    cut = ONEC[: ONEC.index("КонецФайла".encode())]

    result = rejected("s.txt", cut)

    assert result.errors[0].field == "КонецФайла"
    assert "truncated" in result.errors[0].message


def test_a_1c_file_cut_inside_a_document_is_rejected(clients: None) -> None:
    cut = ONEC[: ONEC.rindex("Сумма=240000.00".encode())]

    result = rejected("s.txt", cut)

    assert "truncated" in result.errors[0].message


def test_a_file_that_is_not_1c_is_rejected_when_1c_is_asked_for(clients: None) -> None:
    result = rejected("s.txt", b"hello\r\nworld\r\n", fmt="1c")

    assert errors_of(result) == [(1, "file")]
    assert "1CClientBankExchange" in result.errors[0].message


@pytest.mark.parametrize(
    ("amount", "message"),
    [
        ("abc", "abc is not an amount."),
        ("-87500.50", "The amount must be greater than zero."),
        ("0.00", "The amount must be greater than zero."),
        ("87500.505", "The amount has more than 2 decimal places."),
        ("1234567890123.00", "more than 12 digits before the point"),
    ],
)
def test_a_bad_1c_amount_names_the_row_and_field(clients: None, amount: str, message: str) -> None:
    data = ONEC.replace(b"=87500.50", f"={amount}".encode())

    result = rejected("s.txt", data)

    assert errors_of(result) == [(50, "Сумма")]
    assert message in result.errors[0].message


def test_incoming_documents_that_do_not_add_up_are_rejected(clients: None) -> None:
    data = ONEC.replace(b"=477500.50", b"=577500.50")

    result = rejected("s.txt", data)

    assert errors_of(result) == [(11, "ВсегоПоступило")]
    assert "477500.50" in result.errors[0].message


def test_a_missing_document_is_caught_by_the_statement_total(clients: None) -> None:
    start = ONEC.index("СекцияДокумент".encode())
    end = ONEC.index("КонецДокумента\r\n".encode()) + len("КонецДокумента\r\n".encode())

    result = rejected("s.txt", ONEC[:start] + ONEC[end:])

    assert result.errors[0].field == "ВсегоПоступило"


@pytest.mark.parametrize(
    ("date", "message"),
    [
        ("31.02.2025", "is not a date"),
        ("14.11.1999", "is before 01.01.2000"),
        ("yesterday", "is not a date"),
    ],
)
def test_a_bad_1c_date_names_the_row_and_field(clients: None, date: str, message: str) -> None:
    data = ONEC.replace("ДатаПоступило=14.11.2025".encode(), f"ДатаПоступило={date}".encode())

    result = rejected("s.txt", data)

    assert errors_of(result) == [(50, "ДатаПоступило")]
    assert message in result.errors[0].message


def test_a_future_date_is_rejected(clients: None) -> None:
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    data = ONEC.replace(
        "ДатаПоступило=14.11.2025".encode(), f"ДатаПоступило={tomorrow:%d.%m.%Y}".encode()
    )

    result = rejected("s.txt", data)

    assert errors_of(result) == [(50, "ДатаПоступило")]
    assert "in the future" in result.errors[0].message


def test_a_bad_inn_is_rejected(clients: None) -> None:
    data = ONEC.replace(b"=772300000344", b"=772300000345")

    result = rejected("s.txt", data)

    assert errors_of(result) == [(50, "ПлательщикИНН")]
    assert "772300000345 is not a valid INN" in result.errors[0].message


def test_a_payment_into_a_closed_period_is_rejected(clients: None, cast: Cast) -> None:
    BonusPeriod.objects.create(
        department=cast.dept,
        month=dt.date(2025, 11, 1),
        state=PeriodState.CLOSED,
        closed_at=timezone.now(),
    )

    result = rejected("s.txt", ONEC)

    # Both of the department's payments are refused; Vektor's department is open.
    assert errors_of(result) == [(20, "ДатаПоступило"), (50, "ДатаПоступило")]
    assert (
        "06.11.2025 falls in the period November 2025, which is Closed" in result.errors[0].message
    )


def test_several_bad_rows_are_all_reported(clients: None) -> None:
    data = ONEC.replace(b"=150000.00", b"=x").replace(b"=772300000344", b"=1")

    result = rejected("s.txt", data)

    assert errors_of(result) == [(20, "Сумма"), (50, "ПлательщикИНН")]
    assert result.rejected == 2


# --- camt.053 --------------------------------------------------------------------------


def test_xml_that_is_not_camt053_is_rejected(clients: None) -> None:
    pain = b"urn:iso:std:iso:20022:tech:xsd:pain.001.001.03"
    data = b'<?xml version="1.0"?><Document xmlns="' + pain + b'"/>'

    result = rejected("s.xml", data)

    assert errors_of(result) == [(1, "file")]
    assert "Not a camt.053 statement" in result.errors[0].message


def test_an_entity_expansion_bomb_is_refused(clients: None) -> None:
    bomb = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>
<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.02"><x>&lol3;</x></Document>"""

    result = rejected("bomb.xml", bomb, fmt="camt053")

    assert result.errors[0].field == "file"
    assert "entities" in result.errors[0].message


def test_malformed_xml_is_rejected_with_its_line(clients: None) -> None:
    data = CAMT.replace(b"</Amt>", b"</Amount>", 1)

    result = rejected("s.xml", data)

    assert result.errors[0].line == 20
    assert "malformed" in result.errors[0].message


def test_a_bad_camt_amount_names_the_entry_line_and_field(clients: None) -> None:
    data = CAMT.replace(b'"RUB">87500.50<', b'"RUB">87500,505<')

    result = rejected("s.xml", data)

    assert errors_of(result) == [(47, "Amt")]


def test_a_foreign_currency_entry_is_rejected(clients: None) -> None:
    data = CAMT.replace(b'<Amt Ccy="RUB">87500.50', b'<Amt Ccy="USD">87500.50')

    result = rejected("s.xml", data)

    assert errors_of(result) == [(47, "Amt")]
    assert "USD" in result.errors[0].message


# --- spreadsheets ----------------------------------------------------------------------


def test_a_csv_without_the_needed_columns_is_rejected(clients: None) -> None:
    result = rejected("x.csv", "Дата;Итого\n05.11.2025;100\n".encode())

    assert errors_of(result) == [(1, "amount, inn / client")]
    assert "Missing column" in result.errors[0].message


def test_a_csv_with_bad_rows_reports_each_row_and_field(clients: None) -> None:
    data = (
        b"date,amount,inn\n"
        b"05.11.2025,100.00,7701000019\n"
        b"2025-13-01,100.00,7701000019\n"
        b"05.11.2025,1.001,7701000019\n"
        b"05.11.2025,100.00,7701000018\n"
    )

    result = rejected("x.csv", data)

    assert errors_of(result) == [(3, "date"), (4, "amount"), (5, "inn")]


def test_an_xlsx_that_is_not_a_workbook_is_rejected(clients: None) -> None:
    result = rejected("x.xlsx", b"PK\x03\x04 not really a zip")

    assert errors_of(result) == [(1, "file")]
    assert "XLSX" in result.errors[0].message


def test_a_file_of_unknown_format_is_rejected(clients: None) -> None:
    result = rejected("x.bin", b"\x00\x01\x02")

    assert "Cannot tell the file's format" in result.errors[0].message


def test_a_windows_1251_line_deep_in_a_utf8_csv_is_named(clients: None) -> None:
    rows = [f"05.11.2025;{n}.00;{ALFA};ref-{n}".encode() for n in range(1, 4001)]
    rows.append("05.11.2025;1.00;;ИП Петров Петр Петрович".encode("cp1251"))
    data = "Дата;Сумма;ИНН;Клиент;Номер\n".encode() + b"\n".join(rows)

    result = rejected("x.csv", data)

    assert errors_of(result) == [(4002, "file")]
    assert "not valid UTF-8" in result.errors[0].message
