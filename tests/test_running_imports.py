"""A running import tells how far it has got; one whose process has ended is failed.

The import holds an advisory lock on its batch for as long as it runs; PostgreSQL lets
it go with the connection of a process that dies. A batch that says "running" while
nobody holds its lock is failed by the first look at it: the batch page, or the close
of a month it might have held payments of.
"""

from __future__ import annotations

import datetime as dt
import json
import time
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db import connection
from django.test import Client as HttpClient
from django.urls import reverse

from compensation import services
from compensation.errors import WorkflowError
from compensation.models import PeriodState
from payments.importing import liveness, writer
from payments.importing.pipeline import payments_import
from payments.importing.progress import Progress
from payments.models import ImportBatch, ImportStatus, Payment
from payments.services import import_batch_mark_stopped, import_batch_settle_if_lost
from payments.tasks import import_batches_settle_lost, import_upload_store
from tests.factories import Cast, ClientFactory
from tests.test_workflow_helpers import OCTOBER, import_process, pay_in, set_scheme

ALFA = "7701000019"
LOST = (
    "The import stopped before it finished: its process ended (a worker was stopped or"
    " restarted). Nothing was saved; import the file again."
)


@pytest.fixture(autouse=True)
def _english(settings: object) -> None:
    settings.LANGUAGE_CODE = "en"


def let_go(batch: ImportBatch) -> bool:
    """Whether the lock is free: the server ends a closed connection's session a moment
    after the connection closes."""
    for _ in range(500):
        if liveness.is_held(batch.pk) is False:
            return True
        time.sleep(0.01)
    return False


def running_batch(**fields: Any) -> ImportBatch:
    return ImportBatch.objects.create(
        file_name="october.csv",
        sha256="0" * 64,
        format="csv",
        status=ImportStatus.RUNNING,
        **fields,
    )


def signed_in(user: object) -> HttpClient:
    http = HttpClient(HTTP_ACCEPT_LANGUAGE="en")
    http.force_login(user)
    return http


def test_an_import_holds_its_batch_while_it_runs_and_lets_go_after(
    cast: Cast, monkeypatch: pytest.MonkeyPatch
) -> None:
    ClientFactory(name="Alfa", inn=ALFA, department=cast.dept)
    seen = []
    write = writer.import_rows

    def watched(read: Any, context: Any) -> None:
        seen.append(liveness.is_held(context.batch.pk))
        write(read, context)

    monkeypatch.setattr(writer, "import_rows", watched)
    data = f"date;amount;inn;reference\n01.10.2026;100.00;{ALFA};r-1\n".encode()

    result = payments_import(file_name="a.csv", data=data, user=cast.admin)

    assert seen == [True]
    assert result.batch is not None
    assert result.batch.status == ImportStatus.DONE
    assert liveness.is_held(result.batch.pk) is False


def test_a_failing_import_lets_go_of_its_batch_too(
    cast: Cast, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(read: Any, context: Any) -> None:
        raise RuntimeError("disk full")

    monkeypatch.setattr(writer, "import_rows", broken)
    data = f"date;amount;inn;reference\n01.10.2026;100.00;{ALFA};r-1\n".encode()

    with pytest.raises(RuntimeError):
        payments_import(file_name="a.csv", data=data, user=cast.admin)

    batch = ImportBatch.objects.get()
    assert batch.status == ImportStatus.FAILED
    assert liveness.is_held(batch.pk) is False


def held_import_locks() -> int:
    """The import locks this session still holds."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND classid = %s"
            " AND pid = pg_backend_pid()",
            [liveness.NAMESPACE],
        )
        return cursor.fetchone()[0]


def test_a_dry_run_and_a_rejected_file_hold_nothing_after(cast: Cast) -> None:
    ClientFactory(name="Alfa", inn=ALFA, department=cast.dept)
    good = f"date;amount;inn;reference\n01.10.2026;100.00;{ALFA};r-1\n".encode()
    bad = f"date;amount;inn;reference\n01.10.2026;abc;{ALFA};r-2\n".encode()

    preview = payments_import(file_name="a.csv", data=good, user=cast.admin, dry_run=True)
    rejected = payments_import(file_name="b.csv", data=bad, user=cast.admin)

    assert (preview.new, preview.batch) == (1, None)
    assert rejected.batch is not None
    assert rejected.batch.status == ImportStatus.REJECTED
    assert held_import_locks() == 0


def test_a_pending_batch_taken_by_a_worker_is_held_from_the_start(
    cast: Cast, monkeypatch: pytest.MonkeyPatch
) -> None:
    ClientFactory(name="Alfa", inn=ALFA, department=cast.dept)
    pending = ImportBatch.objects.create(file_name="b.csv", sha256="0" * 64, format="")
    seen = []
    write = writer.import_rows

    def watched(read: Any, context: Any) -> None:
        batch = ImportBatch.objects.get(pk=pending.pk)
        seen.append((batch.status, liveness.is_held(pending.pk)))
        write(read, context)

    monkeypatch.setattr(writer, "import_rows", watched)
    data = f"date;amount;inn;reference\n01.10.2026;100.00;{ALFA};r-1\n".encode()

    payments_import(file_name="b.csv", data=data, user=cast.admin, batch=pending)

    assert seen == [(ImportStatus.RUNNING, True)]
    assert liveness.is_held(pending.pk) is False


def test_the_batch_page_shows_an_import_whose_process_has_ended_as_failed(cast: Cast) -> None:
    # given a batch left running by a worker that was killed: nobody holds its lock
    batch = running_batch()
    http = signed_in(cast.admin)
    url = reverse("import_batch", args=[batch.pk])
    # when its page polls
    poll = http.get(url, HTTP_HX_REQUEST="true")
    # then the browser is told to reload, and the page says what happened
    assert poll["HX-Refresh"] == "true"
    page = http.get(url)
    assert page.context["in_progress"] is False
    assert LOST in page.content.decode()
    # but a page only reads: the worker records it
    batch.refresh_from_db()
    assert (batch.status, batch.errors) == (ImportStatus.RUNNING, [])
    assert import_batches_settle_lost() == 1
    batch.refresh_from_db()
    assert batch.status == ImportStatus.FAILED
    assert batch.finished_at is not None
    assert batch.errors == [{"line": 0, "field": "file", "message": LOST}]


def test_the_settle_command_records_only_lost_imports(cast: Cast) -> None:
    lost, alive = running_batch(), running_batch()
    with import_process(alive):
        call_command("settle_imports", verbosity=0)
        assert ImportBatch.objects.get(pk=alive.pk).status == ImportStatus.RUNNING
    assert ImportBatch.objects.get(pk=lost.pk).status == ImportStatus.FAILED


def test_a_living_import_stays_running_until_its_connection_ends(cast: Cast) -> None:
    batch = running_batch()
    http = signed_in(cast.admin)
    url = reverse("import_batch", args=[batch.pk])
    with import_process(batch):
        # while the worker's connection holds the lock, the import is running
        assert http.get(url).context["in_progress"] is True
        assert liveness.is_held(batch.pk) is True
        batch.refresh_from_db()
        assert batch.status == ImportStatus.RUNNING
    # when the worker's connection ends (the process died), so does the import
    assert let_go(batch)
    assert http.get(url).context["in_progress"] is False
    import_batches_settle_lost()
    batch.refresh_from_db()
    assert batch.status == ImportStatus.FAILED


def test_an_import_whose_worker_died_is_offered_again_and_runs(
    cast: Cast, django_capture_on_commit_callbacks: object
) -> None:
    # given a stored file whose worker was killed mid-import: running, nobody holds it
    ClientFactory(name="Alfa", inn=ALFA, department=cast.dept)
    data = f"date;amount;inn;reference\n02.03.2025;100.00;{ALFA};r-1\n".encode()
    lost = import_upload_store(
        file_name="march.csv", chunks=[data], size=len(data), fmt="auto", user=cast.admin
    )
    ImportBatch.objects.filter(pk=lost.pk).update(status=ImportStatus.RUNNING)
    http = signed_in(cast.admin)
    # when its page is looked at, it is failed and offers the file again
    page = http.get(reverse("import_batch", args=[lost.pk]))
    assert LOST in page.content.decode()
    assert page.context["can_retry"] is True
    # and running it again imports the stored file into a new batch
    with django_capture_on_commit_callbacks(execute=True):
        response = http.post(reverse("import_batch_retry", args=[lost.pk]))
    again = ImportBatch.objects.exclude(pk=lost.pk).get()
    assert response["Location"] == reverse("import_batch", args=[again.pk])
    assert again.status == ImportStatus.DONE
    assert list(Payment.objects.values_list("import_batch", "amount")) == [
        (again.pk, Decimal("100.00"))
    ]
    assert ImportBatch.objects.get(pk=lost.pk).status == ImportStatus.FAILED


def test_an_import_still_held_by_its_worker_cannot_be_marked_stopped(cast: Cast) -> None:
    # given a running import whose worker is alive (its connection holds the lock)
    alive = running_batch()
    with import_process(alive):
        # then the administrator cannot mark it stopped, nor so run its file twice
        with pytest.raises(ValidationError) as refused:
            import_batch_mark_stopped(user=cast.admin, batch=alive)
        assert refused.value.message_dict == {
            "status": ["This import is still running in its worker."]
        }
        alive.refresh_from_db()
        assert alive.status == ImportStatus.RUNNING
    # once its worker is gone, it can
    assert let_go(alive)
    assert import_batch_mark_stopped(user=cast.admin, batch=alive).status == ImportStatus.FAILED


def test_only_a_running_batch_is_settled(cast: Cast) -> None:
    done = running_batch()
    done.status = ImportStatus.DONE
    done.save()
    pending = ImportBatch.objects.create(file_name="p.csv", sha256="0" * 64, format="")

    assert import_batch_settle_if_lost(done).status == ImportStatus.DONE
    # a pending batch waits for a worker: it has no process to lose yet
    assert import_batch_settle_if_lost(pending).status == ImportStatus.PENDING
    assert ImportBatch.objects.get(pk=pending.pk).errors == []


def test_a_lost_import_no_longer_keeps_its_month_from_closing(cast: Cast) -> None:
    set_scheme(cast)
    pay_in(cast)
    lost = running_batch(first_date=dt.date(2026, 10, 20), last_date=dt.date(2026, 11, 3))
    period = services.period_open(department=cast.dept, month=OCTOBER)

    closed = services.period_close(
        user=cast.head.user, period=period, expected_version=period.version
    )

    assert closed.state == PeriodState.CLOSED
    # the close only reads it; the worker records it failed
    lost.refresh_from_db()
    assert lost.status == ImportStatus.RUNNING


def test_a_living_import_still_keeps_its_month_from_closing(cast: Cast) -> None:
    set_scheme(cast)
    pay_in(cast)
    alive = running_batch(first_date=dt.date(2026, 10, 20), last_date=dt.date(2026, 11, 3))
    period = services.period_open(department=cast.dept, month=OCTOBER)
    payments_before = Payment.objects.count()

    with import_process(alive), pytest.raises(WorkflowError, match=r"october\.csv"):
        services.period_close(user=cast.head.user, period=period, expected_version=period.version)

    period.refresh_from_db()
    assert period.state == PeriodState.OPEN
    alive.refresh_from_db()
    assert alive.status == ImportStatus.RUNNING
    assert Payment.objects.count() == payments_before


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_running_import_reports_its_progress_as_it_goes(
    cast: Cast, monkeypatch: pytest.MonkeyPatch
) -> None:
    # given a file of 5,000 rows (≈ 200 KB, read in 64 KiB blocks), a report every 1,000
    ClientFactory(name="Alfa", inn=ALFA, department=cast.dept)
    lines = ["date;amount;inn;reference"]
    lines += [f"01.10.2026;{n + 1}.00;{ALFA};reference-{n:08}" for n in range(5000)]
    monkeypatch.setattr(Progress, "EVERY_ROWS", 1000)
    monkeypatch.setattr(Progress, "EVERY_SECONDS", 0.0)
    seen = []
    report = Progress._report
    page = connection.copy()  # the batch page's, while the import's own is busy writing

    def watched(self: Progress, rows: int, stage: str) -> None:
        report(self, rows, stage)
        with page.cursor() as cursor:
            cursor.execute(
                "SELECT status, progress FROM payments_importbatch WHERE id = %s", [self.batch_id]
            )
            status, progress = cursor.fetchone()
            seen.append((status, json.loads(progress)))

    monkeypatch.setattr(Progress, "_report", watched)
    # when it is imported
    try:
        data = "\n".join(lines).encode()
        result = payments_import(file_name="a.csv", data=data, user=cast.admin)
    finally:
        page.close()
    # then every thousandth row was told, the share of the file growing, then the writing
    assert result.new == 5000
    reading = [progress for status, progress in seen if progress["stage"] == "reading"]
    assert [p["rows"] for p in reading] == [1000, 2000, 3000, 4000, 5000]
    percents = [p["percent"] for p in reading]
    assert percents == sorted(percents)
    assert 0 < percents[0] < percents[-1] <= 99
    assert seen[-1] == (ImportStatus.RUNNING, {"rows": 5000, "percent": 100, "stage": "writing"})
    # and none of it was written to a finished batch
    assert all(status == ImportStatus.RUNNING for status, _progress in seen)
    assert ImportBatch.objects.get(pk=result.batch.pk).status == ImportStatus.DONE


@pytest.mark.parametrize(
    ("progress", "shown"),
    [
        (
            {"rows": 120, "percent": 45, "stage": "reading"},
            "Reading and checking the file: 45 %, 120 rows so far.",
        ),
        (
            {"rows": 120, "percent": None, "stage": "reading"},
            "Reading and checking the file: 120 rows so far.",
        ),
        (
            {"rows": 120, "percent": 100, "stage": "writing"},
            "All 120 rows of the file are read and checked; writing the payments…",
        ),
        ({}, "Importing… the file is checked and written in one go"),
    ],
)
def test_the_batch_page_shows_the_progress_reported(cast: Cast, progress: dict, shown: str) -> None:
    batch = running_batch(progress=progress)
    with import_process(batch):
        poll = signed_in(cast.admin).get(
            reverse("import_batch", args=[batch.pk]), HTTP_HX_REQUEST="true"
        )
    assert poll.status_code == 200
    assert shown in poll.content.decode()


def test_the_progress_reads_in_russian(cast: Cast, settings: object) -> None:
    settings.LANGUAGE_CODE = "ru"
    batch = running_batch(progress={"rows": 120000, "percent": 45, "stage": "reading"})
    http = HttpClient(HTTP_ACCEPT_LANGUAGE="ru")
    http.force_login(cast.admin)
    with import_process(batch):
        poll = http.get(reverse("import_batch", args=[batch.pk]), HTTP_HX_REQUEST="true")
    assert "Файл читается и проверяется: 45 %, строк пока: 120\N{NO-BREAK SPACE}000." in (
        poll.content.decode()
    )
