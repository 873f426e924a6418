"""A paid month corrected, in a real browser, in Russian and English.

November is approved and paid on 55 M (tests/test_corrections.py). Dina reopens it
with a reason; Anna voids the bounced 9 M payment from the payments list, which takes
her to the correction's page; Dina sees the month differ from what was paid, with the
amount voided. Once the correction is approved and December paid with its lines, Masha
reads on both months' pages and in both PDF statements what the correction did.
"""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from compensation import services
from compensation.models import BonusPeriod, PeriodState
from payments.models import Payment
from tests.browser.test_journeys import ru, sign_in, submit
from tests.factories import Cast, build_cast
from tests.test_corrections import (
    DECEMBER,
    DECEMBER_PAYMENTS,
    NOVEMBER,
    _approve,
    paid_november,
)
from tests.test_workflow_helpers import pay_in, set_scheme

pytestmark = pytest.mark.django_db(transaction=True)
WORDS = {
    "ru": {
        "reopen": "Открыть повторно для корректировки",
        "reopen_button": "Открыть повторно как новую редакцию",
        "void": "Аннулировать",
        "void_button": "Аннулировать платёж",
        "differs": "Отличается от выплаченного",
        "voided": f"Платежи, аннулированные после закрытия месяца: {ru('9000000.00')}",
        "corrected": "Исправлено после выплаты",
        "statement": "Расчётный листок в PDF",
        "pdf_november": "Моя премия за ноябрь 2026",
        "pdf_paid": f"{ru('27000.00')} ₽",
        "pdf_difference": f"-{ru('11000.00')} ₽",
        "pdf_december": "Корректировки, выплачиваемые в этом месяце",
        "pdf_carried": f"{ru('5000.00')} ₽ переносится на январь 2027",
    },
    "en": {
        "reopen": "Reopen for a correction",
        "reopen_button": "Reopen as a new revision",
        "void": "Void",
        "void_button": "Void the payment",
        "differs": "Differs from what was paid",
        "voided": "Payments voided since the month was closed: 9,000,000.00",
        "corrected": "Corrected after it was paid",
        "statement": "Statement as PDF",
        "pdf_november": "My bonus for November 2026",
        "pdf_paid": "27,000.00 ₽",
        "pdf_difference": "-11,000.00 ₽",
        "pdf_december": "Corrections paid this month",
        "pdf_carried": "5,000.00 ₽ carried on to January 2027",
    },
}


@pytest.fixture(params=["ru", "en"])
def language(request: pytest.FixtureRequest) -> str:
    return request.param


@pytest.fixture
def browser_context_args(browser_context_args: dict[str, Any], language: str) -> dict[str, Any]:
    locale = "ru-RU" if language == "ru" else "en-US"
    return {**browser_context_args, "locale": locale, "accept_downloads": True}


@pytest.fixture
def paid(transactional_db: None, monkeypatch: pytest.MonkeyPatch) -> Cast:
    # Early January: December is over and can be closed.
    monkeypatch.setattr(timezone, "localdate", lambda *args: dt.date(2027, 1, 5))
    cast = build_cast()
    paid_november(cast)
    return cast


def _pdf_text(path: str) -> str:
    reader = PdfReader(io.BytesIO(Path(path).read_bytes()))
    return " ".join(" ".join(page.extract_text() for page in reader.pages).split())


def _statement(page: Any, live_server: Any, month: dt.date, words: dict[str, str]) -> str:
    page.goto(f"{live_server.url}{reverse('my_bonus_month', args=[month])}")
    with page.expect_download() as download:
        page.click(f"text={words['statement']}")
    return _pdf_text(download.value.path())


def test_a_paid_month_is_corrected_in_the_browser(
    page: Any, live_server: Any, paid: Cast, language: str
) -> None:
    words = WORDS[language]
    period = BonusPeriod.objects.get(month=NOVEMBER)
    detail = f"{live_server.url}{reverse('period_detail', args=[period.pk])}"

    # Dina reopens the paid month with a reason.
    sign_in(page, live_server, "dina")
    page.goto(detail)
    page.click(f"text={words['reopen']}")
    page.fill("textarea[name=reason]", "The client's 9 M payment bounced")
    submit(page, f"button:has-text('{words['reopen_button']}')")
    period.refresh_from_db()
    assert (period.state, period.revision) == (PeriodState.CLOSED, 2)

    # Anna voids the bounced payment from the list: the correction's page takes it.
    bounced = Payment.objects.get(received_on=dt.date(2026, 11, 30))
    sign_in(page, live_server, "anna")
    page.goto(f"{live_server.url}{reverse('payment_list')}")
    submit(page, f"a[href='{reverse('payment_void', args=[bounced.pk])}']")
    assert reverse("correction_payment_void", args=[bounced.pk]) in page.url
    page.fill("textarea[name=reason]", "Bounced")
    submit(page, f"button:has-text('{words['void_button']}')")
    bounced.refresh_from_db()
    assert bounced.is_void

    # Dina sees the month differ from what was paid, with the amount voided.
    sign_in(page, live_server, "dina")
    page.goto(detail)
    notice = page.inner_text("#paid-changes").replace("\xa0", " ")
    assert words["differs"] in notice
    assert words["voided"].replace("\xa0", " ") in notice
    page.goto(f"{live_server.url}{reverse('period_list')}")
    assert words["differs"] in page.inner_text("main")

    # The correction is approved (as any approval, four eyes), December too.
    cast = paid
    _approve(
        cast,
        NOVEMBER,
        {
            cast.masha.pk: ("15000.00", "0", "Closed the two hardest clients"),
            cast.vasya.pk: ("0", "0", ""),
        },
    )
    set_scheme(cast, DECEMBER)
    pay_in(cast, DECEMBER_PAYMENTS)
    december = _approve(cast, DECEMBER, {})
    services.period_mark_paid(
        user=cast.accountant.user, period=december, expected_version=december.version
    )

    # Masha reads both months, on the page and in the PDF statements.
    sign_in(page, live_server, "masha")
    page.goto(f"{live_server.url}{reverse('my_bonus_month', args=[NOVEMBER])}")
    assert words["corrected"] in page.inner_text("#corrected")
    november = _statement(page, live_server, NOVEMBER, words)
    assert words["pdf_november"] in november
    assert words["pdf_paid"].replace("\xa0", " ") in november.replace("\xa0", " ")
    assert words["pdf_difference"].replace("\xa0", " ") in november.replace("\xa0", " ")
    december_text = _statement(page, live_server, DECEMBER, words).replace("\xa0", " ")
    assert words["pdf_december"] in december_text
    assert words["pdf_carried"].replace("\xa0", " ") in december_text


def test_the_accountant_downloads_the_company_file_and_the_statements(
    page: Any, live_server: Any, paid: Cast, language: str
) -> None:
    cast = paid
    set_scheme(cast, DECEMBER)
    pay_in(cast, DECEMBER_PAYMENTS)
    december = _approve(cast, DECEMBER, {})
    sign_in(page, live_server, "anna")
    page.goto(f"{live_server.url}{reverse('payroll')}")
    page.fill("#company-payroll input[name=month]", "2026-12")
    with page.expect_download() as download:
        page.click("#company-payroll button[value='standard.csv']")
    text = Path(download.value.path()).read_text(encoding="utf-8-sig")
    total = "Итого по компании" if language == "ru" else "Total of the company"
    missing = "Не включено" if language == "ru" else "Missing"
    assert total in text
    assert missing in text  # Key accounts has no December
    page.goto(f"{live_server.url}{reverse('payroll')}")
    log = "Файл по компании CSV" if language == "ru" else "Company file CSV"
    assert log in page.inner_text("#export-log")

    page.goto(f"{live_server.url}{reverse('period_detail', args=[december.pk])}")
    label = "Расчётные листки PDF" if language == "ru" else "Statements PDF"
    with page.expect_download() as download:
        page.click(f"text={label}")
    statements = _pdf_text(download.value.path())
    for name in ("Ivan Petrov", "Masha Ivanova", "Olya Smirnova", "Vasya Sidorov"):
        assert name in statements


def test_my_bonus_prints_as_a_statement(
    page: Any, live_server: Any, paid: Cast, language: str
) -> None:
    sign_in(page, live_server, "masha")
    page.goto(f"{live_server.url}{reverse('my_bonus_month', args=[NOVEMBER])}")
    assert page.locator(".app-navbar").is_visible()
    page.emulate_media(media="print")
    # Printed: no menu, no buttons, no list of months; the figures stay.
    assert not page.locator(".app-navbar").is_visible()
    assert not page.locator(".statement-actions").is_visible()
    assert not page.locator(".my-months").is_visible()
    assert page.locator("#to-be-paid").is_visible()
    assert "27" in page.inner_text("#to-be-paid")
