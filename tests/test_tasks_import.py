"""Large uploads go to a background worker (the immediate task backend in tests).

The upload is stored in the database, the task imports it into a pending batch, the
batch page follows the job with htmx polling, and a job that fails half-way leaves no
payment behind and a failed batch that says why.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client as HttpClient
from django.urls import reverse
from django.utils import timezone

from payments import tasks as payments_tasks
from payments.importing.readers import READERS
from payments.importing.readers.csv_xlsx import read_csv
from payments.importing.rows import RawRow
from payments.models import (
    Client,
    ImportBatch,
    ImportFormat,
    ImportStatus,
    ImportUpload,
    Payment,
    UnmatchedPayment,
)
from payments.services import import_batch_mark_stopped
from payments.tasks import import_batch_retry, import_stored_upload, import_upload_store
from payments.uploads import UPLOAD_KEEP
from tests.factories import Cast, ClientFactory

FIXTURES = Path(__file__).parent / "fixtures"
ALFA, PETROV = "7701000019", "772300000344"


@pytest.fixture(autouse=True)
def _small_background_limit(settings: object) -> None:
    # Every file counts as large here, so the fixtures go through the worker.
    settings.IMPORT_BACKGROUND_BYTES = 100
    settings.LANGUAGE_CODE = "en"


@pytest.fixture
def clients(cast: Cast) -> None:
    ClientFactory(name="Alfa", inn=ALFA, department=cast.dept, responsible=cast.masha)
    ClientFactory(name="Petrov", inn=PETROV, department=cast.dept)


def signed_in(user: object) -> HttpClient:
    http = HttpClient(HTTP_ACCEPT_LANGUAGE="en")
    http.force_login(user)
    return http


def upload(http: HttpClient, name: str, data: bytes, capture: object) -> str:
    with capture(execute=True):
        response = http.post(
            reverse("import_upload"), {"file": SimpleUploadedFile(name, data), "format": "auto"}
        )
    assert response.status_code == 302, response.content.decode()[:500]
    return response["Location"]


def big_csv(rows: int) -> bytes:
    lines = ["date;amount;inn;reference"]
    lines += [f"0{n % 9 + 1}.03.2025;{n + 1}.00;{ALFA};r-{n}" for n in range(rows)]
    return "\n".join(lines).encode()


def test_a_large_statement_is_imported_by_the_worker(
    clients: None, cast: Cast, django_capture_on_commit_callbacks: object
) -> None:
    # given a signed-in manager and a statement above the background limit
    http = signed_in(cast.admin)
    data = (FIXTURES / "statement-1c-utf8.txt").read_bytes()
    # when it is uploaded
    location = upload(http, "statement.txt", data, django_capture_on_commit_callbacks)
    # then the worker has imported it into the batch the page shows
    batch = ImportBatch.objects.get()
    assert location == reverse("import_batch", args=[batch.pk])
    assert batch.status == ImportStatus.DONE
    assert batch.format == ImportFormat.ONEC
    assert (batch.new_count, batch.unmatched_count) == (2, 1)
    assert batch.created_by == cast.admin
    assert Payment.objects.filter(import_batch=batch).count() == 2
    assert UnmatchedPayment.objects.filter(batch=batch).count() == 1
    # and the stored bytes are gone, the page shows the result
    assert not ImportUpload.objects.exists()
    page = http.get(location)
    assert page.context["in_progress"] is False
    assert 'data-count="new">2<' in page.content.decode()


def test_the_stored_upload_is_cut_into_parts_and_hashed(
    cast: Cast, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(ImportUpload, "PART_BYTES", 10)
    batch = import_upload_store(
        file_name="f.csv", chunks=[b"a" * 15, b"b" * 10], size=25, fmt="auto", user=cast.admin
    )
    parts = list(batch.upload.parts.values_list("data", flat=True))
    assert [bytes(part) for part in parts] == [b"a" * 10, b"a" * 5 + b"b" * 5, b"b" * 5]
    assert len(batch.sha256) == 64
    assert batch.status == ImportStatus.PENDING


def test_the_batch_page_polls_while_the_job_waits(cast: Cast) -> None:
    # given a stored upload no worker has taken yet
    batch = import_upload_store(
        file_name="f.csv", chunks=[big_csv(3)], size=100, fmt="auto", user=cast.admin
    )
    http = signed_in(cast.admin)
    url = reverse("import_batch", args=[batch.pk])
    # then the page polls, and the poll answers with the progress alone
    assert 'hx-trigger="every 2s"' in http.get(url).content.decode()
    poll = http.get(url, HTTP_HX_REQUEST="true")
    assert 'id="import-progress"' in poll.content.decode()
    # when the worker has run, the poll asks the browser to reload the whole page
    import_stored_upload.enqueue(batch_id=batch.pk)
    assert http.get(url, HTTP_HX_REQUEST="true")["HX-Refresh"] == "true"


def test_a_job_no_worker_takes_says_so(cast: Cast) -> None:
    # given a stored upload no worker has taken
    batch = import_upload_store(
        file_name="f.csv", chunks=[big_csv(3)], size=100, fmt="auto", user=cast.admin
    )
    http = signed_in(cast.admin)
    url = reverse("import_batch", args=[batch.pk])
    stuck = "the background worker may not be running"
    # a minute on, it is simply waiting
    ImportBatch.objects.filter(pk=batch.pk).update(
        created_at=timezone.now() - dt.timedelta(minutes=1)
    )
    assert stuck not in http.get(url, HTTP_HX_REQUEST="true").content.decode()
    # three minutes on, the page says a worker may be missing
    ImportBatch.objects.filter(pk=batch.pk).update(
        created_at=timezone.now() - dt.timedelta(minutes=3)
    )
    assert stuck in http.get(url, HTTP_HX_REQUEST="true").content.decode()
    assert ImportBatch.objects.get(pk=batch.pk).status == ImportStatus.PENDING


def test_a_file_with_a_bad_row_is_rejected_by_the_worker(
    clients: None, cast: Cast, django_capture_on_commit_callbacks: object
) -> None:
    data = big_csv(5) + f"\n02.03.2025;abc;{ALFA};bad".encode()
    http = signed_in(cast.admin)
    page = http.get(upload(http, "bad.csv", data, django_capture_on_commit_callbacks))
    batch = ImportBatch.objects.get()
    assert batch.status == ImportStatus.REJECTED
    assert batch.errors == [{"line": 7, "field": "amount", "message": "abc is not an amount."}]
    assert not Payment.objects.exists()
    assert "abc is not an amount." in page.content.decode()


def test_a_job_failing_half_way_writes_nothing_and_says_why(
    clients: None,
    cast: Cast,
    monkeypatch: pytest.MonkeyPatch,
    django_capture_on_commit_callbacks: object,
) -> None:
    # given a reader that breaks after 1,200 of 1,500 rows (past the first written chunk)
    def breaking(stream: BinaryIO) -> Iterator[RawRow]:
        for number, row in enumerate(read_csv(stream)):
            if number == 1200:
                raise OSError("the disk went away")
            yield row

    monkeypatch.setitem(READERS, ImportFormat.CSV, breaking)
    http = signed_in(cast.admin)
    # when the worker runs the job
    page = http.get(upload(http, "big.csv", big_csv(1500), django_capture_on_commit_callbacks))
    # then nothing is written and the batch shows the failure with its error
    batch = ImportBatch.objects.get()
    assert batch.status == ImportStatus.FAILED
    assert not Payment.objects.exists()
    assert not Payment.history.exists()
    assert "OSError: the disk went away" in batch.errors[-1]["message"]
    assert "the disk went away" in page.content.decode()
    # and its file is kept, to be run again once the disk is back
    assert ImportUpload.objects.get().batch_id == batch.pk
    assert 'id="import-retry"' in page.content.decode()


def test_a_worker_stopped_mid_import_keeps_the_file(
    clients: None, cast: Cast, monkeypatch: pytest.MonkeyPatch
) -> None:
    # given a job whose worker is told to exit half-way through the file
    def exiting(stream: BinaryIO) -> Iterator[RawRow]:
        for number, row in enumerate(read_csv(stream)):
            if number == 1200:
                raise SystemExit(1)
            yield row

    monkeypatch.setitem(READERS, ImportFormat.CSV, exiting)
    batch = import_upload_store(
        file_name="big.csv", chunks=[big_csv(1500)], size=100, fmt="auto", user=cast.admin
    )
    with pytest.raises(SystemExit):
        import_stored_upload.call(batch_id=batch.pk)  # as the worker's process runs it
    # then nothing is written and the file waits for the batch to be run again
    assert not Payment.objects.exists()
    assert ImportUpload.objects.get().batch_id == batch.pk


def test_a_small_file_keeps_the_preview(
    clients: None, cast: Cast, settings: object, django_capture_on_commit_callbacks: object
) -> None:
    settings.IMPORT_BACKGROUND_BYTES = 5 * 1024 * 1024
    http = signed_in(cast.admin)
    location = upload(http, "small.csv", big_csv(3), django_capture_on_commit_callbacks)
    assert "/import/" in location
    assert not ImportBatch.objects.exists()


# --- an import whose worker died is run again from its stored file -------------------

NOT_AGAIN = (
    "Only an import that stopped before it finished, within a day, can be run again from "
    "its stored file."
)


def stopped_batch(cast: Cast, rows: int = 3) -> ImportBatch:
    """A stored upload whose worker never finished, marked stopped by an administrator."""
    batch = import_upload_store(
        file_name="march.csv", chunks=[big_csv(rows)], size=100, fmt="auto", user=cast.admin
    )
    return import_batch_mark_stopped(user=cast.admin, batch=batch)


def test_a_stopped_import_is_run_again_from_its_stored_file(
    clients: None, cast: Cast, django_capture_on_commit_callbacks: object
) -> None:
    # given an import stopped before it finished, its file still stored
    stopped = stopped_batch(cast)
    http = signed_in(cast.accountant.user)
    page = http.get(reverse("import_batch", args=[stopped.pk]))
    assert page.context["can_retry"] is True
    assert 'id="import-retry"' in page.content.decode()

    # when the accountant runs it again
    with django_capture_on_commit_callbacks(execute=True):
        response = http.post(reverse("import_batch_retry", args=[stopped.pk]))

    # then a new batch took the file, the worker imported it, and the page follows it
    again = ImportBatch.objects.exclude(pk=stopped.pk).get()
    assert response.status_code == 302
    assert response["Location"] == reverse("import_batch", args=[again.pk])
    assert again.status == ImportStatus.DONE
    assert (again.file_name, again.sha256) == ("march.csv", stopped.sha256)
    assert again.created_by == cast.accountant.user
    assert again.new_count == 3
    assert Payment.objects.filter(import_batch=again).count() == 3
    assert not ImportUpload.objects.exists()
    # and the stopped batch is left as the record of what happened
    stopped_now = ImportBatch.objects.get(pk=stopped.pk)
    assert stopped_now.status == ImportStatus.FAILED
    assert stopped_now.errors == stopped.errors
    assert (
        "The stored file is being imported again."
        in http.get(response["Location"]).content.decode()
    )


def test_only_a_stopped_import_with_its_file_is_run_again(clients: None, cast: Cast) -> None:
    # given a finished import (its file dropped) and a stopped one whose file is gone
    done = import_upload_store(
        file_name="done.csv", chunks=[big_csv(2)], size=100, fmt="auto", user=cast.admin
    )
    assert import_stored_upload.enqueue(batch_id=done.pk).return_value == {
        "status": ImportStatus.DONE,
        "new": 2,
    }
    stopped = stopped_batch(cast)
    ImportUpload.objects.filter(batch=stopped).delete()
    http = signed_in(cast.admin)

    for batch in (ImportBatch.objects.get(pk=done.pk), stopped):
        # then neither page offers it, and asking anyway is refused with the reason
        page = http.get(reverse("import_batch", args=[batch.pk]))
        assert page.context["can_retry"] is False
        assert 'id="import-retry"' not in page.content.decode()
        response = http.post(reverse("import_batch_retry", args=[batch.pk]), follow=True)
        assert NOT_AGAIN in response.content.decode()
        with pytest.raises(ValidationError) as refused:
            import_batch_retry(user=cast.admin, batch=batch)
        assert refused.value.message_dict == {"status": [NOT_AGAIN]}
    assert ImportBatch.objects.count() == 2


def test_a_stopped_import_is_run_again_once_and_within_a_day(
    clients: None, cast: Cast, django_capture_on_commit_callbacks: object
) -> None:
    # given a stopped import run again once, and one stopped a day and a minute ago
    once = stopped_batch(cast)
    with django_capture_on_commit_callbacks(execute=True):
        import_batch_retry(user=cast.admin, batch=once)
    late = stopped_batch(cast)
    ImportBatch.objects.filter(pk=late.pk).update(
        finished_at=timezone.now() - UPLOAD_KEEP - dt.timedelta(minutes=1)
    )
    http = signed_in(cast.admin)
    # then neither is offered or run again: the first file has moved on, the second
    # is past its day (though no upload has dropped it yet)
    for batch in (once, late):
        assert http.get(reverse("import_batch", args=[batch.pk])).context["can_retry"] is False
        with pytest.raises(ValidationError) as refused:
            import_batch_retry(user=cast.admin, batch=batch)
        assert refused.value.message_dict == {"status": [NOT_AGAIN]}
    assert ImportBatch.objects.count() == 3
    assert ImportUpload.objects.get().batch_id == late.pk


def test_a_job_whose_file_was_dropped_fails_its_batch_saying_so(cast: Cast) -> None:
    batch = import_upload_store(
        file_name="march.csv", chunks=[big_csv(2)], size=100, fmt="auto", user=cast.admin
    )
    ImportUpload.objects.all().delete()

    assert import_stored_upload.enqueue(batch_id=batch.pk).return_value == {"status": "failed"}
    batch.refresh_from_db()
    assert batch.status == ImportStatus.FAILED
    assert batch.errors == [
        {"line": 0, "field": "file", "message": "The stored file is gone; upload the file again."}
    ]


def test_a_job_whose_batch_was_taken_meanwhile_imports_nothing_and_keeps_the_file(
    clients: None, cast: Cast, monkeypatch: pytest.MonkeyPatch
) -> None:
    # given a job that read its batch as pending, which is then marked stopped before
    # the job takes it (or taken by another delivery of the same job)
    batch = import_upload_store(
        file_name="march.csv", chunks=[big_csv(3)], size=100, fmt="auto", user=cast.admin
    )
    spool = payments_tasks.upload_spool

    def spool_then_stop(upload: ImportUpload, file: BinaryIO) -> None:
        spool(upload, file)
        import_batch_mark_stopped(user=cast.admin, batch=batch)

    monkeypatch.setattr(payments_tasks, "upload_spool", spool_then_stop)
    # when the job runs
    assert import_stored_upload.enqueue(batch_id=batch.pk).return_value == {"status": "failed"}
    # then nothing was imported, the batch stays stopped, and its file can run again
    assert not Payment.objects.exists()
    batch.refresh_from_db()
    assert batch.status == ImportStatus.FAILED
    assert ImportUpload.objects.get().batch_id == batch.pk


def test_running_an_import_again_is_for_those_who_manage_payments(cast: Cast) -> None:
    stopped = stopped_batch(cast)
    with pytest.raises(PermissionDenied):
        import_batch_retry(user=cast.head.user, batch=stopped)
    assert ImportUpload.objects.get().batch_id == stopped.pk


def test_a_stopped_job_finishing_late_leaves_the_new_batch_its_file(
    clients: None, cast: Cast, monkeypatch: pytest.MonkeyPatch
) -> None:
    # given a job whose batch an administrator marks stopped and runs again while it
    # still runs (as when the worker's connection, and with it its lock, was lost)
    batch = import_upload_store(
        file_name="march.csv", chunks=[big_csv(3)], size=100, fmt="auto", user=cast.admin
    )
    taken_over: list[ImportBatch] = []

    def import_taken_over(**kwargs: object) -> object:
        import_batch_mark_stopped(user=cast.admin, batch=batch)
        taken_over.append(import_batch_retry(user=cast.admin, batch=batch))
        return type("Result", (), {"batch": None, "new": 0})()

    monkeypatch.setattr("payments.tasks.payments_import", import_taken_over)
    # when the first job ends
    import_stored_upload.enqueue(batch_id=batch.pk)
    # then the file it read is still there for the new batch
    [again] = taken_over
    assert ImportUpload.objects.get().batch_id == again.pk


def test_the_file_of_a_stopped_import_is_kept_for_a_day(cast: Cast) -> None:
    # given two stopped imports, one stopped a day and a minute ago, a done one whose
    # worker died before it dropped the file, and a waiting one
    old, recent, done = stopped_batch(cast), stopped_batch(cast), stopped_batch(cast)
    a_day_ago = timezone.now() - UPLOAD_KEEP - dt.timedelta(minutes=1)
    ImportBatch.objects.filter(pk=old.pk).update(finished_at=a_day_ago)
    ImportBatch.objects.filter(pk=done.pk).update(status=ImportStatus.DONE, finished_at=a_day_ago)
    waiting = import_upload_store(
        file_name="april.csv", chunks=[big_csv(2)], size=100, fmt="auto", user=cast.admin
    )
    ImportUpload.objects.filter(batch=waiting).update(
        created_at=timezone.now() - UPLOAD_KEEP - dt.timedelta(minutes=1)
    )
    # when the next file is uploaded
    newest = import_upload_store(
        file_name="may.csv", chunks=[big_csv(2)], size=100, fmt="auto", user=cast.admin
    )
    # then only the files of imports ended a day ago are dropped; their batches stay
    kept = set(ImportUpload.objects.values_list("batch_id", flat=True))
    assert kept == {recent.pk, waiting.pk, newest.pk}
    assert ImportBatch.objects.filter(pk=old.pk, status=ImportStatus.FAILED).exists()
    assert ImportBatch.objects.filter(pk=done.pk, status=ImportStatus.DONE).exists()
    with pytest.raises(ValidationError):
        import_batch_retry(user=cast.admin, batch=old)


# --- the admin's own import page -----------------------------------------------------


def test_a_large_file_uploaded_in_the_admin_is_imported_by_the_worker(
    clients: None, cast: Cast, django_capture_on_commit_callbacks: object
) -> None:
    # given a statement above the background limit, uploaded on the admin's import page
    http = signed_in(cast.admin)
    with (
        (FIXTURES / "statement-1c-utf8.txt").open("rb") as data,
        django_capture_on_commit_callbacks(execute=True),
    ):
        response = http.post(
            reverse("admin:payments_import_file"), {"file": data, "format": "auto"}
        )

    # then the request only stored it, the worker imported it, and the batch page follows
    batch = ImportBatch.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("import_batch", args=[batch.pk])
    assert batch.status == ImportStatus.DONE
    assert (batch.new_count, batch.unmatched_count) == (2, 1)
    assert batch.created_by == cast.admin
    assert not ImportUpload.objects.exists()


def test_the_admin_refuses_a_dry_run_of_a_large_file_at_its_field(
    clients: None, cast: Cast
) -> None:
    http = signed_in(cast.admin)
    with (FIXTURES / "statement-1c-utf8.txt").open("rb") as data:
        response = http.post(
            reverse("admin:payments_import_file"),
            {"file": data, "format": "auto", "dry_run": "on"},
        )

    assert response.status_code == 200
    assert response.context["form"].errors == {
        "dry_run": [
            "A file above 100\xa0bytes is imported in the background, at once: a file with "
            "any error saves nothing. Uncheck the dry run, or check the file with "
            "manage.py import_payments --dry-run."
        ]
    }
    assert not ImportBatch.objects.exists()
    assert not ImportUpload.objects.exists()
    assert not Payment.objects.exists()


def test_the_admin_client_list_screen_asks_for_smaller_files(cast: Cast) -> None:
    # clients have no streaming import: a list above the limit is to be split
    http = signed_in(cast.admin)
    before = Client.objects.count()
    data = b"name,inn\n" + b"".join(f"Client {n},{n:010d}\n".encode() for n in range(10))

    response = http.post(
        "/admin/payments/client/import/",
        {"resource": "0", "format": "0", "import_file": SimpleUploadedFile("clients.csv", data)},
    )

    assert response.status_code == 200
    assert response.context["form"].errors["import_file"] == [
        f"This file is {len(data)}\xa0bytes; this screen takes files up to 100\xa0bytes. "
        "Split it into smaller files."
    ]
    assert Client.objects.count() == before
