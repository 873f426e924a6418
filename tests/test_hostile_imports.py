"""Hostile input to the import pipeline: every file ends in a clear error or a clean import.

Never an exception, never a partial write: rejected → the reported errors name a line,
a field and a message, and no payment changed; accepted → exactly the rows it reports.
"""

from __future__ import annotations

import codecs
import csv
import io
import zipfile
from pathlib import Path

import openpyxl
import pytest
from django.test import Client as WebClient
from django.urls import reverse
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from accounts.policy import SYSTEM
from compensation.exports import FORMULA_STARTS, neutralise
from payments.importing import ImportResult, payments_import
from payments.models import Client, Payment, UnmatchedPayment
from payments.resources import PaymentResource
from tests.factories import Cast, ClientFactory, make_inn

FIXTURES = Path(__file__).parent / "fixtures"
ALFA, PETROV, VEKTOR = "7701000019", "772300000344", "5001000027"
FORMATS = ["auto", "csv", "xlsx", "1c", "camt053"]
HYPERLINK = '=HYPERLINK("http://x","y")'
FORMULAS = [HYPERLINK, "+1+1", "-1+2", "@SUM(A1:A2)", "=1+1", "\t=1", "\r=1"]

ONEC = (FIXTURES / "statement-1c-utf8.txt").read_bytes()
CAMT = (FIXTURES / "statement-camt053.xml").read_bytes()
CSV_ROWS = [
    ("2025-11-05", "150000.00", ALFA, "ООО Альфа", "101", "Оплата по счету 101"),
    ("2025-11-14", "87500.50", PETROV, "ИП Петров", "104", "За услуги"),
    ("2025-11-26", "240000.00", VEKTOR, "АО Вектор", "7-AB", "Этап 2"),
]
CSV_HEADER = ("date", "amount", "inn", "client", "reference", "purpose")

HOSTILE = settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


def csv_bytes(rows: list[tuple[str, ...]] = CSV_ROWS, encoding: str = "utf-8") -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_HEADER)
    writer.writerows(rows)
    return out.getvalue().encode(encoding)


def xlsx_bytes(rows: list[tuple[str, ...]] = CSV_ROWS) -> bytes:
    book = openpyxl.Workbook()
    book.active.append(CSV_HEADER)
    for row in rows:
        book.active.append(list(row))
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


VALID = {"f.csv": csv_bytes(), "f.xlsx": xlsx_bytes(), "f.txt": ONEC, "f.xml": CAMT}


@pytest.fixture
def clients(cast: Cast) -> None:
    ClientFactory(inn=ALFA, name="ООО Альфа", department=cast.dept, responsible=cast.masha)
    ClientFactory(inn=PETROV, name="ИП Петров", department=cast.dept, responsible=cast.olya)
    ClientFactory(inn=VEKTOR, name="АО Вектор", department=cast.other)


def counts() -> tuple[int, int]:
    return Payment.objects.count(), UnmatchedPayment.objects.count()


def imported(data: bytes, *, name: str = "f.csv", fmt: str = "auto") -> ImportResult:
    """Import a file and check the promise: a clear error and no change, or a clean import."""
    payments, unmatched = counts()
    result = payments_import(user=SYSTEM, file_name=name, data=data, fmt=fmt)
    if result.errors:
        for error in result.errors:
            assert error.line >= 0, error
            assert error.field.strip(), error
            assert error.message.strip(), error
        assert counts() == (payments, unmatched)
    else:
        assert counts() == (payments + result.new, unmatched + result.unmatched)
    return result


# --- (a) random bytes ------------------------------------------------------------------


@HOSTILE
@given(data=st.binary(max_size=3000), fmt=st.sampled_from(FORMATS))
@example(data=b"PK\x03\x04garbage", fmt="auto")
@example(data=b"\xef\xbb\xbf", fmt="csv")
@example(data=b"", fmt="auto")
@example(data=b"<", fmt="camt053")
@example(data=b"a,b\x00\r\x00c", fmt="csv")  # regression: NUL/stray CR gave csv.Error
@example(data=b"1CClientBankExchange\r\n", fmt="auto")
def test_random_bytes_never_break_an_import(clients: None, data: bytes, fmt: str) -> None:
    imported(data, fmt=fmt)


# --- (b) truncated files ----------------------------------------------------------------


@HOSTILE
@given(name=st.sampled_from(sorted(VALID)), cut=st.integers(min_value=0, max_value=10**6))
@example(name="f.xml", cut=len(CAMT) // 2)
@example(name="f.txt", cut=len(ONEC) - 20)
@example(name="f.xlsx", cut=len(VALID["f.xlsx"]) - 10)
def test_a_truncated_file_is_rejected_or_imported_whole(clients: None, name: str, cut: int) -> None:
    data = VALID[name]
    imported(data[: cut % (len(data) + 1)], name=name)


@HOSTILE
@given(position=st.integers(min_value=0, max_value=10**6), byte=st.integers(0, 255))
@example(position=1500, byte=0)  # regression: zlib.error escaped while reading the sheet
@example(position=276692, byte=1)  # regression: RuntimeError, a member flagged encrypted
def test_a_damaged_workbook_is_rejected(clients: None, position: int, byte: int) -> None:
    # One byte changed inside the zip: a bad CRC or a broken member, found while reading.
    data = bytearray(VALID["f.xlsx"])
    data[position % len(data)] = byte
    imported(bytes(data), name="f.xlsx")


@HOSTILE
@given(member=st.sampled_from(["xl/worksheets/sheet1.xml", "xl/workbook.xml"]), junk=st.binary())
@example(member="xl/worksheets/sheet1.xml", junk=b"<worksheet><sheetData><row><c r=")
def test_a_workbook_with_a_broken_member_is_rejected(
    clients: None, member: str, junk: bytes
) -> None:
    imported(_replace_member(VALID["f.xlsx"], member, junk), name="f.xlsx")


def test_a_workbook_with_an_encrypted_member_is_rejected(clients: None) -> None:
    # Regression: zipfile raised RuntimeError ("password required"), a 500 on the page.
    data = bytearray(VALID["f.xlsx"])
    # Set the "encrypted" flag of every member in the zip's central directory.
    at = data.find(b"PK\x01\x02")
    while at != -1:
        data[at + 8] |= 0x1
        at = data.find(b"PK\x01\x02", at + 4)

    result = imported(bytes(data), name="f.xlsx")

    assert [(e.line, e.field) for e in result.errors] == [(1, "file")]


def _replace_member(xlsx: bytes, member: str, content: bytes) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(xlsx)) as source, zipfile.ZipFile(out, "w") as target:
        for item in source.infolist():
            target.writestr(item, content if item.filename == member else source.read(item))
    return out.getvalue()


# --- (c) one field replaced by something hostile ----------------------------------------

HOSTILE_VALUES = st.one_of(
    st.just("x" * 100_000),
    st.just("9" * 100_000),
    st.text(max_size=50),
    st.sampled_from(
        [
            "1.123456789",
            "150000.001",
            "1e5",
            "1E+3",
            "-5",
            "0",
            "NaN",
            "Infinity",
            "1" * 40,
            "31.02.2026",
            "2026-02-31",
            "29.02.2025",
            "00.00.0000",
            "9999-12-31",
            "",
            "\x00",
            "\u202e",
        ]
    ),
)
CSV_FIELDS = range(len(CSV_HEADER))
ONEC_KEYS = ["Сумма", "ДатаПоступило", "Дата", "Плательщик", "ПлательщикИНН", "Номер"]
CAMT_TAGS = [
    ('<Amt Ccy="RUB">150000.00</Amt>', '<Amt Ccy="RUB">{}</Amt>'),
    ("<Dt>2025-11-06</Dt>", "<Dt>{}</Dt>"),
    ("<Nm>ООО &quot;Альфа-Клиент&quot;</Nm>", "<Nm>{}</Nm>"),
    ('<Nm>ООО "Альфа-Клиент"</Nm>', "<Nm>{}</Nm>"),
    ("<NtryRef>512</NtryRef>", "<NtryRef>{}</NtryRef>"),
    ("<Id>7701000019</Id>", "<Id>{}</Id>"),
]


def _xml_text(value: str) -> str:
    return value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


@HOSTILE
@given(field=st.sampled_from(CSV_FIELDS), value=HOSTILE_VALUES, spreadsheet=st.booleans())
@example(field=1, value="1e5", spreadsheet=False)
@example(field=0, value="31.02.2026", spreadsheet=False)
@example(field=5, value="x" * 100_000, spreadsheet=True)
def test_a_spreadsheet_with_one_hostile_field(
    clients: None, field: int, value: str, spreadsheet: bool
) -> None:
    rows = [CSV_ROWS[0], (*CSV_ROWS[1][:field], value, *CSV_ROWS[1][field + 1 :]), CSV_ROWS[2]]
    if spreadsheet:
        # openpyxl refuses control characters in cells; a workbook cannot hold them.
        value = "".join(c for c in value if c.isprintable())
        rows[1] = (*CSV_ROWS[1][:field], value, *CSV_ROWS[1][field + 1 :])
        imported(xlsx_bytes(rows), name="f.xlsx")
    else:
        imported(csv_bytes(rows), name="f.csv")


@HOSTILE
@given(key=st.sampled_from(ONEC_KEYS), value=HOSTILE_VALUES)
@example(key="Сумма", value="1e5")
@example(key="Сумма", value="NaN")
@example(key="ДатаПоступило", value="31.02.2026")
def test_a_1c_statement_with_one_hostile_field(clients: None, key: str, value: str) -> None:
    text = ONEC.decode()
    line = next(line for line in text.splitlines() if line.startswith(f"{key}="))
    clean = value.replace("\r", " ").replace("\n", " ")
    imported(text.replace(line, f"{key}={clean}", 1).encode(), name="f.txt")


@HOSTILE
@given(tag=st.sampled_from(CAMT_TAGS), value=HOSTILE_VALUES, escape=st.booleans())
@example(tag=CAMT_TAGS[0], value="1E+3", escape=True)
@example(tag=CAMT_TAGS[1], value="2026-02-31", escape=True)
def test_a_camt053_statement_with_one_hostile_field(
    clients: None, tag: tuple[str, str], value: str, escape: bool
) -> None:
    original, template = tag
    text = CAMT.decode()
    replaced = template.format(_xml_text(value) if escape else value)
    imported(text.replace(original, replaced, 1).encode(), name="f.xml")


def _written_amounts() -> set[str]:
    return {str(amount) for amount in Payment.objects.values_list("amount", flat=True)}


@pytest.mark.parametrize("amount", ["1.123456789", "150000.001", "1e5", "1E+3", "NaN", "-5"])
def test_a_bad_amount_rejects_the_whole_file_by_row_and_field(clients: None, amount: str) -> None:
    rows = [CSV_ROWS[0], (CSV_ROWS[1][0], amount, *CSV_ROWS[1][2:])]

    result = imported(csv_bytes(rows))

    assert [(e.line, e.field) for e in result.errors] == [(3, "amount")]
    assert not _written_amounts()


@pytest.mark.parametrize("date", ["31.02.2026", "2026-02-31", "29.02.2025"])
def test_an_impossible_date_is_rejected_by_row_and_field(clients: None, date: str) -> None:
    rows = [CSV_ROWS[0], (date, *CSV_ROWS[1][1:])]

    result = imported(csv_bytes(rows))

    assert [(e.line, e.field) for e in result.errors] == [(3, "date")]


# --- (d) wrong encodings ---------------------------------------------------------------

CYRILLIC = st.text(alphabet="абвгдеёжзийклмнопрстуфхцчшщъыьэюяАБВГДЕЖЗ №«»", min_size=1)


def _encoded(text: str, how: str) -> bytes:
    if how == "mojibake":
        # UTF-8 bytes read as Latin-1 and saved again as UTF-8: "ÐžÐžÐž".
        return text.encode("utf-8").decode("latin-1").encode("utf-8")
    if how == "cp1251-claiming-utf8":
        # A UTF-8 BOM in front of Windows-1251 text: invalid UTF-8 after the BOM.
        return codecs.BOM_UTF8 + text.encode("cp1251", errors="replace")
    if how == "utf8-then-cp1251":
        # The header valid UTF-8, the rows in Windows-1251.
        head, _sep, tail = text.partition("\n")
        return head.encode("utf-8") + b"\n" + tail.encode("cp1251", errors="replace")
    return text.encode(how, errors="replace")


ENCODINGS = [
    "utf-16",
    "utf-16-le",
    "utf-16-be",
    "utf-32",
    "latin-1-of-cyrillic",
    "mojibake",
    "cp1251-claiming-utf8",
    "utf8-then-cp1251",
    "koi8-r",
    "cp866",
]


def _file_in(text: str, how: str) -> bytes:
    if how == "latin-1-of-cyrillic":
        # What "save as Latin-1" does to Cyrillic: every letter becomes "?".
        return text.encode("latin-1", errors="replace")
    return _encoded(text, how)


@HOSTILE
@given(
    purpose=CYRILLIC,
    how=st.sampled_from(ENCODINGS),
    kind=st.sampled_from(["csv", "1c"]),
)
@example(purpose="Оплата", how="cp1251-claiming-utf8", kind="csv")
@example(purpose="Оплата", how="utf-16", kind="1c")
@example(purpose="«", how="utf-16-le", kind="csv")  # regression: csv.Error escaped
def test_a_file_in_the_wrong_encoding(clients: None, purpose: str, how: str, kind: str) -> None:
    if kind == "csv":
        text = csv_bytes([CSV_ROWS[0], (*CSV_ROWS[1][:5], purpose)]).decode()
        imported(_file_in(text, how), name="f.csv")
    else:
        text = ONEC.decode().replace("Оплата по счету № 101", purpose, 1)
        imported(_file_in(text, how), name="f.txt")


def test_a_cp1251_line_after_a_utf8_head_is_named(clients: None) -> None:
    # The encoding is decided on the first 64 KB; the bad line comes after them.
    padding = [("2025-11-05", "1.00", ALFA, "", f"pad{n}", "x" * 60) for n in range(1200)]
    text = csv_bytes([*padding, (*CSV_ROWS[1][:5], "Оплата")]).decode()

    result = imported(_file_in(text, "utf8-then-cp1251"), name="f.csv")

    assert [(e.line, e.field) for e in result.errors] == [(1202, "file")]


@pytest.mark.parametrize("name", ["f.csv", "f.txt"])
def test_a_nul_byte_past_the_sniffed_head_is_named(clients: None, name: str) -> None:
    # Regression: on PostgreSQL the NUL reached COPY and raised DataError (a 500).
    if name == "f.csv":
        padding = [("2025-11-05", "1.00", ALFA, "", f"pad{n}", "x" * 60) for n in range(1200)]
        data = csv_bytes([*padding, (*CSV_ROWS[1][:5], "a\x00b")])
    else:
        data = ONEC.replace("НДС".encode(), ("x" * 70_000 + "\x00").encode(), 1)

    result = imported(data, name=name)

    assert [e.field for e in result.errors] == ["file"]
    assert "NUL" in result.errors[0].message


# --- (e) formula injection ---------------------------------------------------------------


@HOSTILE
@given(
    formula=st.one_of(
        st.sampled_from(FORMULAS),
        st.builds(lambda s, t: s + t, st.sampled_from(FORMULA_STARTS), st.text(max_size=30)),
    ),
    column=st.sampled_from(["reference", "purpose", "client"]),
)
@example(formula=HYPERLINK, column="purpose")
@example(formula=HYPERLINK, column="client")
@example(formula="@SUM(A1:A2)", column="reference")
def test_a_formula_in_a_text_cell_is_stored_as_text(
    clients: None, formula: str, column: str
) -> None:
    # given a client named by the formula, so a row naming it matches
    if column == "client" and not Client.objects.filter(name=formula.strip()).exists():
        ClientFactory(name=formula.strip(), inn=_spare_inn())
    date, amount, inn, name, reference, purpose = CSV_ROWS[0]
    row = {
        "reference": (date, amount, inn, name, formula, purpose),
        "purpose": (date, amount, inn, name, reference, formula),
        "client": (date, amount, "", formula, reference, purpose),
    }[column]

    # when it is imported
    result = imported(csv_bytes([row]))

    # then it is kept as the text it was (stripped like every cell), never evaluated
    if result.accepted and result.new:
        payment = Payment.objects.latest("pk")
        stored = {"reference": payment.source_ref, "purpose": payment.purpose}.get(column)
        if column == "client":
            assert payment.client.name == formula.strip()
        else:
            assert formula.strip() in stored
        _assert_export_is_inert()


_spare_serial = iter(range(500_000, 600_000))


def _spare_inn() -> str:
    return make_inn(next(_spare_serial))


def _assert_export_is_inert() -> None:
    """The payments' export (admin, django-import-export) starts no cell as a formula."""
    dataset = PaymentResource().export()
    for row in dataset:
        for cell in row:
            text = str(cell) if cell is not None else ""
            assert not text.startswith(FORMULA_STARTS) or neutralise(text).startswith("'"), row


# --- (f) XML bombs -------------------------------------------------------------------------

CAMT_ROOT = '<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.02">'
BILLION_LAUGHS = (
    '<?xml version="1.0"?>\n<!DOCTYPE Document [\n <!ENTITY lol "lol">\n'
    + "".join(
        f' <!ENTITY lol{n} "{("&lol" + (str(n - 1) if n > 1 else "") + ";") * 10}">\n'
        for n in range(1, 10)
    )
    + "]>\n"
    + CAMT_ROOT
    + "<BkToCstmrStmt><Stmt><Ntry><NtryRef>&lol9;</NtryRef></Ntry></Stmt></BkToCstmrStmt>"
    + "</Document>"
)
XXE = (
    '<?xml version="1.0"?>\n<!DOCTYPE Document [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>\n'
    + CAMT_ROOT
    + "<BkToCstmrStmt><Stmt><Ntry><NtryRef>&xxe;</NtryRef></Ntry></Stmt></BkToCstmrStmt>"
    + "</Document>"
)
EXTERNAL_DTD = (
    '<?xml version="1.0"?>\n<!DOCTYPE Document SYSTEM "file:///etc/passwd">\n'
    + CAMT.decode().split("\n", 1)[1]
)
PARAMETER_ENTITY = (
    '<?xml version="1.0"?>\n<!DOCTYPE Document [<!ENTITY % ext SYSTEM "http://x/e.dtd"> %ext;]>\n'
    + CAMT.decode().split("\n", 1)[1]
)
INTERNAL_DTD = (
    '<?xml version="1.0"?>\n<!DOCTYPE Document [<!ELEMENT Document ANY>]>\n'
    + CAMT.decode().split("\n", 1)[1]
)
QUADRATIC = (
    '<?xml version="1.0"?>\n<!DOCTYPE Document [<!ENTITY a "'
    + "a" * 50_000
    + '">]>\n'
    + CAMT_ROOT
    + "<BkToCstmrStmt><Stmt><Ntry><NtryRef>"
    + "&a;" * 2_000
    + "</NtryRef></Ntry></Stmt></BkToCstmrStmt></Document>"
)
BOMBS = {
    "billion-laughs": BILLION_LAUGHS,
    "xxe": XXE,
    "external-dtd": EXTERNAL_DTD,
    "parameter-entity": PARAMETER_ENTITY,
    "internal-dtd": INTERNAL_DTD,
    "quadratic-blowup": QUADRATIC,
}


# Regression: external-dtd and internal-dtd were accepted before forbid_dtd=True.
@pytest.mark.parametrize("bomb", sorted(BOMBS))
@pytest.mark.parametrize("fmt", ["auto", "camt053"])
def test_an_xml_bomb_is_refused(clients: None, bomb: str, fmt: str) -> None:
    result = imported(BOMBS[bomb].encode(), name="statement.xml", fmt=fmt)

    assert [e.field for e in result.errors] == ["file"]
    assert "DTD" in result.errors[0].message
    assert "root:" not in str(result.errors)


@HOSTILE
@given(position=st.integers(min_value=0, max_value=10**6))
def test_a_dtd_anywhere_before_the_root_is_refused(clients: None, position: int) -> None:
    # A DOCTYPE is only legal in the prolog; elsewhere it is a malformed file.
    text = CAMT.decode()
    cut = position % len(text)
    imported((text[:cut] + '<!DOCTYPE x [<!ENTITY e "e">]>' + text[cut:]).encode(), name="s.xml")


# --- the upload page ---------------------------------------------------------------------

UPLOADS = {
    "random.bin": bytes(range(256)) * 8,
    "truncated.xml": CAMT[: len(CAMT) // 2],
    "bomb.xml": BILLION_LAUGHS.encode(),
    "xxe.xml": XXE.encode(),
    "utf16.csv": csv_bytes().decode().encode("utf-16"),
    "formula.csv": csv_bytes([(*CSV_ROWS[0][:4], HYPERLINK, HYPERLINK)]),
    "huge-field.csv": csv_bytes([(*CSV_ROWS[0][:5], "x" * 100_000)]),
    "damaged.xlsx": VALID["f.xlsx"][:1000] + b"\x00" * 100 + VALID["f.xlsx"][1100:],
    "broken-sheet.xlsx": _replace_member(VALID["f.xlsx"], "xl/worksheets/sheet1.xml", b"<x"),
    "onec-truncated.txt": ONEC[:-200],
}


@pytest.mark.parametrize("name", sorted(UPLOADS))
def test_the_upload_page_never_fails_on_a_hostile_file(
    clients: None, cast: Cast, name: str
) -> None:
    web = WebClient(HTTP_ACCEPT_LANGUAGE="en")
    web.force_login(cast.admin)
    before = counts()
    upload = io.BytesIO(UPLOADS[name])
    upload.name = name

    response = web.post(reverse("import_upload"), {"file": upload, "format": "auto"}, follow=True)

    assert response.status_code == 200
    assert counts() == before
