"""Guards found in review: the admin and the pages never show or change what they must not."""

from __future__ import annotations

import datetime as dt

from django.test import Client as HttpClient
from django.urls import reverse

from compensation import exports, services
from compensation.models import PayLine
from payments.models import ImportBatch, ImportStatus, Payment
from tests.factories import Cast, ClientFactory, PaymentFactory
from tests.test_workflow_helpers import approved_october


def signed_in(user: object) -> HttpClient:
    client = HttpClient(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(user)
    return client


def test_the_admin_site_shows_no_ones_pay(cast: Cast) -> None:
    approved_october(cast)
    assert PayLine.objects.count() == 4
    page = signed_in(cast.admin).get(reverse("admin:compensation_payline_changelist"))
    assert page.status_code == 200
    assert page.context["cl"].result_count == 0
    proposals = signed_in(cast.admin).get(reverse("admin:compensation_proposalline_changelist"))
    assert proposals.context["cl"].result_count == 0


def test_payments_cannot_be_changed_in_the_admin(cast: Cast) -> None:
    payment = PaymentFactory(client=ClientFactory(department=cast.dept))
    url = reverse("admin:payments_payment_change", args=[payment.pk])
    response = signed_in(cast.admin).post(url, {"amount": "1.00", "client": payment.client_id})
    payment.refresh_from_db()
    assert response.status_code == 403
    assert payment.amount != 1
    assert signed_in(cast.admin).get(reverse("admin:payments_payment_add")).status_code == 403
    assert Payment.objects.count() == 1


def test_the_proposal_of_an_open_month_is_not_a_server_error(cast: Cast) -> None:
    period = services.period_open(department=cast.dept, month=dt.date(2026, 11, 1))
    http = signed_in(cast.head.user)
    assert http.get(reverse("proposal", args=[period.pk])).status_code == 302
    assert http.post(reverse("proposal_preview", args=[period.pk]), {}).status_code == 404


def test_the_zup_csv_takes_names_cp1251_cannot_spell(cast: Cast) -> None:
    cast.masha.full_name = "Мария Müller-Әлиева"
    cast.masha.save()
    period = approved_october(cast)
    revision = period.revisions.get()
    content = exports.to_csv(exports.ZUP, revision, list(revision.pay_lines.order_by("order")))
    assert "Мария M?ller-?лиева" in content.decode("cp1251")


def test_an_approved_revision_stays_exportable_after_a_reopen(cast: Cast) -> None:
    # given October approved, then reopened for a correction (revision 2 in progress)
    period = approved_october(cast)
    services.period_reopen(
        user=cast.director.user,
        period=period,
        expected_version=period.version,
        reason="Vasya's deduction is disputed",
    )
    accountant = signed_in(cast.accountant.user)
    # then revision 1 is still listed and its file still downloads
    listed = accountant.get(reverse("payroll")).context["revisions"]
    assert [(r.period_id, r.number) for r in listed] == [(period.pk, 1)]
    url = reverse("payroll_export", args=[period.pk, 1, "standard", "csv"])
    assert accountant.post(url).status_code == 200


def test_an_import_whose_process_died_can_be_marked_stopped(cast: Cast) -> None:
    batch = ImportBatch.objects.create(
        file_name="dead.txt", sha256="0" * 64, format="1c", status=ImportStatus.RUNNING
    )
    response = signed_in(cast.admin).post(
        reverse("admin:payments_importbatch_changelist"),
        {"action": "mark_stopped", "_selected_action": [batch.pk]},
    )
    assert response.status_code == 302
    batch.refresh_from_db()
    assert batch.status == ImportStatus.FAILED
    assert batch.errors[-1]["message"] == "Marked as stopped by an administrator."
