"""The collections cockpit in a real browser, in Russian and English: Masha walks what
clients still owe, records a promise on the call list and tries the what-if."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from payments.models import Invoice, Promise
from tests.browser.test_journeys import sign_in, submit
from tests.factories import Cast, ClientFactory, PaymentFactory, build_cast
from tests.test_workflow_helpers import OCTOBER, set_scheme

pytestmark = pytest.mark.django_db(transaction=True)
TODAY = dt.date(2026, 10, 10)
WORDS = {
    "ru": {
        "owed": "Что ещё должны клиенты",
        "calls": "Список обзвона",
        "record": "Позвонили: записать обещание",
        "forecast": "прогноз",
        "needed": "Осталось собрать к 15-му числу",
    },
    "en": {
        "owed": "What clients still owe",
        "calls": "Call list",
        "record": "Called: record the promise",
        "forecast": "forecast",
        "needed": "Still needed by the 15th",
    },
}


@pytest.fixture(params=["ru", "en"])
def language(request: pytest.FixtureRequest) -> str:
    return request.param


@pytest.fixture
def browser_context_args(browser_context_args: dict[str, Any], language: str) -> dict[str, Any]:
    return {**browser_context_args, "locale": "ru-RU" if language == "ru" else "en-US"}


@pytest.fixture
def october(transactional_db: None, monkeypatch: pytest.MonkeyPatch) -> Cast:
    monkeypatch.setattr(timezone, "localdate", lambda *args: TODAY)
    cast = build_cast()
    set_scheme(cast)
    alpha = ClientFactory(
        name="Alpha", department=cast.dept, responsible=cast.masha, contact="Irina, +7 900"
    )
    PaymentFactory(client=alpha, received_on=dt.date(2026, 10, 5), amount=Decimal("20000000.00"))
    Invoice.objects.create(
        client=alpha,
        month=OCTOBER,
        number="101",
        issued_on=dt.date(2026, 10, 1),
        due_on=dt.date(2026, 10, 5),
        amount=Decimal("30000000.00"),
    )
    return cast


def test_masha_walks_the_cockpit(page: Any, live_server: Any, october: Cast, language: str) -> None:
    words = WORDS[language]
    sign_in(page, live_server, "masha")
    page.goto(
        f"{live_server.url}{reverse('department_dashboard', args=[october.dept.pk, OCTOBER])}"
    )
    assert words["forecast"] in page.inner_text("#forecast")
    assert "Alpha" in page.inner_text("#own-part")

    # what clients still owe
    submit(page, f"text={words['owed']}")
    assert "Alpha" in page.inner_text("main")
    assert "Masha Ivanova" in page.inner_text("main")

    # the call list: a promise recorded and shown
    submit(page, f"nav >> text={words['calls']}")
    assert "Irina, +7 900" in page.inner_text("#call-list")
    page.select_option("#id_client", label="Alpha")
    page.fill("#id_promised_on", "2026-10-14")
    page.fill("#id_amount", "5000000")
    submit(page, f"text={words['record']}")
    assert Promise.objects.get().amount == Decimal("5000000.00")
    assert "14" in page.inner_text("#call-list")

    # the what-if, through htmx: the table replaces the empty result in place
    page.goto(
        f"{live_server.url}{reverse('department_dashboard', args=[october.dept.pk, OCTOBER])}"
    )
    page.fill("#id_amount", "30000000")
    page.fill("#id_by", "2026-10-15")
    page.click("#what-if-form button[type=submit]")
    page.wait_for_selector("#what-if-result table")
    assert words["needed"] in page.inner_text("#what-if-result")
    assert "/what-if/" not in page.url
