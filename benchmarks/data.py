"""The benchmark's data set, generated deterministically from one seed.

20 departments (the demo department and 19 more), 10,000 clients with valid INNs,
a year of payments (1 November 2025 – 31 October 2026), and the files to import:
a CSV of 1,000,000 rows, a 1C statement of 100,000 documents and an XLSX of 100,000 rows.
Money is whole kopecks turned into text: no float ever holds an amount.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Iterator
from pathlib import Path

SEED = 20261127
DEPARTMENTS = 20
CLIENTS = 10_000
FIRST_DAY = dt.date(2025, 11, 1)
DAYS = 365
INN_WEIGHTS = (2, 4, 10, 3, 5, 9, 4, 6, 8)
OWN_ACCOUNT = "40702810500000001234"


def inn(serial: int) -> str:
    """A valid 10-digit INN (tax office 39xx, never one of the demo's)."""
    body = f"39{serial:07d}"
    check = sum(int(d) * w for d, w in zip(body, INN_WEIGHTS, strict=True)) % 11 % 10
    return f"{body}{check}"


def money(kopecks: int) -> str:
    return f"{kopecks // 100}.{kopecks % 100:02d}"


def day(rng: random.Random, first: dt.date = FIRST_DAY, days: int = DAYS) -> dt.date:
    return first + dt.timedelta(days=rng.randrange(days))


def kopecks(rng: random.Random) -> int:
    return rng.randrange(1_000_00, 500_000_00)


def payment_copy_lines(
    count: int,
    clients: list[tuple[int, int, int | None]],
    *,
    prefix: str,
    seed: int = SEED,
    first_day: dt.date = FIRST_DAY,
    days: int = DAYS,
) -> Iterator[str]:
    """COPY text rows of ``payments_payment``: (client, department, responsible) drawn."""
    rng = random.Random(seed)
    for n in range(count):
        client, department, responsible = clients[rng.randrange(len(clients))]
        resp = "\\N" if responsible is None else str(responsible)
        when = day(rng, first_day, days).isoformat()
        yield (
            f"{client}\t{department}\t{resp}\t{money(kopecks(rng))}\t{when}\t"
            f"manual\t{prefix}-{n}\t\t\t\t\\N\t\\N\t2026-11-01 00:00:00+00\t\\N\t\\N\t\n"
        )


PAYMENT_COPY_COLUMNS = (
    "client_id, department_id, responsible_id, amount, received_on, source, source_ref, "
    "payer_inn, payer_name, purpose, import_batch_id, recorded_by_id, recorded_at, "
    "voided_at, voided_by_id, void_reason"
)


def write_csv(path: Path, rows: int) -> None:
    rng = random.Random(SEED + 1)
    with path.open("w", encoding="utf-8") as out:
        out.write("date;amount;inn;reference\n")
        for n in range(rows):
            payer = inn(rng.randrange(CLIENTS))
            out.write(f"{day(rng):%d.%m.%Y};{money(kopecks(rng))};{payer};csv-{n}\n")


def write_onec(path: Path, documents: int) -> None:
    """A 1C statement; one payer in a hundred is not a client (left unmatched)."""
    rng = random.Random(SEED + 2)
    docs, total = [], 0
    for n in range(documents):
        amount = kopecks(rng)
        total += amount
        serial = rng.randrange(CLIENTS) if rng.random() >= 0.01 else CLIENTS + n
        docs.append((n, day(rng), amount, inn(serial)))
    with path.open("w", encoding="cp1251") as out:
        out.write(_onec_head(money(total)))
        for n, when, amount, payer in docs:
            out.write(_onec_document(n, when, amount, payer))
        out.write("КонецФайла\n")


def _onec_head(total: str) -> str:
    return (
        "1CClientBankExchange\nВерсияФормата=1.03\nКодировка=Windows\n"
        f"РасчСчет={OWN_ACCOUNT}\nСекцияРасчСчет\nДатаНачала=01.11.2025\n"
        f"ДатаКонца=31.10.2026\nРасчСчет={OWN_ACCOUNT}\nВсегоПоступило={total}\n"
        "КонецРасчСчет\n"
    )


def _onec_document(n: int, when: dt.date, amount: int, payer: str) -> str:
    account = f"40702810{n:012d}"
    return (
        f"СекцияДокумент=Платежное поручение\nНомер={n}\nДата={when:%d.%m.%Y}\n"
        f"Сумма={money(amount)}\nПлательщикСчет={account}\nПлательщик1=ООО Плательщик {n}\n"
        f"ПлательщикИНН={payer}\nПолучательСчет={OWN_ACCOUNT}\nДатаПоступило={when:%d.%m.%Y}\n"
        f"НазначениеПлатежа=Оплата по счёту {n}\nКонецДокумента\n"
    )


def write_xlsx(path: Path, rows: int) -> None:
    import openpyxl

    rng = random.Random(SEED + 3)
    # Not write-only: that mode leaves out the sheet's <dimension>, which Excel always
    # writes and without which openpyxl reads the whole sheet once more to size it.
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["Дата", "Сумма", "ИНН", "Номер"])
    for n in range(rows):
        # Amounts as text: the spreadsheet holds exactly what was typed, no binary float.
        sheet.append([day(rng), money(kopecks(rng)), inn(rng.randrange(CLIENTS)), f"xlsx-{n}"])
    book.save(path)


# --- the collections cockpit: invoices and promises ---------------------------------------

# 120,000 invoices a year at 1,000,000 payments: each of the 10,000 clients billed monthly.
INVOICES_PER_PAYMENT = (120_000, 1_000_000)
MONTHS = 12
INVOICE_DUE_DAYS = 10
# One invoice in this many of the dashboard's month has a promise to pay recorded.
PROMISE_EVERY = 20


def invoice_count(payments: int) -> int:
    per, of = INVOICES_PER_PAYMENT
    return payments * per // of


def _month(index: int) -> dt.date:
    month = FIRST_DAY.month - 1 + index
    return dt.date(FIRST_DAY.year + month // 12, month % 12 + 1, 1)


def invoice_copy_lines(
    count: int, clients: list[tuple[int, int, int | None]], *, recorded_by: int
) -> Iterator[str]:
    """COPY text rows of ``payments_invoice``: invoice ``n`` bills client ``n // 12`` for
    month ``n % 12`` of the year, so no client is billed twice in a month."""
    rng = random.Random(SEED + 4)
    for n in range(count):
        client = clients[(n // MONTHS) % len(clients)][0]
        month = _month(n % MONTHS)
        issued = month + dt.timedelta(days=rng.randrange(5))
        due = issued + dt.timedelta(days=INVOICE_DUE_DAYS)
        yield (
            f"{client}\t{month}\t{_invoice_number(n)}\t{issued}\t{due}\t{money(kopecks(rng))}\t"
            f"\\N\t{recorded_by}\t2026-11-01 00:00:00+00\n"
        )


def _invoice_number(n: int) -> str:
    return f"INV-{n:07d}"


def promise_copy_lines(
    count: int,
    clients: list[tuple[int, int, int | None]],
    *,
    month: dt.date,
    recorded_by: int,
) -> Iterator[str]:
    """COPY text rows of ``payments_promise``: for every ``PROMISE_EVERY``-th client
    billed in ``month``, a promise recorded on the 12th to pay in the second half."""
    index = next(i for i in range(MONTHS) if _month(i) == month)
    rng = random.Random(SEED + 5)
    for n in range(index, count, MONTHS * PROMISE_EVERY):
        client = clients[(n // MONTHS) % len(clients)][0]
        promised = month.replace(day=15 + rng.randrange(14))
        yield (
            f"{client}\t\\N\t{month.replace(day=12)}\t{promised}\t{money(kopecks(rng))}\t\t"
            f"{recorded_by}\t2026-11-01 00:00:00+00\n"
        )


INVOICE_COPY_COLUMNS = (
    "client_id, month, number, issued_on, due_on, amount, import_batch_id, recorded_by_id, "
    "recorded_at"
)
PROMISE_COPY_COLUMNS = (
    "client_id, invoice_id, called_on, promised_on, amount, note, recorded_by_id, recorded_at"
)


def write_invoices_csv(path: Path, rows: int) -> None:
    """A billing system's month of invoices for the import's dry run: new numbers, every
    client a known one."""
    rng = random.Random(SEED + 6)
    with path.open("w", encoding="utf-8") as out:
        out.write("ИНН;Номер;Дата;Сумма;Срок оплаты\n")
        for n in range(rows):
            amount = money(kopecks(rng))
            out.write(f"{inn(n % CLIENTS)};UP-{n:07d};02.10.2026;{amount};12.10.2026\n")
