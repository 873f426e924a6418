"""The set-based write path on PostgreSQL: COPY as the file is read, then SQL.

A file that brings only new payments, the usual case, is written straight into the
payments table by ``COPY … FROM STDIN`` as it is parsed, so the database stores one row
while Python reads the next, and the table's unique reference is what tells a payment
seen before. The rows that need more (an unknown payer kept for a person to assign, a
row with a problem that counts only if it is not a duplicate) go aside into a staging
table. Should the file meet an earlier import or repeat itself, this write is rolled
back to its savepoint and the file read again by the staged route: every row through a
staging table, then de-duplication (against earlier imports and within the file), the
counts, the rows to reject and the writes as a handful of statements over the whole
file. Both routes give the same result; the number of queries does not depend on the
number of rows, and Python never holds more than a bounded number of them.

Row rules stay in Python (``rules.check_row``, the preloaded ``ClientMatcher``, the
closed periods): a row that fails one is either rejected at once (its own fields) or
staged with its problem, which counts only if the row turns out not to be a duplicate —
exactly as the chunked path decides.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import itertools
import json
import tempfile
from collections.abc import Callable, Iterable, Iterator, Sequence
from decimal import Decimal
from typing import TYPE_CHECKING, Any

import psycopg
from django.core.exceptions import ValidationError
from django.db import DatabaseError, IntegrityError, connection, transaction
from django.db.backends.utils import CursorWrapper
from django.utils import timezone
from django.utils.translation import gettext as _

from payments.importing import rules
from payments.importing.rows import ImportFileError, RawRow, RowError
from payments.importing.rules import CheckedRow
from payments.models import Client, Payment, UnmatchedPayment

if TYPE_CHECKING:
    from payments.importing.pipeline import _Context

UNIQUE_REF = "payment_unique_source_ref"
WORK_MEM = "128MB"
STAGING = "payments_import_staging"
FRESH = "payments_import_fresh"
STAGED_COLUMNS = (
    "line",
    "received_on",
    "amount",
    "source_ref",
    "payer_inn",
    "payer_name",
    "payer_account",
    "purpose",
    "client_id",
    "department_id",
    "responsible_id",
    "error_field",
    "error_message",
)
# ON COMMIT DROP: the table never outlives the import's transaction, and a rollback
# (a dry run, a rejected file, a failure) removes it with everything else.
_CREATE_STAGING = f"""
CREATE TEMPORARY TABLE {STAGING} (
    line integer NOT NULL,
    received_on date NOT NULL,
    amount numeric(14, 2) NOT NULL,
    source_ref varchar(200) NOT NULL,
    payer_inn varchar(12) NOT NULL,
    payer_name varchar(300) NOT NULL,
    payer_account varchar(34) NOT NULL,
    purpose text NOT NULL,
    client_id bigint,
    department_id bigint,
    responsible_id bigint,
    error_field text,
    error_message text
) ON COMMIT DROP
"""


def import_rows(read: Callable[[], Iterator[RawRow]], context: _Context) -> None:
    """Check, de-duplicate and (unless rejected or a dry run) write every row.

    ``read`` gives the file's rows from the start each time it is called: the file is
    read a second time only when the direct write finds it overlapping.
    """
    context.matcher.load_all(by_name=not context.is_bank)
    closed = rules.closed_periods_all()
    with connection.cursor() as cursor:
        # For this transaction only: the de-duplication sorts and hashes the whole file,
        # which the default 4 MB would spill to disk in many passes.
        cursor.execute(f"SET LOCAL work_mem = '{WORK_MEM}'")
        cursor.execute(_CREATE_STAGING)
        # A dry run writes nothing: the staged route checks everything before writing.
        if context.result.dry_run or not _import_directly(cursor, read, context, closed):
            _import_staged(cursor, read(), context, closed)
        cursor.execute(f"DROP TABLE {STAGING}, {FRESH}")


def _import_staged(
    cursor: CursorWrapper,
    rows: Iterator[RawRow],
    context: _Context,
    closed: dict[tuple[int, dt.date], str],
) -> None:
    # Not ANALYZEd: the planner sizes the staging table from its pages, all its
    # plans need, and the statistics cost ≈ 0.15 s a 100,000 rows for the same plans.
    staged = _copy(cursor, _prepared(rows, context, closed))
    writing = context.result.accepted and not context.result.dry_run
    try:
        # Locked before the duplicates are sorted out: no other write of payments into
        # these months can commit in between, so the rows found fresh insert cleanly.
        closed_meanwhile = _hold_periods_open(cursor) if writing else {}
        _select_fresh(cursor, context.source)
        fresh = _count(cursor, context)
        context.result.duplicate += staged - fresh
        if closed_meanwhile:
            _refuse_closed(context, _fresh_months(cursor), closed_meanwhile)
        if context.result.accepted and writing:
            _write(cursor, context)
    except DatabaseError as error:
        # Another import, writing as it reads, locks its months one after another; two
        # imports of the same months at once can wait for each other, and PostgreSQL
        # stops one of them.
        if _sqlstate(error) != DEADLOCK:
            raise
        raise ImportFileError(
            0,
            "file",
            _(
                "Another import was writing payments for the same months at the same "
                "time; nothing was saved. Import the file again."
            ),
        ) from None


# Rows read before the direct write starts, and looked up among earlier imports: a file
# imported again, or one that overlaps the last statement, shows it in its first rows.
HEAD_ROWS = 1000
# What the rows set aside during the direct write may take in memory before they go to
# a temporary file.
SPILL_MEMORY = 4 * 1024 * 1024
# A payment already recorded under the reference, or PostgreSQL stopping this import to
# break a deadlock with another writer: the staged route sorts it out.
UNIQUE_VIOLATION, DEADLOCK = "23505", "40P01"
_OVERLAP_STATES = frozenset({UNIQUE_VIOLATION, DEADLOCK})
DIRECT_COLUMNS = (
    "client_id",
    "department_id",
    "responsible_id",
    "amount",
    "received_on",
    "source",
    "source_ref",
    "payer_inn",
    "payer_name",
    "purpose",
    "import_batch_id",
    "recorded_by_id",
    "recorded_at",
    "voided_at",
    "voided_by_id",
    "void_reason",
)


class _Overlap(Exception):
    """The file repeats an earlier import or itself: the direct write cannot be kept."""


def _import_directly(
    cursor: CursorWrapper,
    read: Callable[[], Iterator[RawRow]],
    context: _Context,
    closed: dict[tuple[int, dt.date], str],
) -> bool:
    """Write the file's new payments as it is read; False, keeping nothing, if it overlaps.

    The rows set aside (unknown payers, rows with a problem, and every row after one
    whose own fields are wrong, for the file will be rejected) are staged and finished
    as on the staged route. The file overlaps when its first rows were imported before,
    when the unique reference refuses a payment (an earlier import's or the file's own),
    when a payment written was an earlier import's unknown payer or shares its reference
    with a row set aside, or when PostgreSQL breaks a deadlock with another writer by
    stopping this one: then the savepoint is rolled back (its locks with it), the counts
    are as they were, and the staged route reads the file again.
    """
    before = dataclasses.replace(context.result, errors=list(context.result.errors))
    rows = _prepared(read(), context, closed)
    try:
        head = list(itertools.islice(rows, HEAD_ROWS))
        if _imported_before(cursor, head, context.source):
            raise _Overlap
        with transaction.atomic(), _Spill() as spill:
            written = _copy_payments(cursor, head, rows, context, spill)
            set_aside = _copy(cursor, spill.rows())
            if _written_twice(cursor, context):
                raise _Overlap
    except (_Overlap, DatabaseError, psycopg.Error) as error:
        if not isinstance(error, _Overlap) and _sqlstate(error) not in _OVERLAP_STATES:
            raise
        rows.close()
        vars(context.result).update(vars(before))
        return False
    else:
        _select_fresh(cursor, context.source, row_by_row=True)
        fresh = _count(cursor, context)
        context.result.duplicate += set_aside - fresh
        context.result.new += written.count
        context.result.new_amount += written.amount
        if written.closed:
            _refuse_closed(context, written.months, written.closed)
        if context.result.accepted:
            _write_unmatched(cursor, context)
        return True


def _sqlstate(error: BaseException) -> str | None:
    # Django wraps the driver's error; a COPY's error comes from psycopg itself.
    cause = error if isinstance(error, psycopg.Error) else error.__cause__
    return getattr(cause, "sqlstate", None)


def _imported_before(cursor: CursorWrapper, head: list[tuple[Any, ...]], source: str) -> bool:
    """Whether the rows repeat one another or any reference imported before (one query)."""
    refs = [row[3] for row in head]
    if len(set(refs)) < len(refs):
        return True
    cursor.execute(
        f"""
        SELECT EXISTS (
            SELECT 1 FROM {Payment._meta.db_table}
            WHERE source = %(source)s AND source_ref = ANY(%(refs)s)
        ) OR EXISTS (
            SELECT 1 FROM {UnmatchedPayment._meta.db_table}
            WHERE source = %(source)s AND source_ref = ANY(%(refs)s)
        )
        """,  # noqa: S608  # nosec B608 - identifiers come from model meta
        {"source": source, "refs": refs},
    )
    return bool(cursor.fetchone()[0])


@dataclasses.dataclass
class _Written:
    """What the direct write wrote, and the months it holds locked."""

    count: int = 0
    amount: Decimal = Decimal("0.00")
    months: set[tuple[int, dt.date]] = dataclasses.field(default_factory=set)
    # The months among them closed since the file's checks began: they refuse the file.
    closed: dict[tuple[int, dt.date], str] = dataclasses.field(default_factory=dict)

    def hold(self, months: Iterable[tuple[int, dt.date]]) -> None:
        """Lock the months' periods, as every write of payments does before writing."""
        months = set(months) - self.months
        if months:
            self.closed.update(rules.lock_periods(months))
            self.months |= months


def _copy_payments(
    cursor: CursorWrapper,
    head: list[tuple[Any, ...]],
    rows: Iterator[tuple[Any, ...]],
    context: _Context,
    spill: _Spill,
) -> _Written:
    """COPY the rows that are new payments into the payments table; set the others aside.

    A month's period is locked before its first payment is written, as every writer of
    payments does (``rules.lock_periods``): the payments table's triggers then lock
    that month's daily collections, and taking the two in the other order would
    deadlock with manual entries and voids. The head's months are locked at once; a
    month first met later ends the COPY, is locked, and a new COPY goes on.
    """
    columns = [field.column for field in Payment._meta.concrete_fields if field.column != "id"]
    if set(columns) != set(DIRECT_COLUMNS):
        raise RuntimeError("A Payment column is not filled by the COPY import: update it.")
    batch_id, source, now = context.writer.batch.pk, context.source, timezone.now()
    written = _Written()
    written.hold(
        (row[9], row[1].replace(day=1)) for row in head if row[8] is not None and row[12] is None
    )
    sql = f"COPY {Payment._meta.db_table} ({', '.join(DIRECT_COLUMNS)}) FROM STDIN"
    result, months = context.result, written.months
    count, amount = 0, Decimal("0.00")
    waiting: tuple[Any, ...] | None = None  # a row of a month not locked yet
    remaining = itertools.chain(head, rows)
    while True:
        with cursor.copy(sql) as copy:
            for row in itertools.chain([waiting] if waiting else [], remaining):
                (_line, received_on, money, source_ref, inn, name, _account, purpose,
                 client_id, department_id, responsible_id, _field, problem) = row  # fmt: skip
                # A file with a row rejected already writes nothing more: it is refused.
                if client_id is None or problem is not None or result.errors:
                    spill.add(row)
                    continue
                if (department_id, received_on.replace(day=1)) not in months:
                    waiting = row
                    break
                copy.write_row(
                    (client_id, department_id, responsible_id, money, received_on, source,
                     source_ref, inn, name, purpose, batch_id, None, now, None, None, "")
                )  # fmt: skip
                count += 1
                amount += money
            else:
                waiting = None
        if waiting is None:
            break
        written.hold([(waiting[9], waiting[1].replace(day=1))])
    written.count, written.amount = count, amount
    return written


class _Spill:
    """The rows the direct write sets aside, in memory up to ``SPILL_MEMORY``, then on disk."""

    def __init__(self) -> None:
        self.file = tempfile.SpooledTemporaryFile(max_size=SPILL_MEMORY)  # noqa: SIM115

    def __enter__(self) -> _Spill:
        return self

    def __exit__(self, *exc: object) -> None:
        self.file.close()

    def add(self, row: tuple[Any, ...]) -> None:
        # Dates and amounts as text, which COPY reads back exactly.
        self.file.write(json.dumps(row, default=str, ensure_ascii=False).encode() + b"\n")

    def rows(self) -> Iterator[list[Any]]:
        self.file.seek(0)
        for line in self.file:
            yield json.loads(line)


# After the direct write the table's statistics know nothing of the payments it has
# just written (nor can they: they are not committed), and a join planned on them can
# compare every row of one side with every row of the other: 100,000 payments and 1,000
# rows set aside took 6 s so. ``OFFSET 0`` keeps PostgreSQL from turning the subquery
# into a join: each row is looked up on its own, through an index.
_ROW_BY_ROW = "OFFSET 0"


def _written_twice(cursor: CursorWrapper, context: _Context) -> bool:
    """Whether a payment just written was imported before as an unknown payer's, or shares
    its reference with a row set aside; one query, a look-up per row through an index."""
    cursor.execute(
        f"""
        SELECT EXISTS (
            SELECT 1 FROM {Payment._meta.db_table} p
            WHERE p.import_batch_id = %(batch)s AND EXISTS (
                SELECT 1 FROM {UnmatchedPayment._meta.db_table} u
                WHERE u.source = p.source AND u.source_ref = p.source_ref {_ROW_BY_ROW}
            )
        ) OR EXISTS (
            SELECT 1 FROM {STAGING} s
            WHERE EXISTS (
                SELECT 1 FROM {Payment._meta.db_table} p
                WHERE p.source = %(source)s AND p.source_ref = s.source_ref
                    AND p.import_batch_id = %(batch)s {_ROW_BY_ROW}
            )
        )
        """,  # noqa: S608  # nosec B608 - identifiers come from model meta
        {"batch": context.writer.batch.pk, "source": context.source},
    )
    return bool(cursor.fetchone()[0])


def _copy(cursor: CursorWrapper, rows: Iterable[Sequence[Any]]) -> int:
    staged = 0
    columns = ", ".join(STAGED_COLUMNS)
    with cursor.copy(f"COPY {STAGING} ({columns}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row(row)
            staged += 1
    return staged


_NO_CLIENT = (None, None, None)


def _prepared(
    rows: Iterator[RawRow], context: _Context, closed: dict[tuple[int, dt.date], str]
) -> Iterator[tuple[Any, ...]]:
    """Each row checked and matched, as a tuple of ``STAGED_COLUMNS`` (both routes)."""
    # Each client's keys read once: a model's foreign-key attributes are descriptors,
    # and a year's file names the same few thousand clients a million times.
    keys: dict[int, tuple[Any, Any, Any]] = {}
    for row in rules.checked_rows(rows, context.result, today=context.today):
        client, problem = _client(row, context, closed)
        if client is None:
            client_keys = _NO_CLIENT
        elif (client_keys := keys.get(id(client))) is None:
            client_keys = keys[id(client)] = (
                client.pk,
                client.department_id,
                client.responsible_id,
            )
        yield (
            row.line,
            row.received_on,
            row.amount,
            row.source_ref,
            row.inn,
            row.name[:300],
            row.payer_account[:34],
            row.purpose,
            *client_keys,
            problem.field if problem else None,
            problem.message if problem else None,
        )


def _client(
    row: CheckedRow, context: _Context, closed: dict[tuple[int, dt.date], str]
) -> tuple[Client | None, RowError | None]:
    """The row's client and what is wrong with it, if anything (same rules as ``_match``)."""
    try:
        client = context.matcher.find(row)
    except ValidationError as error:
        return None, RowError(row.line, row.names.client, " ".join(error.messages))
    if client is None:
        if context.is_bank:
            return None, None
        field_name = row.names.inn if row.inn else row.names.client
        return None, RowError(row.line, field_name, rules.unknown_client_message(row))
    try:
        rules.check_period_open(client.department_id, row.received_on, closed)
    except ValidationError as error:
        return client, RowError(row.line, row.names.date, " ".join(error.messages))
    return client, None


def _select_fresh(cursor: CursorWrapper, source: str, *, row_by_row: bool = False) -> None:
    """The rows not imported before (as payments or unmatched), first occurrence in the file.

    ``row_by_row`` looks each row up by its reference, for the few rows the direct write
    set aside (see ``_ROW_BY_ROW``); else the whole file is anti-joined at once.
    """
    fence = _ROW_BY_ROW if row_by_row else ""
    cursor.execute(
        f"""
        CREATE TEMPORARY TABLE {FRESH} ON COMMIT DROP AS
        SELECT DISTINCT ON (s.source_ref) s.*
        FROM {STAGING} s
        WHERE NOT EXISTS (
            SELECT 1 FROM {Payment._meta.db_table} p
            WHERE p.source = %(source)s AND p.source_ref = s.source_ref {fence}
        ) AND NOT EXISTS (
            SELECT 1 FROM {UnmatchedPayment._meta.db_table} u
            WHERE u.source = %(source)s AND u.source_ref = s.source_ref {fence}
        )
        ORDER BY s.source_ref, s.line
        """,  # noqa: S608  # nosec B608 - identifiers come from model meta
        {"source": source},
    )


def _count(cursor: CursorWrapper, context: _Context) -> int:
    """Fill the result's counts from the fresh rows; report the rejected ones. Returns fresh."""
    cursor.execute(
        f"""
        SELECT count(*),
               count(*) FILTER (WHERE error_message IS NOT NULL),
               count(*) FILTER (WHERE error_message IS NULL AND client_id IS NOT NULL),
               coalesce(sum(amount) FILTER (
                   WHERE error_message IS NULL AND client_id IS NOT NULL), 0),
               count(*) FILTER (WHERE error_message IS NULL AND client_id IS NULL),
               coalesce(sum(amount) FILTER (WHERE error_message IS NULL AND client_id IS NULL), 0)
        FROM {FRESH}
        """  # noqa: S608  # nosec B608 - identifiers come from model meta
    )
    fresh, rejected, new, new_amount, unmatched, unmatched_amount = cursor.fetchone()
    result = context.result
    result.new += new
    result.new_amount += new_amount
    result.unmatched += unmatched
    result.unmatched_amount += unmatched_amount
    if rejected:
        _report(cursor, context, rejected)
    return fresh


def _report(cursor: CursorWrapper, context: _Context, rejected: int) -> None:
    from payments.importing.pipeline import MAX_REPORTED_ERRORS

    cursor.execute(
        f"SELECT line, error_field, error_message FROM {FRESH} "  # noqa: S608  # nosec B608
        "WHERE error_message IS NOT NULL ORDER BY line LIMIT %s",
        [MAX_REPORTED_ERRORS],
    )
    reported = 0
    for line, field_name, message in cursor.fetchall():
        context.result.reject([RowError(line, field_name, message)])
        reported += 1
    # Rows beyond the report still count, and still keep the whole file out.
    context.result.rejected += rejected - reported
    context.result.errors_left_out += rejected - reported
    # Field errors were found while reading, these after it: the report reads in file order.
    context.result.errors.sort(key=lambda error: error.line)


def _hold_periods_open(cursor: CursorWrapper) -> dict[tuple[int, dt.date], str]:
    """Lock every month the file's payments fall in; the ones closed since its checks."""
    cursor.execute(
        f"""
        SELECT DISTINCT department_id, date_trunc('month', received_on)::date
        FROM {STAGING} WHERE client_id IS NOT NULL AND error_message IS NULL
        """  # noqa: S608  # nosec B608 - the table name is a constant
    )
    return rules.lock_periods(cursor.fetchall())


def _fresh_months(cursor: CursorWrapper) -> set[tuple[int, dt.date]]:
    """The (department, month) pairs the fresh rows would write payments into."""
    cursor.execute(
        f"""
        SELECT DISTINCT department_id, date_trunc('month', received_on)::date
        FROM {FRESH} WHERE client_id IS NOT NULL AND error_message IS NULL
        """  # noqa: S608  # nosec B608 - the table name is a constant
    )
    return set(cursor.fetchall())


def _refuse_closed(
    context: _Context,
    months: set[tuple[int, dt.date]],
    closed: dict[tuple[int, dt.date], str],
) -> None:
    """A month closed while the file was read refuses it whole, unless only duplicates
    fall in that month."""
    for department_id, month in sorted(months & closed.keys()):
        context.result.add_error(
            RowError(
                0,
                "file",
                _(
                    "The period %(month)s of department %(department)s was closed while "
                    "this file was being imported; nothing was saved. Import it again."
                )
                % {"month": f"{month:%m.%Y}", "department": department_id},
            )
        )


def _write(cursor: CursorWrapper, context: _Context) -> None:
    now = timezone.now()
    _write_payments(cursor, context, now)
    _write_unmatched(cursor, context)


def _payment_values(context: _Context, now: dt.datetime) -> dict[str, tuple[str, Any]]:
    """Each payment column → the SQL that fills it from a fresh row, and its parameter."""
    batch = context.writer.batch
    return {
        "client_id": ("client_id", None),
        "department_id": ("department_id", None),
        "responsible_id": ("responsible_id", None),
        "amount": ("amount", None),
        "received_on": ("received_on", None),
        "source": ("%s", context.source),
        "source_ref": ("source_ref", None),
        "payer_inn": ("payer_inn", None),
        "payer_name": ("payer_name", None),
        "purpose": ("purpose", None),
        "import_batch_id": ("%s", batch.pk),
        # Who imported it is the batch's created_by: one foreign-key check a row fewer.
        "recorded_by_id": ("NULL", None),
        "recorded_at": ("%s", now),
        "voided_at": ("NULL", None),
        "voided_by_id": ("NULL", None),
        "void_reason": ("''", None),
    }


def _write_payments(cursor: CursorWrapper, context: _Context, now: dt.datetime) -> None:
    """Insert the payments in one statement.

    No '+' history row each: an imported payment's record of how it came in is its
    batch (who, when, which file and its SHA-256) and its own ``recorded_at``; its
    history starts with its first change (a void).
    """
    values = _payment_values(context, now)
    columns = [field.column for field in Payment._meta.concrete_fields if field.column != "id"]
    if set(columns) != set(values):
        raise RuntimeError("A Payment column is not filled by the COPY import: update it.")
    params = [values[column][1] for column in columns if values[column][0] == "%s"]
    try:
        # No ON CONFLICT: the months are locked and the rows de-duplicated, so a clash
        # means a payment with the same reference dated in another month was written
        # meanwhile. Rare, and refused whole rather than guessed at.
        cursor.execute(
            f"""
            INSERT INTO {Payment._meta.db_table} ({", ".join(columns)})
            SELECT {", ".join(values[column][0] for column in columns)}
            FROM {FRESH}
            WHERE client_id IS NOT NULL AND error_message IS NULL
            """,  # noqa: S608  # nosec B608 - identifiers come from model meta
            params,
        )
    except IntegrityError as error:
        if getattr(getattr(error.__cause__, "diag", None), "constraint_name", "") != UNIQUE_REF:
            raise
        raise ImportFileError(
            0,
            "file",
            _(
                "Some of these payments were recorded by another import at the same time; "
                "nothing was saved. Import the file again."
            ),
        ) from None


def _write_unmatched(cursor: CursorWrapper, context: _Context) -> None:
    cursor.execute(
        f"""
        INSERT INTO {UnmatchedPayment._meta.db_table} (batch_id, amount, received_on, source,
            source_ref, payer_inn, payer_name, payer_account, purpose)
        SELECT %s, amount, received_on, %s, source_ref, payer_inn, payer_name, payer_account,
            purpose
        FROM {FRESH}
        WHERE client_id IS NULL AND error_message IS NULL
        ON CONFLICT (source, source_ref) DO NOTHING
        """,  # noqa: S608  # nosec B608 - identifiers come from model meta
        [context.writer.batch.pk, context.source],
    )
