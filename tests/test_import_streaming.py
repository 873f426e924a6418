"""The import at scale: the PostgreSQL COPY path, its query budget, and bounded memory.

No timings here (the benchmark measures those): what is pinned is that a larger file
costs no more queries and no more memory, and that the set-based path keeps every
guarantee of the chunked one — de-duplication, all-or-nothing, the batch that records it.
"""

from __future__ import annotations

import datetime as dt
import tracemalloc
from decimal import Decimal
from pathlib import Path

import pytest
from django.utils import timezone

from accounts.policy import SYSTEM
from compensation.models import BonusPeriod, PeriodState
from payments.importing import payments_import, rules
from payments.models import Client, ImportBatch, ImportStatus, Payment, Source
from tests.factories import Cast, ClientFactory

# Every import, whatever its size: batch bookkeeping, clients and closed periods once,
# the staging table, COPY, the de-duplication, counts, writes, clean-up.
QUERY_BUDGET = 25


@pytest.fixture
def inns(cast: Cast) -> list[str]:
    return [ClientFactory(department=cast.dept, responsible=cast.masha).inn for _ in range(50)]


def write_csv(path: Path, rows: int, inns: list[str], *, bad_line: int | None = None) -> Path:
    """A spreadsheet of ``rows`` payments naming the clients in turn, written to disk."""
    with path.open("w", encoding="utf-8") as out:
        out.write("date;amount;inn;reference\n")
        for n in range(rows):
            day = dt.date(2025, 1, 1) + dt.timedelta(days=n % 300)
            amount = "abc" if n + 2 == bad_line else f"{n % 9000 + 1}.25"
            out.write(f"{day:%d.%m.%Y};{amount};{inns[n % len(inns)]};ref-{n}\n")
    return path


def run(path: Path, **kwargs: object) -> object:
    with path.open("rb") as stream:
        return payments_import(file_name=path.name, data=stream, **{"user": SYSTEM, **kwargs})


def test_it_imports_through_copy_recorded_by_its_batch(
    inns: list[str], cast: Cast, tmp_path: Path
) -> None:
    # given
    path = write_csv(tmp_path / "year.csv", 2500, inns)
    # when
    result = run(path, user=cast.admin)
    # then: the payments, each in the file's batch, which names who imported it; the
    # batch is their record of how they came in, so no '+' history row is written each
    assert (result.new, result.duplicate, result.rejected) == (2500, 0, 0)
    assert Payment.objects.filter(import_batch=result.batch, recorded_by=None).count() == 2500
    assert (result.batch.created_by, result.batch.file_name) == (cast.admin, "year.csv")
    assert not Payment.history.exists()
    first = Payment.objects.get(source_ref="ref-0")
    assert first.operation_key == f"2025-01-01|1.25|i:{inns[0]}|ref-0"
    assert first.department == cast.dept
    assert first.responsible == cast.masha


def test_a_reimport_adds_nothing_and_counts_duplicates(inns: list[str], tmp_path: Path) -> None:
    path = write_csv(tmp_path / "year.csv", 1500, inns)
    run(path)
    again = run(path)
    assert (again.new, again.duplicate) == (0, 1500)
    assert again.batch.status == ImportStatus.DONE
    assert Payment.objects.count() == 1500


def test_rows_repeated_within_the_file_are_written_once(inns: list[str], tmp_path: Path) -> None:
    path = write_csv(tmp_path / "twice.csv", 10, inns)
    text = path.read_text(encoding="utf-8")
    path.write_text(text + "\n".join(text.splitlines()[1:]) + "\n", encoding="utf-8")
    result = run(path)
    assert (result.new, result.duplicate) == (10, 10)
    assert Payment.objects.count() == 10


def test_one_bad_row_keeps_the_whole_file_out(inns: list[str], tmp_path: Path) -> None:
    # given: 3,000 good rows and one with a broken amount on line 2,001
    path = write_csv(tmp_path / "bad.csv", 3000, inns, bad_line=2001)
    # when
    result = run(path)
    # then: nothing written, the batch rejected, the error names row and field
    assert not Payment.objects.exists()
    assert not Payment.history.exists()
    assert result.batch.status == ImportStatus.REJECTED
    assert [(e.line, e.field) for e in result.errors] == [(2001, "amount")]


def test_an_unknown_client_is_rejected_by_row_and_field(inns: list[str], tmp_path: Path) -> None:
    path = write_csv(tmp_path / "unknown.csv", 20, [*inns[:3], "7707083893"])
    result = run(path)
    assert not Payment.objects.exists()
    assert {e.field for e in result.errors} == {"inn"}
    assert [e.line for e in result.errors] == [5, 9, 13, 17, 21]
    assert result.rejected == 5


def test_a_dry_run_counts_and_writes_nothing(inns: list[str], tmp_path: Path) -> None:
    path = write_csv(tmp_path / "dry.csv", 1200, inns)
    result = run(path, dry_run=True)
    assert (result.new, result.batch) == (1200, None)
    assert not Payment.objects.exists()
    assert not ImportBatch.objects.exists()


@pytest.mark.parametrize("rows", [1000, 20000])
def test_the_number_of_queries_does_not_grow_with_the_file(
    rows: int, inns: list[str], tmp_path: Path, django_assert_max_num_queries: object
) -> None:
    path = write_csv(tmp_path / "big.csv", rows, inns)
    with django_assert_max_num_queries(QUERY_BUDGET):
        result = run(path)
    assert result.new == rows


def peak_bytes(path: Path) -> int:
    tracemalloc.start()
    try:
        result = run(path)
        _current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert result.accepted, result.errors[:3]
    return peak


def test_memory_does_not_grow_with_the_file(inns: list[str], tmp_path: Path) -> None:
    # given two files of new payments, one five times the other, streamed from disk
    small = write_csv(tmp_path / "small.csv", 20_000, inns)
    large = write_csv(tmp_path / "large.csv", 100_000, inns)
    run(write_csv(tmp_path / "warm.csv", 100, inns))  # imports, caches: not the file's cost
    Payment.objects.all().delete()
    # when
    small_peak = peak_bytes(small)
    Payment.objects.all().delete()
    large_peak = peak_bytes(large)
    # then: the peak is the same within noise, not five times larger
    assert large_peak < 1.5 * small_peak, (small_peak, large_peak)
    assert Payment.objects.count() == 100_000


def test_every_source_is_a_known_import_source() -> None:
    # The COPY path writes ``source`` as text; it must stay one of the choices.
    from payments.importing.readers import SOURCES

    assert set(SOURCES.values()) <= set(Source.values)


@pytest.mark.django_db
def test_clients_are_loaded_in_one_query(
    cast: Cast, django_assert_num_queries: object, inns: list[str]
) -> None:
    from payments.importing.rules import ClientMatcher

    matcher = ClientMatcher()
    with django_assert_num_queries(1):
        matcher.load_all(by_name=True)
    assert len(matcher._by_inn) == Client.objects.count()


def test_an_operation_written_meanwhile_is_left_out_as_a_repeat(
    inns: list[str], cast: Cast, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # given: between sorting out the repeats and writing, a payment of the operation of
    # the file's first row appears (as from another writer)
    from payments.importing import writer

    sort_out = writer._select_fresh
    client = Client.objects.get(inn=inns[0])

    def sort_out_then_clash(cursor: object) -> None:
        sort_out(cursor)
        Payment.of_client(
            client,
            amount="1.25",
            received_on=dt.date(2025, 1, 1),
            source=Source.MANUAL,
            operation_key=f"2025-01-01|1.25|i:{inns[0]}|ref-0",
        ).save()

    monkeypatch.setattr(writer, "_select_fresh", sort_out_then_clash)
    # when
    result = run(write_csv(tmp_path / "clash.csv", 30, inns), user=cast.admin)
    # then: INSERT … ON CONFLICT leaves that row out, and the counts say so
    assert result.errors == []
    assert (result.new, result.duplicate) == (29, 1)
    assert result.new_amount == sum(Decimal(f"{n % 9000 + 1}.25") for n in range(1, 30))
    assert result.batch.new_count == 29
    assert Payment.objects.filter(import_batch=result.batch).count() == 29
    assert Payment.objects.count() == 30


def _close_january(cast: Cast) -> None:
    BonusPeriod.objects.update_or_create(
        department=cast.dept,
        month=dt.date(2025, 1, 1),
        defaults={"state": PeriodState.CLOSED, "closed_at": timezone.now()},
    )


def test_a_month_closed_while_the_file_is_read_refuses_it_whole(
    inns: list[str], cast: Cast, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # given January closes after the file's rows were checked against the open months
    monkeypatch.setattr(rules, "closed_periods_all", dict)
    _close_january(cast)
    # when
    result = run(write_csv(tmp_path / "late.csv", 40, inns), user=cast.admin)
    # then: the period lock finds it closed; nothing is written
    assert [(e.line, e.field) for e in result.errors] == [(0, "file")]
    assert "January 2025" in result.errors[0].message
    assert f"of department {cast.dept.name} was closed" in result.errors[0].message
    assert "was closed while this file was being imported" in result.errors[0].message
    assert not Payment.objects.exists()


def test_duplicates_in_a_month_closed_meanwhile_do_not_refuse_the_file(
    inns: list[str], cast: Cast, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # given January's rows were imported before, and January closed after the checks
    run(write_csv(tmp_path / "january.csv", 31, inns), user=cast.admin)
    monkeypatch.setattr(rules, "closed_periods_all", dict)
    _close_january(cast)
    # when the file again, now with later months too
    result = run(write_csv(tmp_path / "more.csv", 60, inns), user=cast.admin)
    # then only the new rows (February and March) are written
    assert result.errors == []
    assert (result.new, result.duplicate) == (29, 31)
    assert Payment.objects.count() == 60
