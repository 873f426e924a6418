"""The absences and hand-over pages: through the browser's forms, at constant queries."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client as WebClient
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.absences import absence_record
from accounts.models import Absence
from payments.assignments import client_reassign
from payments.models import Client
from tests.factories import PASSWORD, Cast, ClientFactory

AWAY, UNTIL = dt.date(2026, 11, 9), dt.date(2026, 11, 20)


@pytest.fixture
def head(cast: Cast) -> WebClient:
    browser = WebClient()
    browser.login(username=cast.head.user.username, password=PASSWORD)
    return browser


def _clients_of_olya(cast: Cast, count: int) -> list[Client]:
    clients = []
    for index in range(count):
        client = ClientFactory(department=cast.dept, name=f"Client {index:02d}")
        client_reassign(
            user=cast.admin, client=client, employee=cast.olya, on=dt.date(2026, 1, 1), reason=""
        )
        clients.append(client)
    return clients


def test_the_head_records_an_absence_on_the_page(cast: Cast, head: WebClient) -> None:
    response = head.post(
        reverse("absence_list"),
        {
            "employee": cast.olya.pk,
            "kind": "vacation",
            "started_on": "2026-11-09",
            "ended_on": "2026-11-20",
        },
    )

    assert response.status_code == 302
    assert Absence.objects.get().employee == cast.olya
    page = head.get(reverse("absence_list")).content.decode()
    assert "Olya Smirnova" in page
    assert "09.11.2026" in page


def test_an_overlap_is_shown_at_the_field_and_saves_nothing(cast: Cast, head: WebClient) -> None:
    absence_record(
        user=cast.admin, employee=cast.olya, kind="vacation", started_on=AWAY, ended_on=UNTIL
    )
    fields = {"employee": cast.olya.pk, "kind": "sick_leave"}
    response = head.post(
        reverse("absence_list"), {**fields, "started_on": "2026-11-20", "ended_on": "2026-11-21"}
    )

    assert response.status_code == 200
    assert "is already away from 09.11.2026 to 20.11.2026" in response.content.decode()
    assert Absence.objects.count() == 1


def test_a_bad_hr_file_lists_its_rows(cast: Cast, head: WebClient) -> None:
    data = f"personnel number,kind,from,to\n{cast.olya.personnel_number},holiday,2026-11-09,x\n"
    response = head.post(
        reverse("absence_import"),
        {"file": SimpleUploadedFile("hr.csv", data.encode())},
    )

    page = response.content.decode()
    assert response.status_code == 200
    assert "row 2, kind" in page
    assert "row 2, to" in page
    assert Absence.objects.count() == 0


def test_the_head_spreads_the_clients_on_the_cover_page(cast: Cast, head: WebClient) -> None:
    alfa, beta = _clients_of_olya(cast, 2)
    absence = absence_record(
        user=cast.admin, employee=cast.olya, kind="vacation", started_on=AWAY, ended_on=UNTIL
    )
    url = reverse("absence_cover", args=[absence.pk])

    response = head.post(
        url, {f"client_{alfa.pk}": cast.vasya.pk, f"client_{beta.pk}": cast.masha.pk}
    )

    assert response.status_code == 302
    assert alfa.assignments.get(started_on=AWAY).employee == cast.vasya
    assert beta.assignments.get(started_on=AWAY).employee == cast.masha
    # covered: nothing is left to hand over for this absence
    assert 'id="no-clients"' in head.get(url).content.decode()


def test_the_handover_page_hands_one_client_over_for_dates(cast: Cast, head: WebClient) -> None:
    (alfa,) = _clients_of_olya(cast, 1)
    url = reverse("client_handover", args=[alfa.pk])

    response = head.post(
        url,
        {
            "employee": cast.vasya.pk,
            "on": "2026-11-09",
            "until": "2026-11-20",
            "reason": "Olya at a fair",
        },
    )

    assert response.status_code == 302
    history = list(alfa.assignments.order_by("started_on").values_list("employee", "ended_on"))
    assert history == [
        (cast.olya.pk, dt.date(2026, 11, 8)),
        (cast.vasya.pk, UNTIL),
        (cast.olya.pk, None),
    ]


@pytest.mark.parametrize("name", ["absence_list", "absence_cover", "client_handover"])
def test_the_pages_read_in_constant_queries(cast: Cast, head: WebClient, name: str) -> None:
    def page_queries(count: int) -> int:
        clients = _clients_of_olya(cast, count)
        start = AWAY + dt.timedelta(days=30 * (count - 1))
        absence = absence_record(
            user=cast.admin,
            employee=cast.olya,
            kind="vacation",
            started_on=start,
            ended_on=start + dt.timedelta(days=3),
        )
        args = {"absence_cover": [absence.pk], "client_handover": [clients[0].pk]}.get(name, [])
        with CaptureQueriesContext(connection) as queries:
            assert head.get(reverse(name, args=args)).status_code == 200
        return len(queries)

    assert page_queries(1) == page_queries(5)
