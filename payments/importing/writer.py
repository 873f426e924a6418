"""The one write of an import: every checked row COPYed into a staging table, then SQL.

Whatever the format, the rows stream through ``COPY … FROM STDIN`` into a temporary
staging table as the file is read (Python holds one row at a time), and a handful of
set-based statements over the whole file do the rest: drop the operations recorded
before (by their key, ``rules.operation_key``) and those repeated within the file, count,
list the possible repeats for a dry run, and write with ``INSERT … ON CONFLICT``. The
number of queries does not depend on the number of rows.

Row rules stay in Python (``rules.check_row``, the preloaded ``ClientMatcher``, the
closed periods): a row that fails one of its own fields is rejected at once; a row with
a problem of its client or month is staged with it, and counts only if the row turns out
not to be a repeat.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Any, NamedTuple

import psycopg
from django.core.exceptions import ValidationError
from django.db import DatabaseError, connection
from django.db.backends.utils import CursorWrapper
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Department
from core.months import month_label
from payments.importing import rules
from payments.importing.rows import ImportFileError, RawRow, RowError
from payments.importing.rules import CheckedRow
from payments.models import Client, ClientAssignment, Payment, UnmatchedPayment

if TYPE_CHECKING:
    from payments.importing.pipeline import Context

WORK_MEM = "128MB"
STAGING = "payments_import_staging"
FRESH = "payments_import_fresh"
DEADLOCK = "40P01"
# Possible repeats listed for a person to look at; all of them are counted.
MAX_NEAR_MATCHES = 200
# New, repeated and unmatched rows listed by a dry run, each kind; all of them are counted.
MAX_LISTED = 50


class StagedRow(NamedTuple):
    """One payment row as the import stages it: the columns of the staging table."""

    line: int
    received_on: dt.date
    amount: Decimal
    operation_key: str
    near_key: str
    reference: str
    payer_inn: str
    payer_name: str
    payer_account: str
    purpose: str
    client_id: int | None
    department_id: int | None
    responsible_id: int | None
    error_field: str | None
    error_message: str | None


_STAGING_TYPES = {
    "line": "integer NOT NULL",
    "received_on": "date NOT NULL",
    "amount": "numeric(14, 2) NOT NULL",
    "operation_key": 'varchar(200) COLLATE "C" NOT NULL',
    "near_key": 'varchar(200) COLLATE "C" NOT NULL',
    "reference": "varchar(200) NOT NULL",
    "payer_inn": "varchar(12) NOT NULL",
    "payer_name": "varchar(300) NOT NULL",
    "payer_account": "varchar(34) NOT NULL",
    "purpose": "text NOT NULL",
    "client_id": "bigint",
    "department_id": "bigint",
    "responsible_id": "bigint",
    "error_field": "text",
    "error_message": "text",
}
if tuple(_STAGING_TYPES) != StagedRow._fields:  # pragma: no cover - a programming error
    raise RuntimeError("The staging table's columns and StagedRow differ.")
# ON COMMIT DROP: the table never outlives the import's transaction, and a rollback
# (a dry run, a rejected file, a failure) removes it with everything else.
_CREATE_STAGING = (
    f"CREATE TEMPORARY TABLE {STAGING} ("
    + ", ".join(f"{name} {kind}" for name, kind in _STAGING_TYPES.items())
    + ") ON COMMIT DROP"
)


@dataclass(frozen=True)
class NearMatch:
    """A new row that resembles a payment on record: same payer, day and amount, another
    document number. Listed by the dry run for a person to keep or drop."""

    line: int
    received_on: dt.date
    amount: Decimal
    payer: str
    number: str
    existing_id: int
    existing_kind: str  # "payment" or "unmatched"
    existing_number: str
    existing_payer: str

    def as_json(self) -> dict[str, Any]:
        return {
            "line": self.line,
            "received_on": self.received_on.isoformat(),
            "amount": str(self.amount),
            "payer": self.payer,
            "number": self.number,
            "existing_id": self.existing_id,
            "existing_kind": self.existing_kind,
            "existing_number": self.existing_number,
            "existing_payer": self.existing_payer,
        }


class ListedRow(NamedTuple):
    """A row of the file as the dry run lists it."""

    line: int
    received_on: dt.date
    amount: Decimal
    payer: str
    number: str
    client: str

    def as_json(self) -> dict[str, Any]:
        return {
            **self._asdict(),
            "received_on": self.received_on.isoformat(),
            "amount": str(self.amount),
        }


def import_rows(rows: Iterator[RawRow], context: Context) -> None:
    """Check, de-duplicate and (unless rejected or a dry run) write every row."""
    context.matcher.load_all(by_name=not context.is_bank)
    closed = rules.closed_periods_all()
    result = context.result
    with connection.cursor() as cursor:
        # For this transaction only: the de-duplication sorts and hashes the whole file,
        # which the default 4 MB would spill to disk in many passes.
        cursor.execute(f"SET LOCAL work_mem = '{WORK_MEM}'")
        cursor.execute(_CREATE_STAGING)
        # Not ANALYZEd: the planner sizes the staging table from its pages, all its
        # plans need, and the statistics cost ≈ 0.15 s a 100,000 rows for the same plans.
        staged = _copy(cursor, _staged(rows, context, closed))
        writing = result.accepted and not result.dry_run
        try:
            # Locked before the repeats are sorted out: no other write of payments into
            # these months can commit in between, so the rows found fresh insert cleanly.
            closed_meanwhile = _hold_periods_open(cursor) if writing else {}
            _select_fresh(cursor)
            result.dropped += _drop_lines(cursor, context.skip_lines)
            if result.dry_run:
                _list_near_matches(cursor, context)
                _list_rows(cursor, context)
            fresh = _count(cursor, context)
            result.duplicate += staged - fresh - result.dropped
            if closed_meanwhile:
                _refuse_closed(context, _fresh_months(cursor), closed_meanwhile)
            if result.accepted and writing:
                _write(cursor, context)
        except DatabaseError as error:
            # Two imports of the same months at once can wait for each other's rows;
            # PostgreSQL then stops one of them.
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
        cursor.execute(f"DROP TABLE {STAGING}, {FRESH}")


def _sqlstate(error: BaseException) -> str | None:
    cause = error if isinstance(error, psycopg.Error) else error.__cause__
    return getattr(cause, "sqlstate", None)


def _copy(cursor: CursorWrapper, rows: Iterable[StagedRow]) -> int:
    staged = 0
    with cursor.copy(f"COPY {STAGING} ({', '.join(StagedRow._fields)}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row(row)
            staged += 1
    return staged


_NO_CLIENT = (None, None, None)


def _staged(
    rows: Iterator[RawRow], context: Context, closed: dict[tuple[int, dt.date], str]
) -> Iterator[StagedRow]:
    """Each row checked and matched, as the staging table holds it."""
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
        yield StagedRow(
            row.line,
            row.received_on,
            row.amount,
            row.operation_key,
            row.near_key,
            row.reference,
            row.inn,
            row.name[:300],
            row.payer_account[:34],
            row.purpose,
            *client_keys,
            problem.field if problem else None,
            problem.message if problem else None,
        )


def _client(
    row: CheckedRow, context: Context, closed: dict[tuple[int, dt.date], str]
) -> tuple[Client | None, RowError | None]:
    """The row's client and what is wrong with it, if anything.

    A bank statement lists every payer: one we do not know is kept for a person to
    assign. A spreadsheet is typed by us, so an unknown client there is a mistake.
    """
    try:
        client = context.matcher.find(row)
    except ValidationError as error:
        return None, RowError(row.line, row.names.client, " ".join(error.messages))
    if client is None:
        if context.is_bank:
            return None, None
        field_name = row.names.inn if row.inn else row.names.client
        return None, RowError(row.line, field_name, rules.unknown_client_message(row))
    if context.departments is not None and client.department_id not in context.departments:
        field_name = row.names.inn if row.inn else row.names.client
        return client, RowError(row.line, field_name, rules.foreign_client_message(row))
    try:
        rules.check_period_open(client.department_id, row.received_on, closed)
    except ValidationError as error:
        return client, RowError(row.line, row.names.date, " ".join(error.messages))
    return client, None


def _select_fresh(cursor: CursorWrapper) -> None:
    """The operations not recorded before (as payments or unmatched), each once: its first
    line in the file."""
    cursor.execute(
        f"""
        CREATE TEMPORARY TABLE {FRESH} ON COMMIT DROP AS
        SELECT DISTINCT ON (s.operation_key) s.*
        FROM {STAGING} s
        WHERE NOT EXISTS (
            SELECT 1 FROM {Payment._meta.db_table} p WHERE p.operation_key = s.operation_key
        ) AND NOT EXISTS (
            SELECT 1 FROM {UnmatchedPayment._meta.db_table} u
            WHERE u.operation_key = s.operation_key
        )
        ORDER BY s.operation_key, s.line
        """  # noqa: S608  # nosec B608 - identifiers come from model meta
    )


def _drop_lines(cursor: CursorWrapper, lines: frozenset[int]) -> int:
    """Leave out the lines a person chose to drop as repeats (from the dry run's list)."""
    if not lines:
        return 0
    cursor.execute(
        f"DELETE FROM {FRESH} WHERE line = ANY(%s) AND error_message IS NULL",  # noqa: S608  # nosec B608
        [sorted(lines)],
    )
    return cursor.rowcount


def _list_near_matches(cursor: CursorWrapper, context: Context) -> None:
    """The fresh rows resembling an operation on record: its key up to the number is the
    same (``rules.operation_key``). One index range a row, through the key's index."""
    # The keys sharing a prefix ending in "|" lie between it and the prefix ending in
    # "}", the next character in byte order.
    near = f"""
        SELECT id, client_id, source_ref, payer_name, 'payment' AS kind
        FROM {Payment._meta.db_table} p
        WHERE p.operation_key >= f.near_key
            AND p.operation_key < left(f.near_key, -1) || '}}'
        UNION ALL
        SELECT id, NULL, source_ref, payer_name, 'unmatched'
        FROM {UnmatchedPayment._meta.db_table} u
        WHERE u.operation_key >= f.near_key
            AND u.operation_key < left(f.near_key, -1) || '}}'
        LIMIT 1
    """  # noqa: S608  # nosec B608 - identifiers come from model meta
    cursor.execute(
        f"""
        SELECT f.line, f.received_on, f.amount, f.payer_name, f.reference,
               e.id, e.kind, e.source_ref, coalesce(c.name, e.payer_name),
               count(*) OVER ()
        FROM {FRESH} f
        CROSS JOIN LATERAL ({near}) e
        LEFT JOIN {Client._meta.db_table} c ON c.id = e.client_id
        WHERE f.error_message IS NULL
        ORDER BY f.line
        LIMIT %s
        """,  # noqa: S608  # nosec B608 - identifiers come from model meta
        [MAX_NEAR_MATCHES],
    )
    result = context.result
    for *values, total in cursor.fetchall():
        result.near_matches.append(NearMatch(*values))
        result.near_match_count = total


# Each kind of row the dry run lists: from which table, which of its rows.
_LISTS = {
    "new": (FRESH, "s.error_message IS NULL AND s.client_id IS NOT NULL"),
    "unmatched": (FRESH, "s.error_message IS NULL AND s.client_id IS NULL"),
    # Staged but not fresh: on record already, or an earlier line of the file; not a
    # line a person chose to drop.
    "duplicate": (
        STAGING,
        f"NOT EXISTS (SELECT 1 FROM {FRESH} f WHERE f.line = s.line) "  # noqa: S608  # nosec B608
        "AND NOT s.line = ANY(%(dropped)s)",
    ),
}


def _list_rows(cursor: CursorWrapper, context: Context) -> None:
    """The first ``MAX_LISTED`` rows of each kind, in file order: one query a kind."""
    for kind, (table, condition) in _LISTS.items():
        cursor.execute(
            f"""
            SELECT s.line, s.received_on, s.amount, s.payer_name, s.reference,
                   coalesce(c.name, '')
            FROM {table} s LEFT JOIN {Client._meta.db_table} c ON c.id = s.client_id
            WHERE {condition}
            ORDER BY s.line LIMIT %(limit)s
            """,  # noqa: S608  # nosec B608 - identifiers come from model meta
            {"limit": MAX_LISTED, "dropped": sorted(context.skip_lines)},
        )
        context.result.listed[kind] = [ListedRow(*row) for row in cursor.fetchall()]


def _count(cursor: CursorWrapper, context: Context) -> int:
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


def _report(cursor: CursorWrapper, context: Context, rejected: int) -> None:
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
    """Lock every month the file's payments fall in; the ones closed since its checks.

    Every writer of payments locks a month's period before writing into it
    (``rules.lock_periods``), so a close and a write never interleave.
    """
    cursor.execute(
        f"""
        SELECT DISTINCT department_id, date_trunc('month', received_on)::date
        FROM {STAGING} WHERE client_id IS NOT NULL AND error_message IS NULL
        """  # noqa: S608  # nosec B608 - the table name is a constant
    )
    # A paid month takes a payment dated in it after all: it is not refused here either.
    return rules.refusing_payments(rules.lock_periods(cursor.fetchall()))


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
    context: Context,
    months: set[tuple[int, dt.date]],
    closed: dict[tuple[int, dt.date], str],
) -> None:
    """A month closed while the file was read refuses it whole, unless only repeats fall
    in that month."""
    refused = sorted(months & closed.keys())
    names = dict(
        Department.objects.filter(pk__in={pk for pk, _month in refused}).values_list("pk", "name")
    )
    for department_id, month in refused:
        context.result.add_error(
            RowError(
                0,
                "file",
                _(
                    "The period %(month)s of department %(department)s was closed while "
                    "this file was being imported; nothing was saved. Import it again."
                )
                % {"month": month_label(month), "department": names.get(department_id, "")},
            )
        )


def _write(cursor: CursorWrapper, context: Context) -> None:
    now = timezone.now()
    count, amount = _write_payments(cursor, context, now)
    _written_meanwhile(context, "new", count, amount)
    count, amount = _write_unmatched(cursor, context)
    _written_meanwhile(context, "unmatched", count, amount)


def _written_meanwhile(context: Context, kind: str, count: int, amount: Decimal) -> None:
    """An operation another writer recorded between the de-duplication and the write
    (ON CONFLICT waited for it, then left the row out) is a repeat after all."""
    result = context.result
    missing = getattr(result, kind) - count
    if missing:
        setattr(result, kind, count)
        setattr(result, f"{kind}_amount", amount)
        result.duplicate += missing


# Who held the client on the day the payment arrived, from the hand-over history; the
# holder today (staged with the row) for a day before the history starts.
_RESPONSIBLE_ON_THE_DAY = f"""coalesce((
    SELECT a.employee_id FROM {ClientAssignment._meta.db_table} AS a
    WHERE a.client_id = {FRESH}.client_id AND a.started_on <= {FRESH}.received_on
      AND (a.ended_on IS NULL OR a.ended_on >= {FRESH}.received_on)
    LIMIT 1
), {FRESH}.responsible_id)"""  # noqa: S608  # nosec B608 - identifiers come from model meta


def _payment_values(context: Context, now: dt.datetime) -> dict[str, tuple[str, Any]]:
    """Each payment column → the SQL that fills it from a fresh row, and its parameter."""
    return {
        "client_id": ("client_id", None),
        "department_id": ("department_id", None),
        "responsible_id": (_RESPONSIBLE_ON_THE_DAY, None),
        "amount": ("amount", None),
        "received_on": ("received_on", None),
        "source": ("%s", context.source),
        "source_ref": ("reference", None),
        "operation_key": ("operation_key", None),
        "payer_inn": ("payer_inn", None),
        "payer_name": ("payer_name", None),
        "purpose": ("purpose", None),
        "import_batch_id": ("%s", context.batch.pk),
        # Who imported it is the batch's created_by: one foreign-key check a row fewer.
        "recorded_by_id": ("NULL", None),
        "recorded_at": ("%s", now),
        "voided_at": ("NULL", None),
        "voided_by_id": ("NULL", None),
        "void_reason": ("''", None),
    }


def _write_payments(
    cursor: CursorWrapper, context: Context, now: dt.datetime
) -> tuple[int, Decimal]:
    """Insert the payments in one statement; how many were written, and their total.

    No '+' history row each: an imported payment's record of how it came in is its
    batch (who, when, which file and its SHA-256) and its own ``recorded_at``; its
    history starts with its first change (a void).
    """
    values = _payment_values(context, now)
    columns = [field.column for field in Payment._meta.concrete_fields if field.column != "id"]
    if set(columns) != set(values):
        raise RuntimeError("A Payment column is not filled by the import: update it.")
    params = [values[column][1] for column in columns if values[column][0] == "%s"]
    cursor.execute(
        f"""
        WITH written AS (
            INSERT INTO {Payment._meta.db_table} ({", ".join(columns)})
            SELECT {", ".join(values[column][0] for column in columns)}
            FROM {FRESH}
            WHERE client_id IS NOT NULL AND error_message IS NULL
            ON CONFLICT ON CONSTRAINT payment_unique_operation DO NOTHING
            RETURNING amount
        )
        SELECT count(*), coalesce(sum(amount), 0) FROM written
        """,  # noqa: S608  # nosec B608 - identifiers come from model meta
        params,
    )
    return cursor.fetchone()


def _write_unmatched(cursor: CursorWrapper, context: Context) -> tuple[int, Decimal]:
    cursor.execute(
        f"""
        WITH written AS (
            INSERT INTO {UnmatchedPayment._meta.db_table} (batch_id, amount, received_on,
                source, source_ref, operation_key, payer_inn, payer_name, payer_account,
                purpose)
            SELECT %s, amount, received_on, %s, reference, operation_key, payer_inn,
                payer_name, payer_account, purpose
            FROM {FRESH}
            WHERE client_id IS NULL AND error_message IS NULL
            ON CONFLICT ON CONSTRAINT unmatched_unique_operation DO NOTHING
            RETURNING amount
        )
        SELECT count(*), coalesce(sum(amount), 0) FROM written
        """,  # noqa: S608  # nosec B608 - identifiers come from model meta
        [context.batch.pk, context.source],
    )
    return cursor.fetchone()
