"""The set-based write path on PostgreSQL: COPY into a staging table, then SQL.

Checked rows stream through ``COPY … FROM STDIN`` into a temporary table as they are
parsed, so Python never holds more than psycopg's copy buffer, whatever the file's size.
De-duplication (against earlier imports and within the file), the counts, the rows to
reject and the writes are then a handful of statements over the whole file; the number
of queries does not depend on the number of rows.

Row rules stay in Python (``rules.check_row``, the preloaded ``ClientMatcher``, the
closed periods): a row that fails one is either rejected at once (its own fields) or
staged with its problem, which counts only if the row turns out not to be a duplicate —
exactly as the chunked path decides.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection
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


def import_rows(rows: Iterator[RawRow], context: _Context) -> None:
    """Check, stage, de-duplicate and (unless rejected or a dry run) write every row."""
    context.matcher.load_all(by_name=not context.is_bank)
    closed = rules.closed_periods_all()
    with connection.cursor() as cursor:
        # For this transaction only: the de-duplication sorts and hashes the whole file,
        # which the default 4 MB would spill to disk in many passes.
        cursor.execute(f"SET LOCAL work_mem = '{WORK_MEM}'")
        cursor.execute(_CREATE_STAGING)
        # Not ANALYZEd: the planner sizes the staging table from its pages, all its
        # plans need, and the statistics cost ≈ 0.15 s a 100,000 rows for the same plans.
        staged = _copy(cursor, _staged(rows, context, closed))
        writing = context.result.accepted and not context.result.dry_run
        # Locked before the duplicates are sorted out: no other write of payments into
        # these months can commit in between, so the rows found fresh insert cleanly.
        closed_meanwhile = _hold_periods_open(cursor) if writing else {}
        _select_fresh(cursor, context.source)
        fresh = _count(cursor, context)
        context.result.duplicate += staged - fresh
        if closed_meanwhile:
            _refuse_closed(cursor, context, closed_meanwhile)
        if context.result.accepted and writing:
            _write(cursor, context)
        cursor.execute(f"DROP TABLE {STAGING}, {FRESH}")


def _copy(cursor: CursorWrapper, rows: Iterator[tuple[Any, ...]]) -> int:
    staged = 0
    columns = ", ".join(STAGED_COLUMNS)
    with cursor.copy(f"COPY {STAGING} ({columns}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row(row)
            staged += 1
    return staged


_NO_CLIENT = (None, None, None)


def _staged(
    rows: Iterator[RawRow], context: _Context, closed: dict[tuple[int, dt.date], str]
) -> Iterator[tuple[Any, ...]]:
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


def _select_fresh(cursor: CursorWrapper, source: str) -> None:
    """The rows not imported before (as payments or unmatched), first occurrence in the file."""
    cursor.execute(
        f"""
        CREATE TEMPORARY TABLE {FRESH} ON COMMIT DROP AS
        SELECT DISTINCT ON (s.source_ref) s.*
        FROM {STAGING} s
        WHERE NOT EXISTS (
            SELECT 1 FROM {Payment._meta.db_table} p
            WHERE p.source = %(source)s AND p.source_ref = s.source_ref
        ) AND NOT EXISTS (
            SELECT 1 FROM {UnmatchedPayment._meta.db_table} u
            WHERE u.source = %(source)s AND u.source_ref = s.source_ref
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


def _refuse_closed(
    cursor: CursorWrapper, context: _Context, closed: dict[tuple[int, dt.date], str]
) -> None:
    """A month closed while the file was read refuses it whole, unless only duplicates
    fall in that month."""
    cursor.execute(
        f"""
        SELECT DISTINCT department_id, date_trunc('month', received_on)::date
        FROM {FRESH} WHERE client_id IS NOT NULL AND error_message IS NULL
        """  # noqa: S608  # nosec B608 - the table name is a constant
    )
    for department_id, month in sorted(set(cursor.fetchall()) & closed.keys()):
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
