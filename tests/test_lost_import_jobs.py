"""A worker killed mid-import: its job's record is settled with the batch, not left running."""

from __future__ import annotations

from typing import Any

from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult, get_date_max

from payments.importing import liveness
from payments.models import ImportBatch, ImportStatus
from payments.tasks import import_batches_settle_lost
from tests.factories import Cast


def _running_job(batch: ImportBatch) -> DBTaskResult:
    """The job's row as a worker leaves it when it is killed while the job runs."""
    return DBTaskResult.objects.create(
        args_kwargs={"args": [], "kwargs": {"batch_id": batch.pk}},
        task_path="payments.tasks.import_stored_upload",
        backend_name="default",
        run_after=get_date_max(),
        status=TaskResultStatus.RUNNING,
        worker_ids=["killed-worker"],
        exception_class_path="",
        traceback="",
    )


def _batch(status: Any) -> ImportBatch:
    return ImportBatch.objects.create(
        file_name="big.csv", sha256="2" * 64, format="csv", status=status
    )


def test_the_job_of_a_lost_import_is_recorded_failed_with_the_batch(cast: Cast) -> None:
    # given an import left running by a killed worker (nobody holds its lock), and its job
    batch = _batch(ImportStatus.RUNNING)
    job = _running_job(batch)

    # when the worker settles lost imports
    assert import_batches_settle_lost() == 1

    # then the batch and its job are both failed, the job saying why
    batch.refresh_from_db()
    job.refresh_from_db()
    assert batch.status == ImportStatus.FAILED
    assert job.status == TaskResultStatus.FAILED
    assert job.finished_at is not None
    assert job.exception_class_path == "payments.tasks.ImportProcessLost"
    assert str(liveness.LOST) in job.traceback


def test_the_job_of_an_import_settled_earlier_is_recorded_failed_too(cast: Cast) -> None:
    batch = _batch(ImportStatus.FAILED)  # settled before jobs were
    job = _running_job(batch)

    import_batches_settle_lost()

    job.refresh_from_db()
    assert job.status == TaskResultStatus.FAILED


def test_the_job_of_an_import_still_running_is_left_alone(cast: Cast) -> None:
    # given an import whose process is alive: it holds the batch's lock
    batch = _batch(ImportStatus.RUNNING)
    job = _running_job(batch)
    liveness.hold(batch.pk)
    try:
        assert import_batches_settle_lost() == 0
    finally:
        liveness.release(batch.pk)

    job.refresh_from_db()
    batch.refresh_from_db()
    assert (batch.status, job.status) == (ImportStatus.RUNNING, TaskResultStatus.RUNNING)
