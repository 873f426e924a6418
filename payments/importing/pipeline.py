"""The one import pipeline: read → validate → match the client → de-duplicate → write.

Every format, the command, the web page and the background worker come through
``payments_import``. On PostgreSQL rows stream through COPY, straight into the payments
table while the file brings only new ones, else into a staging table from which
set-based SQL de-duplicates and writes them (``postgres``): a fixed number of queries
whatever the file's size. Elsewhere (SQLite in development) rows flow through in chunks
of ``CHUNK_ROWS``: each chunk costs a handful of queries, and memory holds one chunk.
The whole file is written in one transaction that is rolled back if any row is rejected
(all-or-nothing) or on a dry run, which goes through the same checks as the real import
(on PostgreSQL a dry run takes the staged route, which checks every row before its
first INSERT, and stops there).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import itertools
import tempfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from typing import IO, Any

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.policy import Action, require
from payments.importing import liveness, postgres, rules
from payments.importing.formats import AUTO, BANK_FORMATS, READERS, SOURCES, detect_format
from payments.importing.progress import Progress
from payments.importing.rows import ImportFileError, RawRow, RowError
from payments.importing.rules import CheckedRow, ClientMatcher
from payments.models import (
    Client,
    ImportBatch,
    ImportFormat,
    ImportStatus,
    Payment,
    UnmatchedPayment,
)

CHUNK_ROWS = 1000
MAX_REPORTED_ERRORS = 1000
ZERO = Decimal("0.00")


@dataclass
class ImportResult:
    """What an import did (or, for a dry run or a rejected file, would have done)."""

    file_name: str
    format: str
    dry_run: bool
    new: int = 0
    duplicate: int = 0
    unmatched: int = 0
    rejected: int = 0
    new_amount: Decimal = ZERO
    unmatched_amount: Decimal = ZERO
    first_date: dt.date | None = None
    last_date: dt.date | None = None
    errors: list[RowError] = field(default_factory=list)
    errors_left_out: int = 0
    batch: ImportBatch | None = None

    @property
    def accepted(self) -> bool:
        return not self.errors

    @property
    def written(self) -> bool:
        return self.accepted and not self.dry_run

    def add_error(self, error: RowError) -> None:
        # A file of a million bad rows must not become a million-line report.
        if len(self.errors) < MAX_REPORTED_ERRORS:
            self.errors.append(error)
        else:
            self.errors_left_out += 1

    def reject(self, errors: Iterable[RowError]) -> None:
        self.rejected += 1
        for error in errors:
            self.add_error(error)

    def saw(self, day: dt.date) -> None:
        self.first_date = min(self.first_date or day, day)
        self.last_date = max(self.last_date or day, day)


def payments_import(
    *,
    file_name: str,
    data: bytes | IO[bytes],
    fmt: str = AUTO,
    user: Any = None,
    dry_run: bool = False,
    batch: ImportBatch | None = None,
) -> ImportResult:
    """Import a file of incoming payments; see the module docstring.

    ``user`` is the person importing (checked against the access policy and recorded);
    ``None`` means a trusted operator at the command line. ``batch`` is a pending batch
    made for a background import (``payments.tasks``); it is used instead of a new one.
    """
    if user is not None:
        require(user, Action.MANAGE_PAYMENTS)
    stream = _binary(data)
    result = ImportResult(file_name=file_name, format=fmt, dry_run=dry_run)
    try:
        result.format = detect_format(file_name, stream) if fmt == AUTO else _known(fmt)
    except ImportFileError as error:
        result.format = ""
        result.add_error(error.error)
    if dry_run:
        batch = None
    elif batch is None:
        batch = _batch_start(file_name, stream, result.format, user)
    else:
        batch = _batch_resume(batch, result.format)
    try:
        try:
            if result.accepted:
                _run(stream, result, batch, user)
        except Exception as error:
            if batch is not None:
                _batch_finish(batch, result, ImportStatus.FAILED, failure=error)
            raise
        if batch is not None:
            status = ImportStatus.DONE if result.accepted else ImportStatus.REJECTED
            result.batch = _batch_finish(batch, result, status)
    finally:
        if batch is not None:
            liveness.release(batch.pk)
    return result


def _known(fmt: str) -> str:
    if fmt not in READERS:
        raise ImportFileError(0, "format", _("Unknown format %(format)s.") % {"format": fmt})
    return ImportFormat(fmt)


def _binary(data: bytes | IO[bytes]) -> IO[bytes]:
    """A seekable binary file: readers sniff the head of the file, then start over."""
    if isinstance(data, bytes | bytearray):
        return io.BytesIO(data)
    # Any seekable file: an uploaded file (Django's wrapper) or a temporary one as well.
    if callable(getattr(data, "seekable", None)) and data.seekable():
        data.seek(0)
        return data
    spooled = tempfile.SpooledTemporaryFile(max_size=8 * 1024 * 1024)  # noqa: SIM115
    for chunk in iter(lambda: data.read(1024 * 1024), b""):
        spooled.write(chunk)
    spooled.seek(0)
    return spooled


def _sha256(stream: IO[bytes]) -> str:
    digest = hashlib.sha256()
    for chunk in iter(lambda: stream.read(1024 * 1024), b""):
        digest.update(chunk)
    stream.seek(0)
    return digest.hexdigest()


def _batch_start(
    file_name: str, stream: IO[bytes], fmt: str, user: Any, *, dry_run: bool = False
) -> ImportBatch:
    # Committed on its own before any payment is written: while it says "running",
    # closing a period for these months can be refused. Its lock is taken before the
    # commit, so no one sees it running without a process (``liveness``). A dry run's
    # batch is rolled back with everything else: no one ever sees it, nothing is held.
    with transaction.atomic():
        batch = ImportBatch.objects.create(
            file_name=file_name[:255],
            sha256=_sha256(stream),
            format=fmt,
            created_by=user,
            status=ImportStatus.RUNNING,
        )
        if not dry_run:
            liveness.hold(batch.pk)
        return batch


class BatchNotPending(Exception):
    """The batch a job was to import is no longer waiting: another delivery of the same
    job has taken it, or an administrator has marked it stopped."""


def _batch_resume(batch: ImportBatch, fmt: str) -> ImportBatch:
    liveness.hold(batch.pk)
    try:
        # Taken only while still pending, after the lock: of two deliveries of one job
        # the second finds it taken, and a batch marked stopped is never started.
        taken = ImportBatch.objects.filter(pk=batch.pk, status=ImportStatus.PENDING).update(
            status=ImportStatus.RUNNING, format=fmt
        )
    except Exception:
        liveness.release(batch.pk)
        raise
    if not taken:
        liveness.release(batch.pk)
        raise BatchNotPending(batch.pk)
    batch.status = ImportStatus.RUNNING
    batch.format = fmt
    return batch


def _batch_finish(
    batch: ImportBatch, result: ImportResult, status: str, failure: Exception | None = None
) -> ImportBatch:
    batch.status = status
    batch.finished_at = timezone.now()
    # A failure after the counting rolled the writes back: the batch kept nothing.
    kept = result.written and status == ImportStatus.DONE
    batch.new_count = result.new if kept else 0
    batch.duplicate_count = result.duplicate
    batch.unmatched_count = result.unmatched if kept else 0
    batch.rejected_count = result.rejected
    batch.first_date, batch.last_date = result.first_date, result.last_date
    batch.errors = [error.as_json() for error in result.errors]
    if status == ImportStatus.FAILED:
        batch.errors.append({"line": 0, "field": "file", "message": _failure_message(failure)})
    batch.save()
    return batch


def _failure_message(failure: Exception | None) -> str:
    message = _("The import failed; nothing was saved.")
    if failure is None:
        return message
    # The error's own words help whoever retries it; capped so a huge message stays out.
    return f"{message} {type(failure).__name__}: {str(failure)[:300]}"


class _Rollback(Exception):
    """Leaves the write transaction without keeping anything."""


def _run(stream: IO[bytes], result: ImportResult, batch: ImportBatch | None, user: Any) -> None:
    progress: Progress | None = None
    try:
        with transaction.atomic():
            # A dry run still writes, so that it checks exactly what the import would;
            # its batch is created here and rolled back with everything else.
            writer = _Writer(
                batch or _batch_start(result.file_name, stream, result.format, user, dry_run=True),
                user,
            )
            context = _Context(result=result, writer=writer, fmt=result.format)
            if batch is not None:  # a dry run's batch is never seen: nothing to tell
                progress = Progress(
                    batch.pk, stream, by_position=result.format != ImportFormat.XLSX
                )

            def read() -> Iterator[RawRow]:
                """The file's rows from its start (PostgreSQL may read it twice)."""
                stream.seek(0)
                rows = READERS[result.format](stream)
                return progress.counted(rows) if progress is not None else rows

            if connection.vendor == "postgresql":
                postgres.import_rows(read, context)
            else:
                for chunk in _chunks(read()):
                    _import_chunk(chunk, context)
            if not result.accepted or result.dry_run:
                raise _Rollback
    except _Rollback:
        pass
    except ImportFileError as error:
        result.add_error(error.error)
    finally:
        if progress is not None:
            progress.close()


def _chunks(rows: Iterator[RawRow]) -> Iterator[list[RawRow]]:
    while chunk := list(itertools.islice(rows, CHUNK_ROWS)):
        yield chunk


class _Writer:
    def __init__(self, batch: ImportBatch, user: Any) -> None:
        self.batch = batch
        self.user = user

    def payments(self, payments: list[Payment]) -> None:
        # No '+' history rows: the batch is the imported payments' record of how they
        # came in (see ``postgres._write_payments``).
        Payment.objects.bulk_create(payments, batch_size=CHUNK_ROWS)

    def unmatched(self, rows: list[UnmatchedPayment]) -> None:
        if rows:
            UnmatchedPayment.objects.bulk_create(rows, batch_size=CHUNK_ROWS)


@dataclass
class _Context:
    result: ImportResult
    writer: _Writer
    fmt: str
    today: dt.date = field(default_factory=timezone.localdate)
    matcher: ClientMatcher = field(default_factory=ClientMatcher)

    @property
    def source(self) -> str:
        return SOURCES[self.fmt]

    @property
    def is_bank(self) -> bool:
        return self.fmt in BANK_FORMATS


def _import_chunk(rows: list[RawRow], context: _Context) -> None:
    checked = _checked(rows, context)
    fresh = _fresh(checked, context)
    context.matcher.load(fresh, by_name=not context.is_bank)
    matched, unmatched = _match(fresh, context)
    context.writer.payments(_payments_in_open_periods(matched, context))
    context.writer.unmatched([_unmatched(row, context) for row in unmatched])


def _checked(rows: list[RawRow], context: _Context) -> list[CheckedRow]:
    return list(rules.checked_rows(rows, context.result, today=context.today))


def _fresh(rows: list[CheckedRow], context: _Context) -> list[CheckedRow]:
    """Rows not imported before, whether as payments or as unmatched, nor earlier in the file.

    Earlier chunks of this file are already written inside the transaction, so the
    database answers for them too; only the current chunk needs a set.
    """
    refs = {row.source_ref for row in rows}
    known = set(
        Payment.objects.filter(source=context.source, source_ref__in=refs).values_list(
            "source_ref", flat=True
        )
    )
    known.update(
        UnmatchedPayment.objects.filter(source=context.source, source_ref__in=refs).values_list(
            "source_ref", flat=True
        )
    )
    fresh = []
    for row in rows:
        if row.source_ref in known:
            context.result.duplicate += 1
            continue
        known.add(row.source_ref)
        fresh.append(row)
    return fresh


def _match(
    rows: list[CheckedRow], context: _Context
) -> tuple[list[tuple[CheckedRow, Client]], list[CheckedRow]]:
    matched, unmatched = [], []
    for row in rows:
        try:
            client = context.matcher.find(row)
        except ValidationError as error:
            context.result.reject([RowError(row.line, row.names.client, " ".join(error.messages))])
            continue
        if client is not None:
            matched.append((row, client))
        elif context.is_bank:
            unmatched.append(row)
        else:
            field_name = row.names.inn if row.inn else row.names.client
            message = rules.unknown_client_message(row)
            context.result.reject([RowError(row.line, field_name, message)])
    return matched, unmatched


def _payments_in_open_periods(
    matched: list[tuple[CheckedRow, Client]], context: _Context
) -> list[Payment]:
    closed = rules.lock_periods(
        (client.department_id, rules.month_of(row.received_on)) for row, client in matched
    )
    payments = []
    for row, client in matched:
        try:
            rules.check_period_open(client.department_id, row.received_on, closed)
        except ValidationError as error:
            context.result.reject([RowError(row.line, row.names.date, " ".join(error.messages))])
            continue
        payments.append(_payment(row, client, context))
    return payments


def _payment(row: CheckedRow, client: Client, context: _Context) -> Payment:
    context.result.new += 1
    context.result.new_amount += row.amount
    return Payment.of_client(
        client,
        amount=row.amount,
        received_on=row.received_on,
        source=context.source,
        source_ref=row.source_ref,
        payer_inn=row.inn,
        payer_name=row.name[:300],
        purpose=row.purpose,
        import_batch=context.writer.batch,  # who imported it: the batch's created_by
    )


def _unmatched(row: CheckedRow, context: _Context) -> UnmatchedPayment:
    context.result.unmatched += 1
    context.result.unmatched_amount += row.amount
    return UnmatchedPayment(
        batch=context.writer.batch,
        amount=row.amount,
        received_on=row.received_on,
        source=context.source,
        source_ref=row.source_ref,
        payer_inn=row.inn,
        payer_name=row.name[:300],
        payer_account=row.payer_account[:34],
        purpose=row.purpose,
    )


def format_report(result: ImportResult) -> str:
    """The row-level report of a rejected import, one error per line."""
    lines = [
        _("Row %(line)d, %(field)s: %(message)s")
        % {"line": error.line, "field": error.field, "message": error.message}
        for error in result.errors
    ]
    if result.errors_left_out:
        lines.append(_("… and %(count)d more errors.") % {"count": result.errors_left_out})
    return "\n".join(lines)
