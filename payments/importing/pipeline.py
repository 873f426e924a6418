"""The one import pipeline: reader → rules → writer, with the batch, progress and dry run.

Every format, the command, the web page, the admin and the background worker come
through ``payments_import``: a reader (``readers``) turns the file into raw rows, the
rules (``rules``) check each row, match its client and build its operation key, and the
writer (``writer``) stages the rows with COPY and de-duplicates and writes them with a
fixed number of statements, whatever the file's size. The whole file is written in one
transaction that is rolled back if any row is rejected (all-or-nothing) or on a dry run,
which goes through the same steps up to the write and lists the possible repeats.

A file of invoices (``ImportKind.INVOICES``, the collections cockpit) is one more kind
of row through the same steps: its own reader and rules (``readers.invoices``,
``invoice_rules``) and its own writer (``invoice_writer``), with the same batch, dry
run, row-level errors, progress, all-or-nothing rule and background worker.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import IO, Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.policy import Action, recorded_user, require, writable_departments
from compensation import lifecycle
from compensation.models import BonusPeriod
from core.months import previous_month
from core.rows import RowReport
from payments.importing import invoice_writer, liveness, writer
from payments.importing.progress import Progress
from payments.importing.readers import AUTO, BANK_FORMATS, READERS, SOURCES, detect_format
from payments.importing.readers.invoices import READERS as INVOICE_READERS
from payments.importing.rows import ImportFileError, RowError, StatementFacts
from payments.importing.rules import ClientMatcher
from payments.importing.writer import ListedRow, NearMatch
from payments.models import ImportBatch, ImportFormat, ImportKind, ImportStatus

MAX_REPORTED_ERRORS = RowReport.max_reported
ZERO = Decimal("0.00")


@dataclass
class ImportResult(RowReport):
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
    # Lines a person chose to leave out as repeats (from the dry run's possible repeats).
    dropped: int = 0
    # New rows resembling a payment on record (same payer, day, amount; another number):
    # the first ``writer.MAX_NEAR_MATCHES`` listed, all counted. Dry runs only.
    near_matches: list[NearMatch] = field(default_factory=list)
    near_match_count: int = 0
    first_date: dt.date | None = None
    last_date: dt.date | None = None
    # Rows dated before ``stale_before`` (see ``stale_from``): likely an old statement.
    stale_before: dt.date | None = None
    stale: int = 0
    errors: list[RowError] = field(default_factory=list)
    errors_left_out: int = 0
    # A bank statement's own totals against its rows, and the documents not paid to us.
    statement: StatementFacts = field(default_factory=StatementFacts)
    # Dry runs only: the first ``writer.MAX_LISTED`` rows of each kind, all counted above.
    listed: dict[str, list[ListedRow]] = field(default_factory=dict)
    batch: ImportBatch | None = None

    def reject(self, errors: Iterable[RowError]) -> None:
        self.rejected += 1
        for error in errors:
            self.add_error(error)

    def saw(self, day: dt.date) -> None:
        self.first_date = min(self.first_date or day, day)
        self.last_date = max(self.last_date or day, day)
        if self.stale_before is not None and day < self.stale_before:
            self.stale += 1


# A payment dated more than this many months before the months in use (the earliest
# period still taking payments, or the current month if earlier) is most likely from an
# old statement picked by mistake: the dry run says how many there are. Payments dated in
# the future are refused outright (``rules``).
STALE_MONTHS = 2


def stale_from(today: dt.date) -> dt.date:
    """The first day of the months in use, less ``STALE_MONTHS``: older rows are flagged."""
    current = today.replace(day=1)
    earliest_open = (
        BonusPeriod.objects.exclude(state__in=lifecycle.FROZEN)
        .order_by("month")
        .values_list("month", flat=True)
        .first()
    )
    month = min(current, earliest_open or current)
    for _step in range(STALE_MONTHS):
        month = previous_month(month)
    return month


def payments_import(
    *,
    file_name: str,
    data: bytes | IO[bytes],
    fmt: str = AUTO,
    user: Any,
    dry_run: bool = False,
    batch: ImportBatch | None = None,
    skip_lines: Iterable[int] = (),
    kind: str = ImportKind.PAYMENTS,
) -> ImportResult:
    """Import a file of incoming payments (or, of ``kind`` invoices, of invoices); see the
    module docstring.

    ``user`` is who imports, checked against the access policy and recorded: a person,
    or ``policy.SYSTEM`` for a command run without ``--user``. ``batch`` is a pending batch
    made for a background import (``payments.tasks``); it is used instead of a new one.
    ``skip_lines`` are lines of the file to leave out as repeats: the possible repeats
    its dry run listed that a person chose to drop.
    """
    require(user, Action.MANAGE_PAYMENTS)
    stream = _binary(data)
    result = ImportResult(file_name=file_name, format=fmt, dry_run=dry_run)
    if dry_run and kind == ImportKind.PAYMENTS:
        result.stale_before = stale_from(timezone.localdate())
    try:
        detected = detect_format(file_name, stream) if fmt == AUTO else fmt
        result.format = _known(detected, kind)
    except ImportFileError as error:
        result.format = ""
        result.add_error(error.error)
    if dry_run:
        batch = None
    elif batch is None:
        batch = _batch_start(file_name, stream, result.format, user, kind=kind)
    else:
        batch = _batch_resume(batch, result.format)
    try:
        try:
            if result.accepted:
                _run(stream, result, batch, user, frozenset(skip_lines), kind)
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


def _known(fmt: str, kind: str = ImportKind.PAYMENTS) -> str:
    readers = INVOICE_READERS if kind == ImportKind.INVOICES else READERS
    if fmt not in readers:
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
    file_name: str,
    stream: IO[bytes],
    fmt: str,
    user: Any,
    *,
    dry_run: bool = False,
    kind: str = ImportKind.PAYMENTS,
) -> ImportBatch:
    # Committed on its own before any payment is written: while it says "running",
    # closing a period for these months can be refused. Its lock is taken before the
    # commit, so no one sees it running without a process (``liveness``). A dry run's
    # batch is rolled back with everything else: no one ever sees it, nothing is held.
    with transaction.atomic():
        batch = ImportBatch.objects.create(
            kind=kind,
            file_name=file_name[:255],
            sha256=_sha256(stream),
            format=fmt,
            created_by=recorded_user(user),
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
    batch.duplicate_count = result.duplicate + result.dropped
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


@dataclass
class Context:
    """What the writer needs to know of the import it writes."""

    result: ImportResult
    batch: ImportBatch
    fmt: str
    skip_lines: frozenset[int] = frozenset()
    today: dt.date = field(default_factory=timezone.localdate)
    matcher: ClientMatcher = field(default_factory=ClientMatcher)
    # The departments whose payments the importer may bring in; None: any (the policy's).
    departments: frozenset[int] | None = None

    @property
    def source(self) -> str:
        return SOURCES[self.fmt]

    @property
    def is_bank(self) -> bool:
        return self.fmt in BANK_FORMATS


def _run(
    stream: IO[bytes],
    result: ImportResult,
    batch: ImportBatch | None,
    user: Any,
    skip_lines: frozenset[int],
    kind: str = ImportKind.PAYMENTS,
) -> None:
    progress: Progress | None = None
    try:
        with transaction.atomic():
            # A dry run still stages, so that it checks exactly what the import would;
            # its batch is created here and rolled back with everything else.
            fmt = result.format
            context = Context(
                result=result,
                batch=batch
                or _batch_start(result.file_name, stream, fmt, user, dry_run=True, kind=kind),
                fmt=fmt,
                skip_lines=skip_lines,
                departments=writable_departments(user),
            )
            rows = _rows(stream, result, kind)
            if batch is not None:  # a dry run's batch is never seen: nothing to tell
                progress = Progress(batch.pk, stream, by_position=fmt != ImportFormat.XLSX)
                rows = progress.counted(rows)
            if kind == ImportKind.INVOICES:
                invoice_writer.import_rows(rows, context)
            else:
                writer.import_rows(rows, context)
            if not result.accepted or result.dry_run:
                raise _Rollback
    except _Rollback:
        pass
    except ImportFileError as error:
        result.add_error(error.error)
    finally:
        if progress is not None:
            progress.close()


def _rows(stream: IO[bytes], result: ImportResult, kind: str) -> Any:
    """The format's reader over the file: the rows of the import's kind."""
    if kind == ImportKind.INVOICES:
        return INVOICE_READERS[result.format](stream)
    if result.format in BANK_FORMATS:
        return READERS[result.format](stream, result.statement)  # type: ignore[call-arg]
    return READERS[result.format](stream)


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
