"""Background jobs: large imports run in a worker (``manage.py db_worker``), not in a request.

The upload's bytes wait in the database (``ImportUpload``), so any worker that reaches the
database can take the job. The worker spools them to a local temporary file part by part
(memory holds one part) and runs the one import pipeline on it, which is all-or-nothing:
a rejected or failed job has written no payments, and its batch says why. A job that
failed, or whose worker died, keeps its file for a day (``payments.uploads.UPLOAD_KEEP``),
and ``import_batch_retry`` queues it again as a new batch.
"""

from __future__ import annotations

import tempfile
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_tasks import TaskResultStatus, task
from django_tasks_db.models import DBTaskResult

from accounts.policy import SYSTEM, Action, require
from payments.importing import liveness
from payments.importing.pipeline import BatchNotPending, payments_import
from payments.models import ImportBatch, ImportKind, ImportStatus, ImportUpload
from payments.services import import_batch_settle_if_lost
from payments.uploads import (
    upload_parts_store,
    upload_spool,
    uploads_expired,
    uploads_to_run_again,
)


def import_upload_store(
    *,
    file_name: str,
    chunks: Any,
    size: int,
    fmt: str,
    user: Any,
    kind: str = ImportKind.PAYMENTS,
) -> ImportBatch:
    """Keep an uploaded file for the worker: a pending batch and the file's parts."""
    with transaction.atomic():
        uploads_expired().delete()
        batch = ImportBatch.objects.create(
            kind=kind, file_name=file_name[:255], sha256="", format="", created_by=user
        )
        upload = ImportUpload.objects.create(
            batch=batch, created_by=user, requested_format=fmt, size=size
        )
        batch.sha256 = upload_parts_store(upload, chunks)
        batch.save(update_fields=["sha256"])
    return batch


def import_in_background(
    *, upload: Any, fmt: str, user: Any, kind: str = ImportKind.PAYMENTS
) -> ImportBatch:
    """Store an uploaded file (of payments, or of invoices) and queue its import; the
    batch follows the job."""
    batch = import_upload_store(
        file_name=upload.name,
        chunks=upload.chunks(),
        size=upload.size,
        fmt=fmt,
        user=user,
        kind=kind,
    )
    # After commit: a worker on another machine must find the stored file.
    transaction.on_commit(lambda: import_stored_upload.enqueue(batch_id=batch.pk))
    return batch


@task()
def import_stored_upload(batch_id: int) -> dict[str, Any]:
    """Import a stored upload into its pending batch; the batch records the outcome."""
    batch = ImportBatch.objects.select_related("created_by", "upload").get(pk=batch_id)
    if batch.status != ImportStatus.PENDING:
        # A job delivered twice must not import twice: the batch has its outcome already.
        return {"status": batch.status}
    try:
        upload = batch.upload
    except ImportUpload.DoesNotExist:
        # Its file was dropped before a worker took the job (kept for ``UPLOAD_KEEP``).
        _fail_if_pending(batch, _("The stored file is gone; upload the file again."))
        return {"status": _status(batch)}
    try:
        with tempfile.TemporaryFile() as spool:
            upload_spool(upload, spool)
            result = payments_import(
                file_name=batch.file_name,
                data=spool,
                fmt=upload.requested_format,
                # Whoever uploaded it, checked again now; the system for a command's file.
                user=batch.created_by or SYSTEM,
                batch=batch,
                kind=batch.kind,
            )
    except BatchNotPending:
        # Another delivery of this job took the batch first, or it was marked stopped
        # (and its file may be run again): the file is not this job's to drop.
        return {"status": _status(batch)}
    except Exception as error:
        # The import failed whole (a lost connection, a full disk, a fault): the file
        # stays for ``UPLOAD_KEEP``, and the batch page can run it again.
        _fail_if_pending(batch, f"{type(error).__name__}: {str(error)[:300]}")
        raise
    # Imported or rejected: the bytes have served; the batch keeps the result. Only while
    # they are still this batch's: a batch run again meanwhile has handed them on.
    ImportUpload.objects.filter(pk=upload.pk, batch=batch).delete()
    return {"status": result.batch.status if result.batch else "", "new": result.new}


def _status(batch: ImportBatch) -> str:
    return ImportBatch.objects.values_list("status", flat=True).get(pk=batch.pk)


def import_batch_retry(*, user: Any, batch: ImportBatch) -> ImportBatch:
    """Queue the file of an import that stopped before it finished again, as a new batch.

    A worker killed mid-import (a deploy, a restart), or an import that failed whole (a
    lost connection, a full disk), leaves its batch failed with nothing written and its
    file still stored: the person importing need not upload it again. The failed batch
    stays as it is, the record of what happened.
    """
    require(user, Action.MANAGE_PAYMENTS)
    with transaction.atomic():
        batch = ImportBatch.objects.select_for_update().get(pk=batch.pk)
        upload = uploads_to_run_again().select_for_update().filter(batch=batch).first()
        if upload is None:
            raise ValidationError(
                {
                    "status": _(
                        "Only an import that stopped before it finished, within a day, "
                        "can be run again from its stored file."
                    )
                }
            )
        again = ImportBatch.objects.create(
            kind=batch.kind,
            file_name=batch.file_name,
            sha256=batch.sha256,
            format="",
            created_by=user,
        )
        upload.batch = again
        upload.save(update_fields=["batch"])
        transaction.on_commit(lambda: import_stored_upload.enqueue(batch_id=again.pk))
    return again


def _fail_if_pending(batch: ImportBatch, message: str) -> None:
    # The pipeline records its own failures; this catches one before it started.
    ImportBatch.objects.filter(pk=batch.pk, status=ImportStatus.PENDING).update(
        status=ImportStatus.FAILED,
        finished_at=timezone.now(),
        errors=[{"line": 0, "field": "file", "message": message}],
    )


def import_batches_settle_lost() -> int:
    """Record as failed every running import whose process has ended; how many were.

    Pages only show such an import as lost; this writes it down, so that its file can
    be run again and the months it held can close. The worker runs it as it starts and
    after every job (``manage.py run_worker``); ``manage.py settle_imports`` is for cron.
    """
    running = ImportBatch.objects.filter(status=ImportStatus.RUNNING).order_by("pk")
    settled = sum(
        import_batch_settle_if_lost(batch).status == ImportStatus.FAILED for batch in running
    )
    import_task_results_settle_lost()
    return settled


class ImportProcessLost(Exception):
    """What a lost import's job records: its worker ended while the job ran."""


def import_task_results_settle_lost() -> int:
    """Record as failed the job of every import already failed whose job says "running".

    A worker killed mid-import leaves its job claimed for ever (``DBTaskResult``, status
    RUNNING): the batch is settled above, and its job with it. A job still running for a
    failed batch is either lost or about to record the same failure itself.
    """
    jobs = DBTaskResult.objects.filter(
        status=TaskResultStatus.RUNNING, task_path=import_stored_upload.module_path
    )
    by_batch = {job.args_kwargs.get("kwargs", {}).get("batch_id"): job for job in jobs}
    failed = ImportBatch.objects.filter(pk__in=[k for k in by_batch if isinstance(k, int)])
    failed = failed.filter(status=ImportStatus.FAILED).values_list("pk", flat=True)
    lost = ImportProcessLost(str(liveness.LOST))
    for batch_id in failed:
        # The library's own record of a failure, so that its admin and API read it alike.
        by_batch[batch_id].set_failed(lost)
    return len(failed)
