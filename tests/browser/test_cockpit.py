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


MORE_WORDS = {
    "ru": {
        "band": "прогноз: только обещания … всё ожидаемое",
        "band_table": "Прогноз в виде таблицы",
        "history": "Обещания клиента Alpha",
        "broken": "✗ нарушено",
        "check": "Проверить файл",
        "preview": "Новых счетов к записи: 1; уже учтено: 0.",
        "import": "Загрузить",
        "new_invoices": "Новых счетов",
    },
    "en": {
        "band": "forecast: promises only … everything expected",
        "band_table": "The forecast band as a table",
        "history": "Promises of Alpha",
        "broken": "✗ broken",
        "check": "Check the file",
        "preview": "1 new invoices to record; 0 recorded already.",
        "import": "Import",
        "new_invoices": "New invoices",
    },
}


def test_the_head_reads_the_forecast_band_and_a_clients_promise_history(
    page: Any, live_server: Any, october: Cast, language: str
) -> None:
    words = MORE_WORDS[language]
    alpha = Invoice.objects.get(number="101").client
    Promise.objects.create(
        client=alpha,
        called_on=dt.date(2026, 10, 6),
        promised_on=dt.date(2026, 10, 8),
        amount=Decimal("1000000.00"),
        recorded_by=october.masha.user,
    )
    sign_in(page, live_server, "ivan")
    page.goto(
        f"{live_server.url}{reverse('department_dashboard', args=[october.dept.pk, OCTOBER])}"
    )

    # the chart: the band drawn and labelled, its figures in a table of their own
    assert page.locator("#chart-heading ~ figure polygon.forecast-band").count() == 1
    assert words["band"] in page.inner_text("#chart-heading ~ figure figcaption")
    page.click(f"text={words['band_table']}")
    assert page.locator("#forecast-table tbody tr").count() == 22  # the 10th … the 31st

    # from what clients still owe to Alpha's promises: the one of the 8th was broken
    submit(page, f"text={WORDS[language]['owed']}")
    submit(page, "main table >> text=Alpha")
    assert words["history"] in page.inner_text("h1")
    assert words["broken"] in page.inner_text("#promise-history")
    assert "Masha Ivanova" in page.inner_text("#promise-history")


def test_the_accountant_imports_invoices_and_reads_the_batch(
    page: Any, live_server: Any, october: Cast, language: str
) -> None:
    words = MORE_WORDS[language]
    beta = ClientFactory(name="Beta", department=october.dept)
    data = f"ИНН;Номер;Дата;Сумма;Срок оплаты\n{beta.inn};B-1;02.10.2026;1 500,50;12.10.2026\n"
    sign_in(page, live_server, "anna")
    page.goto(f"{live_server.url}{reverse('invoice_upload')}")

    page.set_input_files(
        "#id_file", {"name": "october.csv", "mimeType": "text/csv", "buffer": data.encode()}
    )
    page.select_option("#id_format", "csv")
    submit(page, f"text={words['check']}")
    assert words["preview"] in page.inner_text("#invoice-preview")
    assert not Invoice.objects.filter(client=beta).exists()
    submit(page, f"main form button.btn-primary >> text={words['import']}")

    assert "/batches/" in page.url
    assert words["new_invoices"] in page.inner_text("#import-counts")
    assert page.inner_text("[data-count=new]") == "1"
    assert Invoice.objects.get(client=beta).amount == Decimal("1500.50")


PAGE_WORDS = {
    "ru": {"to_call": "Позвонить 53 клиентам", "next": "Вперёд", "page": "Страница 2 из 2"},
    "en": {"to_call": "53 clients to call", "next": "Next", "page": "Page 2 of 2"},
}


def test_masha_pages_through_a_long_call_list_and_outstanding_list(
    page: Any, live_server: Any, october: Cast, language: str
) -> None:
    words = PAGE_WORDS[language]
    # 52 more clients owing, the smallest debt last: "Owing 000" owes 100,000
    for n in range(52):
        client = ClientFactory(name=f"Owing {n:03}", department=october.dept)
        Invoice.objects.create(
            client=client,
            month=OCTOBER,
            number=f"P{n}",
            issued_on=dt.date(2026, 10, 1),
            due_on=dt.date(2026, 10, 20),
            amount=Decimal(100_000 + n * 1000),
        )
    sign_in(page, live_server, "masha")
    page.goto(f"{live_server.url}{reverse('cockpit_calls', args=[october.dept.pk, OCTOBER])}")

    # every client counted, fifty of them shown, the largest (Alpha) first
    assert words["to_call"] in page.inner_text("#calls-total")
    assert page.locator("#call-list tbody tr").count() == 50
    assert "Alpha" in page.inner_text("#call-list tbody tr:first-child")
    submit(page, f"nav[aria-label] >> text={words['next']}")
    assert words["page"] in page.inner_text("main")
    assert page.locator("#call-list tbody tr").count() == 3
    assert "Owing 000" in page.inner_text("#call-list tbody tr:last-child")
    # the form offers the clients of this page, and records a promise for one of them
    assert page.locator("#id_client option[value]").count() == 3
    page.select_option("#id_client", label="Owing 000")
    page.fill("#id_promised_on", "2026-10-21")
    page.fill("#id_amount", "1000")
    submit(page, f"text={WORDS[language]['record']}")
    assert Promise.objects.get().client.name == "Owing 000"

    page.goto(f"{live_server.url}{reverse('cockpit_outstanding', args=[october.dept.pk, OCTOBER])}")
    assert "Owing 000" not in page.inner_text("main table")
    submit(page, f"nav[aria-label] >> text={words['next']}")
    assert "Owing 000" in page.inner_text("main")
    assert "Alpha" not in page.inner_text("main section")
