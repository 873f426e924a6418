"""The direct write on PostgreSQL, and the staged route it falls back on.

A file of new payments is COPYed straight into the payments table as it is read. A file
that repeats an earlier import or itself, wherever the repeat is, is read again by the
staged route, and the result is the one that route gives from the start: the same
counts, errors and rows, to the kopeck.
"""

from __future__ import annotations

import datetime as dt
import threading
import time
from decimal import Decimal
from typing import Any

import psycopg
import pytest
from django.db import OperationalError, connection, transaction
from django.db.models import Count, Sum
from django.utils import timezone
from hypothesis import HealthCheck, event, example, given, settings
from hypothesis import strategies as st

from compensation.models import BonusPeriod, PeriodState
from payments.importing import payments_import, postgres
from payments.models import DailyCollection, ImportStatus, Payment, UnmatchedPayment
from payments.services import payment_record
from tests.factories import Cast, ClientFactory, build_cast

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="the COPY write path exists on PostgreSQL only (CI runs the suite on PostgreSQL)",
)

OWN_ACCOUNT = "40702810900000000001"
UNKNOWN_INN = "7707083893"
# A document: (number, day, amount, payer's INN). The payer's account follows the number,
# so two documents with one number, day and amount are one payment to the bank.
Document = tuple[int, dt.date, str, str]


def statement(documents: list[Document]) -> bytes:
    """A 1C statement of incoming documents to our one account, totals reconciled."""
    total = sum((Decimal(amount) for _n, _day, amount, _inn in documents), Decimal("0.00"))
    lines = [
        "1CClientBankExchange",
        "ВерсияФормата=1.03",
        "Кодировка=Windows",
        f"РасчСчет={OWN_ACCOUNT}",
        "СекцияРасчСчет",
        f"РасчСчет={OWN_ACCOUNT}",
        f"ВсегоПоступило={total}",
        "КонецРасчСчет",
    ]
    for number, day, amount, inn in documents:
        lines += [
            "СекцияДокумент=Платежное поручение",
            f"Номер={number}",
            f"Дата={day:%d.%m.%Y}",
            f"Сумма={amount}",
            f"ПлательщикСчет=40702810{number:012d}",
            f"Плательщик1=Плательщик {number}",
            f"ПлательщикИНН={inn}",
            f"ПолучательСчет={OWN_ACCOUNT}",
            f"ДатаПоступило={day:%d.%m.%Y}",
            "НазначениеПлатежа=Оплата по договору",
            "КонецДокумента",
        ]
    lines.append("КонецФайла")
    return "\n".join(lines).encode("cp1251")


def spreadsheet_of(documents: list[Document]) -> bytes:
    """The same documents typed into a spreadsheet: a client it does not know is an error."""
    rows = ["date;amount;inn;reference"]
    rows += [f"{day:%d.%m.%Y};{amount};{inn};{number}" for number, day, amount, inn in documents]
    return ("\n".join(rows) + "\n").encode()


FORMATS = {"1c": statement, "csv": spreadsheet_of}


def spreadsheet(first: int, last: int, inns: list[str]) -> bytes:
    """CSV rows ``first`` to ``last`` - 1; the same number gives the same payment."""
    rows = ["date;amount;inn;reference"]
    for n in range(first, last):
        day = dt.date(2025, 1, 1) + dt.timedelta(days=n % 300)
        rows.append(f"{day:%d.%m.%Y};{n % 9000 + 1}.25;{inns[n % len(inns)]};ref-{n}")
    return ("\n".join(rows) + "\n").encode()


@pytest.fixture
def inns(cast: Cast) -> list[str]:
    return [ClientFactory(department=cast.dept, responsible=cast.masha).inn for _ in range(5)]


@pytest.fixture
def routes(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The routes each import takes, in order: "direct" when it starts writing as it
    reads, "staged" when it reads the file through the staging table."""
    taken: list[str] = []
    copy_payments, import_staged = postgres._copy_payments, postgres._import_staged

    def direct(*args: Any) -> Any:
        taken.append("direct")
        return copy_payments(*args)

    def staged(*args: Any) -> Any:
        taken.append("staged")
        return import_staged(*args)

    monkeypatch.setattr(postgres, "_copy_payments", direct)
    monkeypatch.setattr(postgres, "_import_staged", staged)
    return taken


def by_day(rows: Any) -> list[tuple[Any, ...]]:
    """Daily collections, or payments grouped the same way, as comparable tuples."""
    if rows.model is DailyCollection:
        rows = rows.values_list("department_id", "day", "amount", "payment_count")
    else:
        rows = rows.values_list("department_id", "received_on", "total", "number")
    return sorted(rows)


def imported(data: bytes, name: str = "file.csv", **kwargs: Any) -> Any:
    return payments_import(file_name=name, data=data, **kwargs)


def test_a_file_of_new_payments_is_written_as_it_is_read(
    inns: list[str], cast: Cast, routes: list[str]
) -> None:
    result = imported(spreadsheet(0, 1500, inns), user=cast.admin)

    assert routes == ["direct"]
    assert (result.new, result.duplicate, result.rejected) == (1500, 0, 0)
    expected = sum((Decimal(f"{n % 9000 + 1}.25") for n in range(1500)), Decimal("0.00"))
    assert result.new_amount == expected
    assert result.batch.new_count == 1500
    written = Payment.objects.filter(import_batch=result.batch)
    assert written.count() == 1500
    first = written.get(source_ref=f"2025-01-01|1.25|{inns[0]}|ref-0")
    assert (first.department, first.responsible, first.amount) == (
        cast.dept,
        cast.masha,
        Decimal("1.25"),
    )
    assert (first.recorded_by, first.voided_at, first.void_reason) == (None, None, "")


def test_a_file_imported_again_is_seen_in_its_first_rows(
    inns: list[str], routes: list[str]
) -> None:
    imported(spreadsheet(0, 1500, inns))

    again = imported(spreadsheet(0, 1500, inns))

    # The second import never starts writing: its first rows are known.
    assert routes == ["direct", "staged"]
    assert (again.new, again.duplicate) == (0, 1500)
    assert Payment.objects.count() == 1500


def test_an_overlap_past_the_first_rows_is_read_again_by_the_staged_route(
    inns: list[str], routes: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(postgres, "HEAD_ROWS", 10)
    imported(spreadsheet(0, 100, inns))
    # the next file starts with new rows and ends with fifty of the first file's
    later = spreadsheet(100, 200, inns) + spreadsheet(0, 50, inns).split(b"\n", 1)[1]

    result = imported(later)

    # The unique reference refuses the 101st row: the write is rolled back, and the
    # staged route counts what it would have from the start.
    assert routes == ["direct", "direct", "staged"]
    assert (result.new, result.duplicate, result.rejected) == (100, 50, 0)
    assert result.batch.new_count == 100
    assert Payment.objects.count() == 200
    assert Payment.objects.filter(import_batch=result.batch).count() == 100
    # the rolled-back write took its daily collections with it
    assert by_day(DailyCollection.objects) == by_day(
        Payment.objects.values("department_id", "received_on").annotate(
            total=Sum("amount"), number=Count("id")
        )
    )


def test_a_row_repeated_past_the_first_rows_is_written_once(
    inns: list[str], routes: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(postgres, "HEAD_ROWS", 10)
    data = spreadsheet(0, 100, inns) + spreadsheet(0, 10, inns).split(b"\n", 1)[1]

    result = imported(data)

    assert routes == ["direct", "staged"]
    assert (result.new, result.duplicate) == (100, 10)
    assert Payment.objects.count() == 100


def test_a_payer_left_unmatched_before_is_not_written_again_as_a_payment(
    cast: Cast, routes: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    # given a statement whose payer was unknown, then became a client
    known = ClientFactory(department=cast.dept).inn
    day = dt.date(2026, 10, 5)
    imported(statement([(1, day, "100.00", UNKNOWN_INN)]), name="first.txt")
    ClientFactory(department=cast.dept, inn=UNKNOWN_INN)
    monkeypatch.setattr(postgres, "HEAD_ROWS", 1)
    # when the next statement holds a new document, then that one again
    result = imported(
        statement([(2, day, "200.00", known), (1, day, "100.00", UNKNOWN_INN)]),
        name="second.txt",
    )
    # then: it stays unmatched, waiting for a person, and is not also a payment
    assert routes == ["direct", "direct", "staged"]
    assert (result.new, result.duplicate, result.unmatched) == (1, 1, 0)
    assert list(Payment.objects.values_list("amount", flat=True)) == [Decimal("200.00")]
    assert UnmatchedPayment.objects.get().amount == Decimal("100.00")


def test_of_two_documents_under_one_reference_the_first_counts_on_either_route(
    cast: Cast, routes: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    # given one document twice, first with an unknown payer's INN, then a client's: one
    # payment to the bank (same account, number, day, amount), read in file order
    known = ClientFactory(department=cast.dept).inn
    day = dt.date(2026, 10, 5)
    monkeypatch.setattr(postgres, "HEAD_ROWS", 1)
    data = statement([(7, day, "50.00", UNKNOWN_INN), (7, day, "50.00", known)])
    # when
    result = imported(data, name="twice.txt")
    # then the first stays, unmatched, as the staged route decides it; nothing is paid
    assert routes == ["direct", "staged"]
    assert (result.new, result.duplicate, result.unmatched) == (0, 1, 1)
    assert not Payment.objects.exists()
    assert UnmatchedPayment.objects.get().payer_inn == UNKNOWN_INN


def test_a_month_closed_meanwhile_refuses_a_directly_written_file(
    inns: list[str], cast: Cast, routes: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    # given January closes after the rows were checked against the open months
    monkeypatch.setattr(postgres.rules, "closed_periods_all", dict)
    BonusPeriod.objects.create(
        department=cast.dept,
        month=dt.date(2025, 1, 1),
        state=PeriodState.CLOSED,
        closed_at=timezone.now(),
    )
    # when
    result = imported(spreadsheet(0, 40, inns))
    # then the lock taken after the write finds it closed: the file is refused whole
    assert routes == ["direct"]
    assert [(e.line, e.field) for e in result.errors] == [(0, "file")]
    assert "01.2025" in result.errors[0].message
    assert not Payment.objects.exists()


def test_a_database_error_that_is_no_overlap_is_not_hidden(
    inns: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    # given the rows of the direct write break the database for another reason
    def broken(cursor: Any, *args: Any) -> Any:
        cursor.execute("SELECT 1 / 0")

    monkeypatch.setattr(postgres, "_copy_payments", broken)
    # when / then: the import fails (its batch says so), it is not read again quietly
    with pytest.raises(Exception, match="division by zero"):
        imported(spreadsheet(0, 20, inns))
    assert not Payment.objects.exists()


# --- the two routes agree ---------------------------------------------------------------

DAYS = [dt.date(2026, 9, 30), dt.date(2026, 10, 1)]
documents = st.lists(
    st.tuples(
        st.integers(0, 3),  # few numbers, days and amounts: documents repeat
        st.sampled_from(DAYS),
        st.sampled_from(["10.00", "999999.99"]),
        st.sampled_from([0, 0, 1, 1, 2, 2, 3]),  # a client, now and then the unknown payer
    ),
    max_size=15,
)


def outcome(data: bytes) -> tuple[Any, ...]:
    """What importing ``data`` does, rolled back after: the result and the rows written."""
    with transaction.atomic():
        result = imported(data, name="s.txt")
        rows = (
            sorted(Payment.objects.values_list("source_ref", "client__inn", "amount")),
            sorted(UnmatchedPayment.objects.values_list("source_ref", "payer_inn", "amount")),
            by_day(DailyCollection.objects),
        )
        transaction.set_rollback(True)
    counts = (result.new, result.duplicate, result.unmatched, result.rejected)
    amounts = (result.new_amount, result.unmatched_amount)
    return counts, amounts, (result.first_date, result.last_date), result.errors, rows


@settings(
    max_examples=80,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    earlier=documents,
    now=documents,
    head=st.integers(1, 4),
    september_closed=st.booleans(),
    zero_at=st.none() | st.integers(0, 14),
    fmt=st.sampled_from(sorted(FORMATS)),
)
# A payer left unmatched by the earlier statement, now a client's, past the first row.
@example(
    earlier=[(1, DAYS[1], "10.00", 3)],
    now=[(0, DAYS[1], "10.00", 0), (1, DAYS[1], "10.00", 1)],
    head=1,
    september_closed=False,
    zero_at=None,
    fmt="1c",
)
# One document twice past the first row: an unknown payer's first, then a client's.
@example(
    earlier=[],
    now=[(0, DAYS[1], "10.00", 0), (2, DAYS[1], "10.00", 3), (2, DAYS[1], "10.00", 1)],
    head=1,
    september_closed=False,
    zero_at=None,
    fmt="1c",
)
def test_the_direct_write_gives_what_the_staged_route_gives(
    cast: Cast,
    monkeypatch: pytest.MonkeyPatch,
    routes: list[str],
    earlier: list[tuple[int, dt.date, str, int]],
    now: list[tuple[int, dt.date, str, int]],
    head: int,
    september_closed: bool,
    zero_at: int | None,
    fmt: str,
) -> None:
    file_of = FORMATS[fmt]
    with transaction.atomic():
        # given three clients, maybe September closed, and an earlier file imported;
        # some rows may fall in September, one may have an amount of zero
        payers = [*(ClientFactory(department=cast.dept).inn for _ in range(3)), UNKNOWN_INN]
        if september_closed:
            BonusPeriod.objects.create(
                department=cast.dept,
                month=dt.date(2026, 9, 1),
                state=PeriodState.CLOSED,
                closed_at=timezone.now(),
            )

        def docs(drawn: list[tuple[int, dt.date, str, int]]) -> list[Document]:
            return [(number, day, amount, payers[payer]) for number, day, amount, payer in drawn]

        imported(file_of(docs(earlier)), name="earlier.txt")
        if zero_at is not None and zero_at < len(now):  # a row with an error of its own
            number, day, _amount, payer = now[zero_at]
            now = [*now[:zero_at], (number, day, "0.00", payer), *now[zero_at + 1 :]]
        with monkeypatch.context() as patch:
            patch.setattr(postgres, "HEAD_ROWS", head)
            # when the next file goes either way
            routes.clear()
            either = outcome(file_of(docs(now)))
            # how the example went (pytest --hypothesis-show-statistics)
            verdict = "accepted" if not either[3] else "rejected"
            event(f"{fmt}: routes {'+'.join(routes)}, {verdict}")
            patch.setattr(postgres, "_import_directly", lambda *args: False)
            staged = outcome(file_of(docs(now)))
        transaction.set_rollback(True)
    # then
    assert either == staged


# --- two imports at once ----------------------------------------------------------------


def _at_once(*imports: Any) -> list[Any]:
    """Run the imports in threads of their own, started together; their results."""
    start = threading.Barrier(len(imports))
    results: list[Any] = [None] * len(imports)
    failures: list[BaseException] = []

    def run(number: int, data: bytes) -> None:
        try:
            start.wait(timeout=10)
            results[number] = imported(data)
        except BaseException as error:  # reported by the caller
            failures.append(error)
        finally:
            connection.close()

    threads = [
        threading.Thread(target=run, args=(number, data)) for number, data in enumerate(imports)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert failures == []
    return results


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_same_file_imported_twice_at_once_is_written_once() -> None:
    cast = build_cast()
    inns = [ClientFactory(department=cast.dept).inn for _ in range(5)]
    data = spreadsheet(0, 3000, inns)

    first, second = _at_once(data, data)

    # one import wrote the payments; the other waited for it, then found them all
    assert sorted((r.new, r.duplicate) for r in (first, second)) == [(0, 3000), (3000, 0)]
    assert {r.batch.status for r in (first, second)} == {ImportStatus.DONE}
    assert Payment.objects.count() == 3000


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_files_of_the_same_payments_in_opposite_orders_at_once() -> None:
    # given two files whose writes would wait for each other (a deadlock PostgreSQL breaks)
    cast = build_cast()
    inns = [ClientFactory(department=cast.dept).inn for _ in range(5)]
    lines = spreadsheet(0, 2000, inns).decode().splitlines()
    forward = spreadsheet(0, 2000, inns)
    backward = ("\n".join([lines[0], *reversed(lines[1:])]) + "\n").encode()
    # when both are imported at once
    results = _at_once(forward, backward)
    # then every payment is written once, whichever import wrote it, and both are done
    assert sum(r.new for r in results) == 2000
    assert sum(r.duplicate for r in results) == 2000
    assert {r.batch.status for r in results} == {ImportStatus.DONE}
    assert Payment.objects.count() == 2000


def _waiting_for_a_lock(timeout: float = 10) -> bool:
    """Whether another session of this database waits for a lock (polled until timeout)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT count(*) FROM pg_stat_activity"
                " WHERE datname = current_database() AND wait_event_type = 'Lock'"
            )
            if cursor.fetchone()[0]:
                return True
        time.sleep(0.05)
    return False


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_payment_entered_by_hand_during_a_direct_import_waits_for_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # given a direct import of January that has written its payments and not committed
    cast = build_cast()
    inns = [ClientFactory(department=cast.dept).inn for _ in range(5)]
    client = ClientFactory(department=cast.dept)
    written, go_on = threading.Event(), threading.Event()
    check = postgres._written_twice

    def pause_then_check(cursor: Any, context: Any) -> bool:
        written.set()
        assert go_on.wait(timeout=30)
        return check(cursor, context)

    monkeypatch.setattr(postgres, "_written_twice", pause_then_check)
    outcome: dict[str, Any] = {}

    def run(name: str, work: Any) -> threading.Thread:
        def target() -> None:
            try:
                outcome[name] = work()
            except BaseException as error:  # reported by the assertions below
                outcome[name] = error
            finally:
                connection.close()

        thread = threading.Thread(target=target)
        thread.start()
        return thread

    importing = run("import", lambda: imported(spreadsheet(0, 31, inns)))
    assert written.wait(timeout=30)
    # when someone enters a January payment by hand meanwhile
    entering = run(
        "manual",
        lambda: payment_record(
            user=cast.admin, client=client, amount="500.00", received_on=dt.date(2025, 1, 2)
        ),
    )
    # then the entry waits for the month the import holds, and nobody is stopped: the
    # import took the month's lock before its first payment, as every writer does
    assert _waiting_for_a_lock()
    go_on.set()
    importing.join(timeout=60)
    entering.join(timeout=60)
    assert outcome["import"].batch.status == ImportStatus.DONE, outcome
    assert outcome["import"].new == 31
    assert isinstance(outcome["manual"], Payment), outcome
    assert Payment.objects.count() == 32
    assert by_day(DailyCollection.objects) == by_day(
        Payment.objects.values("department_id", "received_on").annotate(
            total=Sum("amount"), number=Count("id")
        )
    )


def test_a_file_with_a_rejected_row_writes_no_payments_after_it(
    inns: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    # given a spreadsheet whose 11th row has an amount of zero
    lines = spreadsheet(0, 500, inns).decode().splitlines()
    day, _amount, rest = lines[11].split(";", 2)
    lines[11] = f"{day};0.00;{rest}"
    counts = []
    copy_payments = postgres._copy_payments

    def counted(*args: Any) -> Any:
        written = copy_payments(*args)
        counts.append(written.count)
        return written

    monkeypatch.setattr(postgres, "_copy_payments", counted)
    monkeypatch.setattr(postgres, "HEAD_ROWS", 5)
    # when
    result = imported(("\n".join(lines) + "\n").encode())
    # then the ten rows before it were written (and rolled back), none after it; the
    # report counts the file as the staged route would
    assert counts == [10]
    assert [(e.line, e.field) for e in result.errors] == [(12, "amount")]
    assert (result.new, result.rejected) == (499, 1)
    assert not Payment.objects.exists()


def test_a_staged_import_stopped_by_a_deadlock_asks_to_be_imported_again(
    inns: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    # given PostgreSQL stops a staged import to break a deadlock while it locks its months
    def deadlocked(cursor: Any) -> Any:
        raise OperationalError("deadlock detected") from psycopg.errors.DeadlockDetected()

    monkeypatch.setattr(postgres, "_import_directly", lambda *args: False)
    monkeypatch.setattr(postgres, "_hold_periods_open", deadlocked)
    # when
    result = imported(spreadsheet(0, 20, inns))
    # then the file is refused whole with what to do, not failed with a database error
    assert [(e.line, e.field) for e in result.errors] == [(0, "file")]
    assert "Import the file again" in result.errors[0].message
    assert result.batch.status == ImportStatus.REJECTED
    assert not Payment.objects.exists()
