"""The payments pages through Django's test client: list, entry, void, import."""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import uuid
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError, connection, transaction
from django.test import Client as HttpClient
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from payments import views as payments_views
from payments.models import (
    Client,
    ImportBatch,
    ImportUpload,
    ImportUploadPart,
    Payment,
    UnmatchedPayment,
)
from payments.uploads import UPLOAD_KEEP, preview_upload_claim, upload_spool
from payments.views import SESSION_KEY
from tests.factories import Cast, ClientFactory, PaymentFactory

FIXTURES = Path(__file__).parent / "fixtures"
ALFA, PETROV, VEKTOR = "7701000019", "772300000344", "5001000027"


@pytest.fixture(autouse=True)
def _english(settings: object) -> None:
    settings.LANGUAGE_CODE = "en"


@pytest.fixture
def clients(cast: Cast) -> dict[str, Client]:
    return {
        ALFA: ClientFactory(name="Alfa", inn=ALFA, department=cast.dept, responsible=cast.masha),
        PETROV: ClientFactory(name="Petrov", inn=PETROV, department=cast.dept),
    }


def signed_in(user: object) -> HttpClient:
    client = HttpClient(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(user)
    return client


def test_staff_see_their_department_payments_only(cast: Cast) -> None:
    # given a payment in each department
    mine = PaymentFactory(client=ClientFactory(name="Ours", department=cast.dept))
    PaymentFactory(client=ClientFactory(name="Theirs", department=cast.other))
    # when Masha opens the list
    response = signed_in(cast.masha.user).get(reverse("payment_list"))
    # then only her department's payment is there
    assert response.status_code == 200
    assert list(response.context["page"]) == [mine]
    assert "Theirs" not in response.content.decode()


def test_the_list_runs_a_fixed_number_of_queries(
    cast: Cast, django_assert_max_num_queries: object
) -> None:
    client = ClientFactory(department=cast.dept)
    http = signed_in(cast.accountant.user)
    PaymentFactory.create_batch(3, client=client)
    with django_assert_max_num_queries(9):
        small = http.get(reverse("payment_list"))
    PaymentFactory.create_batch(120, client=client)
    with django_assert_max_num_queries(9):
        large = http.get(reverse("payment_list"))
    assert small.status_code == large.status_code == 200
    page = large.context["page"]
    assert len(page) == 50
    assert page.has_next


def test_the_list_is_read_in_index_order_never_sorted(cast: Cast) -> None:
    # given payments on a few days (a large company's day holds thousands)
    client = ClientFactory(department=cast.dept)
    for day in (1, 2, 3):
        PaymentFactory.create_batch(3, client=client, received_on=dt.date(2026, 10, day))
    http = signed_in(cast.accountant.user)
    with CaptureQueriesContext(connection) as captured:
        assert http.get(reverse("payment_list")).status_code == 200
    (listing,) = [
        q["sql"] for q in captured.captured_queries if 'FROM "payments_payment"' in q["sql"]
    ]
    # when PostgreSQL plans it with scans and sorts discouraged (the table is tiny here):
    # a sort then stays in the plan only if no index gives the order
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_sort = off")
        cursor.execute("EXPLAIN " + listing.replace("%", "%%"))
        plan = "\n".join(row[0] for row in cursor.fetchall())
    # then the newest-first page comes straight off the date-and-id index, with no sort
    assert "payment_date_id_idx" in plan, plan
    assert "Sort" not in plan, plan


def test_the_list_filters_by_department_and_links_each_row(cast: Cast) -> None:
    # given a payment in each department
    ours = PaymentFactory(client=ClientFactory(name="Ours", department=cast.dept))
    theirs = PaymentFactory(client=ClientFactory(name="Theirs", department=cast.other))
    http = signed_in(cast.accountant.user)
    # when the accountant picks the other department
    response = http.get(reverse("payment_list"), {"department": cast.other.pk})
    # then only its payment is listed, the choice is kept, the row links to its void page
    page = response.content.decode()
    assert list(response.context["page"]) == [theirs]
    assert f'<option value="{cast.other.pk}" selected>{cast.other.name}</option>' in page
    assert f'<option value="{cast.dept.pk}">{cast.dept.name}</option>' in page
    assert reverse("payment_void", args=[theirs.pk]) in page
    assert reverse("payment_void", args=[ours.pk]) not in page
    assert "Manual entry" in page


def test_a_bad_filter_value_is_reported_at_its_field(cast: Cast) -> None:
    response = signed_in(cast.accountant.user).get(
        reverse("payment_list"), {"received_from": "not a date"}
    )
    assert response.status_code == 200
    assert '<span class="invalid-feedback d-block"><strong>Enter a valid date.' in (
        response.content.decode()
    )


def test_a_payment_is_recorded_by_hand(clients: dict, cast: Cast) -> None:
    http = signed_in(cast.admin)
    response = http.post(
        reverse("payment_create"),
        {"client": clients[ALFA].pk, "amount": "1234.50", "received_on": "2026-11-02"},
    )
    assert response.status_code == 302
    payment = Payment.objects.get()
    assert payment.amount == Decimal("1234.50")
    assert payment.department == cast.dept
    assert payment.responsible == cast.masha


@pytest.mark.parametrize(
    ("amount", "received_on", "field", "message"),
    [
        ("-5", "2026-11-02", "amount", "greater than or equal to 0.01"),
        ("10.005", "2026-11-02", "amount", "no more than 2 decimal places"),
        (
            "1000000000000",
            "2026-11-02",
            "amount",
            "no more than 12 digits before the decimal point",
        ),
        ("100", "2099-01-01", "received_on", "in the future"),
        ("100", "1999-12-31", "received_on", "before 01.01.2000"),
    ],
)
def test_a_bad_manual_payment_is_refused_by_the_field(
    clients: dict, cast: Cast, amount: str, received_on: str, field: str, message: str
) -> None:
    response = signed_in(cast.admin).post(
        reverse("payment_create"),
        {"client": clients[ALFA].pk, "amount": amount, "received_on": received_on},
    )
    assert response.status_code == 200
    assert message in " ".join(response.context["form"].errors[field])
    assert not Payment.objects.exists()


def test_staff_cannot_record_payments(clients: dict, cast: Cast) -> None:
    response = signed_in(cast.masha.user).post(
        reverse("payment_create"),
        {"client": clients[ALFA].pk, "amount": "100", "received_on": "2026-11-02"},
    )
    assert response.status_code == 403
    assert not Payment.objects.exists()


def test_a_payment_is_voided_with_a_reason(clients: dict, cast: Cast) -> None:
    payment = PaymentFactory(client=clients[ALFA], received_on=dt.date(2026, 11, 3))
    http = signed_in(cast.accountant.user)
    refused = http.post(reverse("payment_void", args=[payment.pk]), {"reason": ""})
    assert refused.status_code == 200
    assert "reason" in refused.context["form"].errors
    http.post(reverse("payment_void", args=[payment.pk]), {"reason": "Bank reversed it"})
    payment.refresh_from_db()
    assert payment.is_void
    assert payment.void_reason == "Bank reversed it"
    assert payment.voided_by == cast.accountant.user


def _upload(http: HttpClient, name: str, content: bytes | None = None) -> str:
    data = content if content is not None else (FIXTURES / name).read_bytes()
    response = http.post(
        reverse("import_upload"),
        {"file": SimpleUploadedFile(name, data), "format": "auto"},
    )
    assert response.status_code == 302, response.content.decode()[:500]
    return response["Location"]


def test_an_import_is_previewed_then_confirmed(clients: dict, cast: Cast) -> None:
    # given a statement with two known payers and one unknown
    http = signed_in(cast.admin)
    preview_url = _upload(http, "statement-1c-utf8.txt")
    # when the preview is shown
    preview = http.get(preview_url)
    # then it counts without saving anything
    assert preview.context["preview"]["new"] == 2
    assert preview.context["preview"]["unmatched"] == 1
    assert not Payment.objects.exists()
    # when confirmed
    token = re.search(r"import/([0-9a-f]+)/", preview_url).group(1)
    done = http.post(reverse("import_confirm", args=[token]))
    batch = ImportBatch.objects.get()
    assert done["Location"] == reverse("import_batch", args=[batch.pk])
    assert Payment.objects.count() == 2
    assert batch.unmatched_count == 1
    # and the unknown payer can be assigned from the batch page
    vektor = ClientFactory(name="Vektor", inn=VEKTOR, department=cast.dept)
    page = http.get(done["Location"])
    unmatched = UnmatchedPayment.objects.get()
    assert unmatched in page.context["unmatched"]
    http.post(reverse("unmatched_assign", args=[unmatched.pk]), {"client": vektor.pk})
    assert Payment.objects.filter(client=vektor, amount=Decimal("240000.00")).exists()


def test_a_file_with_a_bad_row_is_shown_and_nothing_is_saved(clients: dict, cast: Cast) -> None:
    http = signed_in(cast.admin)
    content = (
        b"date,amount,client,reference\n"
        b"2026-11-02,100.00,7701000019,a\n"
        b"2026-11-03,abc,7701000019,b\n"
    )
    preview_url = _upload(http, "bad.csv", content)
    preview = http.get(preview_url)
    errors = preview.context["preview"]["errors"]
    assert [(e["line"], e["field"]) for e in errors] == [(3, "amount")]
    assert "Import</button>" not in preview.content.decode()
    token = re.search(r"import/([0-9a-f]+)/", preview_url).group(1)
    http.post(reverse("import_confirm", args=[token]))
    assert not Payment.objects.exists()


def test_another_users_preview_token_is_not_found(clients: dict, cast: Cast) -> None:
    preview_url = _upload(signed_in(cast.admin), "statement-1c-utf8.txt")
    assert signed_in(cast.accountant.user).get(preview_url).status_code == 404


# --- the file between its preview and its confirmation -----------------------------------


def _token(preview_url: str) -> str:
    return re.search(r"import/([0-9a-f]+)/", preview_url).group(1)


def test_a_previewed_file_waits_in_the_database_not_on_a_servers_disk(
    clients: dict, cast: Cast
) -> None:
    # given a statement uploaded for its preview
    content = (FIXTURES / "statement-1c-utf8.txt").read_bytes()
    http = signed_in(cast.admin)
    token = _token(_upload(http, "statement-1c-utf8.txt", content))

    # then its bytes are kept in the database, under its uploader, for whichever web
    # process answers the confirmation
    stored = ImportUpload.objects.get(token=uuid.UUID(hex=token))
    assert stored.created_by == cast.admin
    assert stored.batch is None
    assert stored.size == len(content)
    assert b"".join(bytes(part.data) for part in stored.parts.order_by("number")) == content

    # and once the import is confirmed, it is imported from there and the copy is gone
    http.post(reverse("import_confirm", args=[token]))
    assert Payment.objects.count() == 2
    assert ImportBatch.objects.get().sha256 == hashlib.sha256(content).hexdigest()
    assert not ImportUpload.objects.exists()
    assert not ImportUploadPart.objects.exists()


def test_a_cancelled_preview_saves_nothing_and_drops_the_file(clients: dict, cast: Cast) -> None:
    http = signed_in(cast.admin)
    token = _token(_upload(http, "statement-1c-utf8.txt"))

    response = http.post(reverse("import_confirm", args=[token]), {"cancel": "1"}, follow=True)

    assert "The import was cancelled; nothing was saved." in response.content.decode()
    assert not Payment.objects.exists()
    assert not ImportBatch.objects.exists()
    assert not ImportUpload.objects.exists()
    # and the preview is gone for good
    assert http.get(reverse("import_preview", args=[token])).status_code == 404


def test_a_preview_taken_by_another_request_first_is_not_imported_twice(
    clients: dict, cast: Cast, monkeypatch: pytest.MonkeyPatch
) -> None:
    # given a second click on "Import": another request claims the file while this one
    # is reading it back
    http = signed_in(cast.admin)
    token = _token(_upload(http, "statement-1c-utf8.txt"))

    def spool_then_lose(upload: ImportUpload, spool: object) -> None:
        upload_spool(upload, spool)
        assert preview_upload_claim(upload) is True  # the other request wins

    monkeypatch.setattr(payments_views, "upload_spool", spool_then_lose)

    # when this request goes on to import it
    response = http.post(reverse("import_confirm", args=[token]), follow=True)

    # then it says so and imports nothing
    assert "This file no longer waits to be imported" in response.content.decode()
    assert not Payment.objects.exists()
    assert not ImportBatch.objects.exists()


def test_a_cancel_that_loses_to_an_import_does_not_say_cancelled(
    clients: dict, cast: Cast, monkeypatch: pytest.MonkeyPatch
) -> None:
    # given "Cancel" in one tab while "Import" in another has just taken the file
    http = signed_in(cast.admin)
    token = _token(_upload(http, "statement-1c-utf8.txt"))
    found = payments_views.preview_upload

    def found_then_taken(key: str, user: object) -> ImportUpload | None:
        upload = found(key, user)
        assert upload is not None
        assert preview_upload_claim(upload) is True
        return upload

    monkeypatch.setattr(payments_views, "preview_upload", found_then_taken)

    # when the cancel goes on
    response = http.post(reverse("import_confirm", args=[token]), {"cancel": "1"}, follow=True)

    # then it does not claim a cancellation that did not happen
    page = response.content.decode()
    assert "The import was cancelled" not in page
    assert "This file no longer waits to be imported" in page


def test_a_preview_older_than_a_day_cannot_be_confirmed(clients: dict, cast: Cast) -> None:
    # given a preview left waiting past its day, not dropped yet (nobody uploaded since)
    http = signed_in(cast.admin)
    token = _token(_upload(http, "statement-1c-utf8.txt"))
    ImportUpload.objects.update(created_at=timezone.now() - UPLOAD_KEEP - dt.timedelta(minutes=1))

    # when its page is opened and it is confirmed
    page = http.get(reverse("import_preview", args=[token]), follow=True)
    done = http.post(reverse("import_confirm", args=[token]), follow=True)

    # then neither shows nor imports it
    assert page.redirect_chain == [(reverse("import_upload"), 302)]
    assert "it waited for more than a day" in page.content.decode()
    assert done.status_code == 404  # the page let it go: nothing is left to confirm
    assert not Payment.objects.exists()
    assert not ImportBatch.objects.exists()


def test_a_dry_run_that_fails_leaves_no_file_waiting(
    clients: dict, cast: Cast, monkeypatch: pytest.MonkeyPatch
) -> None:
    def failing(**kwargs: object) -> None:
        raise RuntimeError("the database went away")

    monkeypatch.setattr(payments_views, "payments_import", failing)
    http = signed_in(cast.admin)

    with pytest.raises(RuntimeError, match="went away"):
        _upload(http, "statement-1c-utf8.txt")

    assert not ImportUpload.objects.exists()
    assert not ImportUploadPart.objects.exists()


def test_a_preview_left_waiting_is_dropped_by_a_later_upload(clients: dict, cast: Cast) -> None:
    # given a preview nobody confirmed, uploaded longer ago than previews are kept, and one
    # from an hour ago
    http = signed_in(cast.admin)
    old = _token(_upload(http, "statement-1c-utf8.txt"))
    recent = _token(_upload(signed_in(cast.accountant.user), "statement-1c-utf8.txt"))
    now = timezone.now()
    ImportUpload.objects.filter(token=uuid.UUID(hex=old)).update(
        created_at=now - UPLOAD_KEEP - dt.timedelta(minutes=1)
    )
    ImportUpload.objects.filter(token=uuid.UUID(hex=recent)).update(
        created_at=now - dt.timedelta(hours=1)
    )

    # when anyone uploads another file
    newest = _token(_upload(http, "statement-1c-utf8.txt"))

    # then the old one is gone, parts and all, and the others wait on
    tokens = {upload.token.hex for upload in ImportUpload.objects.all()}
    assert tokens == {recent, newest}
    assert set(ImportUploadPart.objects.values_list("upload__token", flat=True)) == {
        uuid.UUID(hex=recent),
        uuid.UUID(hex=newest),
    }
    page = http.get(reverse("import_preview", args=[old]), follow=True)
    assert page.redirect_chain == [(reverse("import_upload"), 302)]
    assert "it waited for more than a day" in page.content.decode()


@pytest.mark.parametrize("token", ["not-a-token", "0" * 32, "f" * 31])
def test_a_preview_address_that_names_nothing_is_not_found(cast: Cast, token: str) -> None:
    http = signed_in(cast.admin)

    assert http.get(reverse("import_preview", args=[token])).status_code == 404
    assert http.post(reverse("import_confirm", args=[token])).status_code == 404


def test_another_users_preview_cannot_be_confirmed_even_with_its_session_entry(
    clients: dict, cast: Cast
) -> None:
    # given the admin's preview, and the accountant's session holding its token too
    token = _token(_upload(signed_in(cast.admin), "statement-1c-utf8.txt"))
    accountant = signed_in(cast.accountant.user)
    session = accountant.session
    session[SESSION_KEY] = {token: {"fmt": "auto", "file_name": "x.txt"}}
    session.save()

    # when the accountant confirms it
    response = accountant.post(reverse("import_confirm", args=[token]))

    # then it is not theirs to confirm: nothing is imported and the file still waits
    assert response.status_code == 302
    assert response["Location"] == reverse("import_upload")
    assert not Payment.objects.exists()
    assert not ImportBatch.objects.exists()
    assert ImportUpload.objects.filter(token=uuid.UUID(hex=token)).exists()


def test_an_upload_waits_either_for_a_worker_or_for_a_preview(cast: Cast) -> None:
    # neither a batch nor a token: nobody could ever take it
    with pytest.raises(IntegrityError), transaction.atomic():
        ImportUpload.objects.create(created_by=cast.admin, requested_format="auto", size=1)
    # a preview must name who may confirm it
    with pytest.raises(IntegrityError), transaction.atomic():
        ImportUpload.objects.create(token=uuid.uuid4(), requested_format="auto", size=1)


def test_an_upload_spooled_to_disk_by_django_is_previewed_and_imported(
    clients: dict, cast: Cast, settings: object
) -> None:
    # given uploads that Django writes to a temporary file (above its in-memory size)
    settings.FILE_UPLOAD_MAX_MEMORY_SIZE = 0
    http = signed_in(cast.admin)

    token = _token(_upload(http, "statement-1c-utf8.txt"))
    preview = http.get(reverse("import_preview", args=[token]))
    http.post(reverse("import_confirm", args=[token]))

    assert preview.context["preview"]["new"] == 2
    assert Payment.objects.count() == 2
