"""The director's year of plans and the replay of a draft scheme, in a real browser, in
Russian and English: last year's plans copied +10 %, a closed month left alone; a higher
threshold replayed on the past and adopted for the coming month."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from compensation import services
from compensation.models import MonthlyScheme
from tests.browser.test_journeys import ru, sign_in, submit
from tests.factories import Cast, build_cast
from tests.test_workflow_helpers import OCTOBER, approved_october

pytestmark = pytest.mark.django_db(transaction=True)
TODAY = dt.date(2026, 12, 6)
NOVEMBER = dt.date(2026, 11, 1)
DECEMBER = dt.date(2026, 12, 1)
WORDS = {
    "ru": {
        "copy": "Скопировать планы прошлого года",
        "save": "Сохранить планы",
        "closed": "закрыт: только просмотр",
        "saved": "Сохранено месяцев: 2.",
        "replay": "Переиграть последние двенадцать месяцев",
        "label": "Переигровка",
        "adopt": "Принять на выбранный месяц",
        "adopted": "Черновик принят",
        "threshold": "45000000,00",
        "october": "Октябрь 2026",
    },
    "en": {
        "copy": "Copy last year's plans",
        "save": "Save the plans",
        "closed": "closed: read only",
        "saved": "Months saved: 2.",
        "replay": "Replay the last twelve months",
        "label": "people would have worked differently",
        "adopt": "Adopt for the chosen month",
        "adopted": "The draft is adopted",
        "threshold": "45000000.00",
        "october": "October 2026",
    },
}


def money(amount: str, language: str) -> str:
    return ru(amount) if language == "ru" else f"{Decimal(amount):,.2f}"


@pytest.fixture(params=["ru", "en"])
def language(request: pytest.FixtureRequest) -> str:
    return request.param


@pytest.fixture
def browser_context_args(browser_context_args: dict[str, Any], language: str) -> dict[str, Any]:
    return {**browser_context_args, "locale": "ru-RU" if language == "ru" else "en-US"}


@pytest.fixture
def history(transactional_db: None, monkeypatch: pytest.MonkeyPatch) -> Cast:
    """October approved as SPEC section 2 has it, and last November's plan to copy."""
    monkeypatch.setattr(timezone, "localdate", lambda *args: TODAY)
    cast = build_cast()
    approved_october(cast)
    services.scheme_create(
        user=cast.director.user,
        department=cast.dept,
        month=dt.date(2025, 11, 1),
        plan="45454545.45",
        threshold="36363636.36",
        rate="0.005",
        head_share="0.40",
        milestones=[(15, "0.50", "1/3")],
        reason="Last year",
    )
    return cast


def test_the_director_plans_the_year(
    page: Any, live_server: Any, history: Cast, language: str, screenshot: Any
) -> None:
    words = WORDS[language]
    sign_in(page, live_server, "dina")
    page.goto(f"{live_server.url}{reverse('year_plans', args=[history.dept.pk, OCTOBER])}")
    # October is approved: shown, not editable
    assert words["closed"] in page.inner_text("tbody tr:first-child")
    assert page.locator("#id_plans-0-plan").count() == 0

    # last year +10 %: November's 45,454,545.45 becomes 50,000,000.00, nothing saved yet
    page.fill("#id_percent", "10")
    submit(page, f"text={words['copy']}")
    assert "50" in page.input_value("#id_plans-1-plan")
    assert not MonthlyScheme.objects.filter(month=NOVEMBER).exists()

    # a seasonal December, a reason, and the grid is saved at once
    page.fill("#id_plans-2-plan", "60000000")
    page.fill("#id_plans-2-threshold", "45000000")
    page.fill("#id_reason", "Seasonal plans")
    submit(page, f"text={words['save']}")
    assert words["saved"] in page.inner_text("main")
    november = MonthlyScheme.objects.get(department=history.dept, month=NOVEMBER)
    assert (november.plan, november.threshold) == (Decimal("50000000.00"), Decimal("40000000.00"))
    december = MonthlyScheme.objects.get(department=history.dept, month=DECEMBER)
    assert december.plan == Decimal("60000000.00")
    screenshot(f"year-plans-{language}")


def test_the_director_replays_a_draft_and_adopts_it(
    page: Any, live_server: Any, history: Cast, language: str, screenshot: Any
) -> None:
    words = WORDS[language]
    sign_in(page, live_server, "dina")
    page.goto(f"{live_server.url}{reverse('scheme_replay', args=[history.dept.pk])}")
    # the first look replays the latest scheme: October as paid
    assert words["label"] in page.inner_text("main")
    assert page.locator("svg.chart").count() == 1

    page.fill("#id_threshold", words["threshold"])
    submit(page, f"text={words['replay']}")
    text = page.locator("#replay-table tbody tr", has_text=words["october"]).inner_text()
    # (55 M − 45 M) × 0.5 % = 50,000 against 75,000 paid
    assert money("50000.00", language) in text
    assert money("75000.00", language) in text
    assert not MonthlyScheme.objects.filter(threshold=Decimal("45000000.00")).exists()

    # adopted for December (the coming month) through the scheme service
    page.fill("#adopt-reason", "A fairer threshold")
    submit(page, f"text={words['adopt']}")
    assert words["adopted"] in page.inner_text("main")
    adopted = MonthlyScheme.objects.get(department=history.dept, month=DECEMBER)
    assert adopted.threshold == Decimal("45000000.00")
    assert adopted.plan == Decimal("50000000.00")
    screenshot(f"replay-{language}")
