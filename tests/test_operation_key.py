"""One bank operation is one payment, whatever file brought it (``rules.operation_key``).

The key is built from the parsed day, amount, payer and document number: the same
operation from a 1C statement and from camt.053, or the same 1C document re-exported with
another spelling of its amount or date, is recognised as a repeat. An operation resembling
one on record (same payer, day, amount, another number) is listed for a person to keep or
drop.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError

from accounts.policy import SYSTEM
from payments.importing import ImportResult, payments_import
from payments.importing.rules import document_number, operation_key, payer_id
from payments.models import Client, Payment, Source, UnmatchedPayment
from payments.services import payment_record
from tests.factories import Cast, ClientFactory

FIXTURES = Path(__file__).parent / "fixtures"
ALFA, PETROV, VEKTOR = "7701000019", "772300000344", "5001000027"
ONEC = (FIXTURES / "statement-1c-utf8.txt").read_text(encoding="utf-8")
CAMT = (FIXTURES / "statement-camt053.xml").read_bytes()


@pytest.fixture(autouse=True)
def _english(settings: object) -> None:
    settings.LANGUAGE_CODE = "en"


@pytest.fixture
def clients(cast: Cast) -> dict[str, Client]:
    return {
        inn: ClientFactory(name=name, inn=inn, department=cast.dept)
        for inn, name in [(ALFA, "Alfa"), (PETROV, "Petrov"), (VEKTOR, "Vektor")]
    }


def onec(text: str = ONEC) -> bytes:
    return text.encode("utf-8")


def run(data: bytes, name: str, **kwargs: object) -> ImportResult:
    return payments_import(file_name=name, data=data, **{"user": SYSTEM, **kwargs})


# --- the key itself ----------------------------------------------------------------------


def test_the_key_is_built_from_parsed_values() -> None:
    key, near = operation_key(
        received_on=dt.date(2025, 11, 6),
        amount=Decimal("2000"),
        payer=payer_id(account=" 4070 2810 ", inn=ALFA, name="Alfa"),
        number=" 000 512 ",
    )
    assert key == "2025-11-06|2000.00|a:40702810|512"
    assert near == "2025-11-06|2000.00|a:40702810|"
    assert payer_id(inn=ALFA, name="Alfa") == f"i:{ALFA}"
    assert payer_id(name="  ООО  Альфа ") == "n:ооо альфа"
    assert [document_number(n) for n in ("0", "000", "", "A-12", "0 0 7")] == [
        "0",
        "0",
        "",
        "a-12",
        "7",
    ]


# --- across formats ----------------------------------------------------------------------


def test_a_1c_statement_then_the_same_operations_in_camt053_adds_each_once(
    clients: dict, cast: Cast
) -> None:
    # given the November statement imported from 1C
    first = run(onec(), "statement.txt", user=cast.admin)
    assert (first.new, first.duplicate) == (3, 0)

    # when the same month's camt.053 is checked, then imported
    preview = run(CAMT, "statement.xml", user=cast.admin, dry_run=True)
    second = run(CAMT, "statement.xml", user=cast.admin)

    # then the dry run reports 3 repeats and nothing new, and confirming adds nothing
    assert (preview.new, preview.duplicate, preview.unmatched) == (0, 3, 0)
    assert preview.near_match_count == 0
    assert (second.new, second.duplicate) == (0, 3)
    assert Payment.objects.count() == 3
    assert set(Payment.objects.values_list("source", flat=True)) == {Source.ONEC}


def test_camt053_then_1c_adds_each_once_and_unknown_payers_too(cast: Cast) -> None:
    # given no client matches: both statements keep the payers for a person to assign
    run(CAMT, "statement.xml", user=cast.admin)
    again = run(onec(), "statement.txt", user=cast.admin)

    assert (again.new, again.unmatched, again.duplicate) == (0, 0, 3)
    assert UnmatchedPayment.objects.count() == 3


# --- the same 1C document re-exported -----------------------------------------------------


@pytest.mark.parametrize(
    ("field", "before", "after"),
    [
        ("Сумма", "Сумма=150000.00", "Сумма=150000"),
        ("Сумма", "Сумма=87500.50", "Сумма=87 500,50"),
        ("Сумма", "Сумма=87500.50", "Сумма=87\u00a0500,5"),
        ("ДатаПоступило", "ДатаПоступило=06.11.2025", "ДатаПоступило=2025-11-06"),
        ("Номер", "Номер=512", "Номер=00512"),
    ],
)
def test_a_re_exported_document_is_recognised_as_a_repeat(
    field: str, before: str, after: str, clients: dict, cast: Cast
) -> None:
    # given the statement imported once
    run(onec(), "statement.txt", user=cast.admin)
    # the same statement as another export writes it (the total too, for an amount)
    again = ONEC.replace(before, after)
    assert again != ONEC, field

    # when it is checked, then imported
    preview = run(onec(again), "again.txt", user=cast.admin, dry_run=True)
    result = run(onec(again), "again.txt", user=cast.admin)

    # then every operation is a repeat: the dry run says so and confirming adds none
    assert preview.errors == []
    assert (preview.new, preview.duplicate) == (0, 3)
    assert (result.new, result.duplicate) == (0, 3)
    assert Payment.objects.count() == 3


# --- possible repeats --------------------------------------------------------------------

# The Alfa document of 06.11.2025 again, under another number: the same payer, day and
# amount (a bank's correction, or a second payment of the same invoice).
ANOTHER_NUMBER = ONEC.replace("Номер=512", "Номер=513")


def test_a_possible_repeat_is_listed_with_the_payment_it_resembles(
    clients: dict, cast: Cast
) -> None:
    run(onec(), "statement.txt", user=cast.admin)
    existing = Payment.objects.get(source_ref="512")

    preview = run(onec(ANOTHER_NUMBER), "again.txt", user=cast.admin, dry_run=True)

    assert (preview.new, preview.duplicate) == (1, 2)
    assert preview.near_match_count == 1
    [near] = preview.near_matches
    assert (near.line, near.received_on, near.amount, near.number) == (
        20,
        dt.date(2025, 11, 6),
        Decimal("150000.00"),
        "513",
    )
    assert (near.existing_id, near.existing_kind, near.existing_number) == (
        existing.pk,
        "payment",
        "512",
    )
    assert near.existing_payer == "Alfa"


def test_a_possible_repeat_is_kept_unless_a_person_drops_it(clients: dict, cast: Cast) -> None:
    run(onec(), "statement.txt", user=cast.admin)

    kept = run(onec(ANOTHER_NUMBER), "again.txt", user=cast.admin)

    assert (kept.new, kept.duplicate, kept.dropped) == (1, 2, 0)
    assert Payment.objects.filter(source_ref="513").exists()


def test_a_possible_repeat_dropped_by_a_person_is_left_out(clients: dict, cast: Cast) -> None:
    run(onec(), "statement.txt", user=cast.admin)
    [near] = run(onec(ANOTHER_NUMBER), "again.txt", user=cast.admin, dry_run=True).near_matches

    dropped = run(onec(ANOTHER_NUMBER), "again.txt", user=cast.admin, skip_lines=[near.line])

    assert (dropped.new, dropped.duplicate, dropped.dropped) == (0, 2, 1)
    assert dropped.batch.duplicate_count == 3
    assert not Payment.objects.filter(source_ref="513").exists()
    assert Payment.objects.count() == 3


def test_the_possible_repeats_listed_are_bounded_and_all_counted(cast: Cast) -> None:
    client = ClientFactory(department=cast.dept)
    rows = 205
    lines = ["date;amount;inn;reference"]
    lines += [f"01.10.2026;{n + 1}.00;{client.inn};a-{n}" for n in range(rows)]
    run("\n".join(lines).encode(), "a.csv")
    again = [line.replace(";a-", ";b-") for line in lines]

    preview = run("\n".join(again).encode(), "b.csv", dry_run=True)

    assert preview.new == rows
    assert preview.near_match_count == rows
    assert len(preview.near_matches) == 200
    assert [near.line for near in preview.near_matches[:2]] == [2, 3]


# --- manual entry ------------------------------------------------------------------------


def test_a_manual_entry_with_a_document_number_is_refused_twice(cast: Cast) -> None:
    client = ClientFactory(department=cast.dept, name="Alfa")
    entry = {"client": client, "amount": "1500.00", "received_on": dt.date(2026, 10, 5)}
    first = payment_record(user=cast.admin, reference="0042", **entry)

    with pytest.raises(ValidationError) as refused:
        payment_record(user=cast.admin, reference="42", **entry)

    assert first.operation_key == f"2026-10-05|1500.00|i:{client.inn}|42"
    assert refused.value.message_dict == {
        "reference": [
            "A payment of Alfa of 1500.00 on 05.10.2026 with the document number 42 "
            "is already recorded."
        ]
    }
    assert Payment.objects.count() == 1


def test_a_manual_entry_without_a_number_may_be_entered_twice(cast: Cast) -> None:
    client = ClientFactory(department=cast.dept)
    entry = {"client": client, "amount": "1500.00", "received_on": dt.date(2026, 10, 5)}

    first = payment_record(user=cast.admin, **entry)
    second = payment_record(user=cast.admin, **entry)

    assert first.operation_key != second.operation_key
    assert Payment.objects.filter(client=client, amount=Decimal("1500.00")).count() == 2


# --- the data migration ------------------------------------------------------------------


def test_the_migration_reads_old_references_into_the_keys_imports_build_now(
    clients: dict, cast: Cast
) -> None:
    from importlib import import_module
    from types import SimpleNamespace

    migration = import_module("payments.migrations.0009_operation_key")
    run(onec(), "statement.txt", user=cast.admin)
    alfa = Payment.objects.get(source_ref="512")

    # rows as the importer stored them before there was a key
    old = {
        "1c": "40702810500000001234|512|05.11.2025|150000.00|40702810900000004567",
        "camt053": "40702810500000001234|512",
        "file": f"2025-11-06|150000.00|{ALFA}|512",
    }
    keys = {
        source: migration._key(
            row, *migration._old_parts(row, "40702810900000004567" if source != "file" else "")
        )
        for source, ref in old.items()
        for row in [
            SimpleNamespace(
                source=source,
                source_ref=ref,
                payer_inn=ALFA,
                payer_name="Alfa",
                amount=Decimal("150000.00"),
                received_on=dt.date(2025, 11, 6),
            )
        ]
    }

    # the bank statements' rows get the key the import gives the same operation today
    assert keys["1c"] == keys["camt053"] == alfa.operation_key
    assert keys["file"] == f"2025-11-06|150000.00|i:{ALFA}|512"
