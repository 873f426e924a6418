"""What the pages say, in Russian, in a real browser: months in words, one word for the
threshold, names instead of codes, round chart axes, the import's dry run."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.urls import reverse

from compensation import services
from payments.models import ImportBatch, Payment, Source, UnmatchedPayment
from tests.browser.test_journeys import sign_in, submit
from tests.factories import Cast, ClientFactory, build_cast
from tests.test_workflow_helpers import proposed_october, set_scheme

NBSP = "\N{NO-BREAK SPACE}"
NOVEMBER = dt.date(2026, 11, 1)
FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def browser_context_args(browser_context_args: dict[str, Any]) -> dict[str, Any]:
    return {**browser_context_args, "locale": "ru-RU", "accept_downloads": True}


@pytest.fixture
def people(transactional_db: None) -> Cast:
    return build_cast()


def test_an_empty_month_says_so_and_its_chart_reads_zero_to_plan(
    page: Any, live_server: Any, people: Cast, screenshot: Any
) -> None:
    # given November with its scheme and not one payment yet
    set_scheme(people, month=NOVEMBER)
    sign_in(page, live_server, "dina")

    # when the director opens its dashboard
    url = reverse("department_dashboard", args=[people.dept.pk, "2026-11"])
    page.goto(f"{live_server.url}{url}")

    # then the month is in words, mid-sentence in lower case
    assert "ноябрь 2026" in page.locator("h1").inner_text()
    # and the clients' table says there are no payments, never "Топ-0"
    heading = page.locator("#clients-heading").inner_text()
    assert heading == "Клиенты по сумме"
    assert "Топ-0" not in page.content()
    # and the axis runs 0 … plan in round steps, money written short
    labels = page.locator("#collections-chart-title ~ text").all_text_contents()
    axis = [label for label in labels if label.endswith("₽")]
    assert axis[:6] == [
        f"0{NBSP}₽",
        f"10{NBSP}млн{NBSP}₽",
        f"20{NBSP}млн{NBSP}₽",
        f"30{NBSP}млн{NBSP}₽",
        f"40{NBSP}млн{NBSP}₽",
        f"50{NBSP}млн{NBSP}₽",
    ]
    screenshot("wording-empty-month")


def test_the_scheme_page_says_threshold_and_its_chart_has_round_ticks(
    page: Any, live_server: Any, people: Cast, screenshot: Any
) -> None:
    set_scheme(people, month=NOVEMBER)
    sign_in(page, live_server, "dina")
    url = reverse("scheme_edit", args=[people.dept.pk, "2026-11"])
    page.goto(f"{live_server.url}{url}")

    text = page.locator("main").inner_text()
    assert "Порог" in text
    for other in ("безубыточн", "ватерлини"):
        assert other not in text.lower()
    labels = page.locator("#scheme-chart-title ~ text").all_text_contents()
    assert f"60{NBSP}млн{NBSP}₽" in labels
    assert f"100{NBSP}тыс.{NBSP}₽" in labels
    assert not any("147" in label or "118" in label for label in labels)
    screenshot("wording-scheme")


def test_the_history_names_people_not_their_codes(
    page: Any, live_server: Any, people: Cast, screenshot: Any
) -> None:
    # given a proposal the director edited
    period = proposed_october(people)
    services.proposal_edit(
        user=people.director.user,
        period=period,
        expected_version=period.version,
        employee=people.masha,
        award="5000",
        deduction="0",
        reason="Слишком щедро",
    )
    sign_in(page, live_server, "dina")
    page.goto(f"{live_server.url}{reverse('period_history', args=[period.pk])}")

    details = page.locator("#events").inner_text()
    assert "Masha Ivanova: " in details
    assert f"{people.masha.personnel_number}:" not in details
    assert "Октябрь 2026" in page.locator("h1").inner_text()
    screenshot("wording-history")


def test_last_years_statement_is_flagged_in_the_dry_run_with_dates_in_words(
    page: Any, live_server: Any, people: Cast, screenshot: Any
) -> None:
    # given the clients of last November's 1C statement
    ClientFactory(inn="7701000019", department=people.dept)
    ClientFactory(inn="772300000344", department=people.dept)
    sign_in(page, live_server, "root")

    # when it is uploaded
    page.goto(f"{live_server.url}{reverse('import_upload')}")
    page.set_input_files("#id_file", str(FIXTURES / "statement-1c-utf8.txt"))
    submit(page, "main form button[type=submit]")

    # then the dates read in words and the old payments are called out
    text = page.inner_text("main")
    assert "Платежи с 6 ноября 2025 по 27 ноября 2025." in text
    assert "2025-11" not in text
    warning = page.inner_text("#import-stale")
    assert warning.startswith("3 платежа датированы ранее ")
    assert warning.endswith(": это нужный файл?")
    screenshot("wording-import-stale")


def test_a_payer_with_another_inn_is_assigned_only_with_a_reason(
    page: Any, live_server: Any, people: Cast, screenshot: Any
) -> None:
    # given an unmatched payer and a client with another INN, suggested by its name
    batch = ImportBatch.objects.create(file_name="s.txt", sha256="0" * 64, format="1c")
    row = UnmatchedPayment.objects.create(
        batch=batch,
        amount=Decimal("240000.00"),
        received_on=dt.date(2026, 11, 26),
        source=Source.ONEC,
        source_ref="acc|2291",
        payer_inn="5001000027",
        payer_name='АО "Вектор"',
    )
    ClientFactory(name="Вектор", inn="7701000019", department=people.dept)
    sign_in(page, live_server, "root")
    page.goto(f"{live_server.url}{reverse('unmatched_list')}")
    assert "Предлагается: Вектор (ИНН 7701000019)" in page.inner_text("main")

    # when it is assigned without a reason, then the page names both INNs and saves nothing
    submit(page, f"form[action$='/{row.pk}/assign/'] button")
    alert = page.inner_text("main")
    assert "5001000027" in alert
    assert "7701000019" in alert
    assert not Payment.objects.exists()

    # and with a reason it is recorded
    page.fill(f"#reason-{row.pk}", "Вектор платит за клиента по агентскому договору")
    submit(page, f"form[action$='/{row.pk}/assign/'] button")
    row.refresh_from_db()
    assert row.reason == "Вектор платит за клиента по агентскому договору"
    assert Payment.objects.get().amount == Decimal("240000.00")
    screenshot("wording-unmatched-reason")
