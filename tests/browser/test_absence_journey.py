"""Olya is on leave 10 days, Vasya covers her clients, the head sees it and proposes.

In a real browser (Chromium), in Russian; ends with screenshots under
test-artifacts/screenshots/.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.urls import reverse

from accounts.models import Absence
from compensation import services
from compensation.models import ProposalLine
from payments.assignments import client_reassign
from payments.models import Payment
from payments.services import payment_record
from tests.browser.test_journeys import sign_in, submit
from tests.factories import Cast, ClientFactory, build_cast
from tests.test_workflow_helpers import OCTOBER, SPEC_MILESTONES

pytestmark = pytest.mark.django_db(transaction=True)
AWAY, UNTIL = dt.date(2026, 10, 5), dt.date(2026, 10, 16)  # ten working days


@pytest.fixture
def browser_context_args(browser_context_args: dict[str, Any]) -> dict[str, Any]:
    return {**browser_context_args, "locale": "ru-RU"}


@pytest.fixture
def people(transactional_db: None) -> Cast:
    return build_cast()


def _october(cast: Cast) -> Any:
    """October split by presence; Olya's client paid on a day she will turn out away."""
    services.scheme_create(
        user=cast.director.user,
        department=cast.dept,
        month=OCTOBER,
        plan="50000000.00",
        threshold="40000000.00",
        rate="0.005",
        head_share="0.40",
        milestones=SPEC_MILESTONES,
        split="by_presence",
    )
    client = ClientFactory(department=cast.dept, name="ООО «Альфа»")
    client_reassign(
        user=cast.admin, client=client, employee=cast.olya, on=dt.date(2026, 1, 1), reason=""
    )
    payment_record(
        user=cast.admin, client=client, amount="55000000.00", received_on=dt.date(2026, 10, 7)
    )
    return client


def test_olya_away_vasya_covers_the_head_sees_it_and_proposes(
    page: Any, live_server: Any, people: Cast, screenshot: Any
) -> None:
    cast = people
    client = _october(cast)

    # The head records Olya's leave on the absences page.
    sign_in(page, live_server, "ivan")
    page.goto(f"{live_server.url}{reverse('absence_list')}")
    page.select_option("#id_employee", str(cast.olya.pk))
    page.select_option("#id_kind", "vacation")
    page.fill("#id_started_on", AWAY.isoformat())
    page.fill("#id_ended_on", UNTIL.isoformat())
    submit(page, "form[action$='/absences/'] button[type=submit]")
    absence = Absence.objects.get()
    assert (absence.employee, absence.started_on, absence.ended_on) == (cast.olya, AWAY, UNTIL)

    # From the absence, he hands her client to Vasya for its dates.
    page.click(f"a[href='{reverse('absence_cover', args=[absence.pk])}']")
    page.wait_for_load_state("networkidle")
    page.select_option(f"#id_client_{client.pk}", str(cast.vasya.pk))
    screenshot("absence-1-cover")
    submit(page, f"form:has(#id_client_{client.pk}) button[type=submit]")
    # The payment of the 7th is Vasya's now; the client is Olya's again from the 17th.
    assert Payment.objects.get().responsible == cast.vasya
    assert client.assignments.get(started_on=UNTIL + dt.timedelta(days=1)).employee == cast.olya

    # The month is closed; on the proposal page the head sees who was there and who covered.
    period = services.period_open(department=cast.dept, month=OCTOBER)
    period = services.period_close(
        user=cast.head.user, period=period, expected_version=period.version
    )
    page.goto(f"{live_server.url}{reverse('proposal', args=[period.pk])}")
    olya_row = page.locator(f'#evidence [data-person="{cast.olya.personnel_number}"]')
    assert "12 из 22" in olya_row.inner_text()
    assert "Отпуск" in olya_row.inner_text()
    vasya_row = page.locator(f'#evidence [data-person="{cast.vasya.personnel_number}"]')
    assert "Olya Smirnova" in vasya_row.inner_text()

    # He proposes an award for Vasya for the cover.
    page.fill(f"#id_award_{cast.vasya.pk}", "5000")
    page.fill(f"#id_reason_{cast.vasya.pk}", "Вёл клиентов Ольги во время отпуска")
    screenshot("absence-2-proposal-evidence")
    submit(page, "#proposal-form button[type=submit]")
    line = ProposalLine.objects.get(revision__period=period, employee=cast.vasya)
    assert str(line.award) == "5000.00"
