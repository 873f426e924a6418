"""A question on a statement in a real browser, in Russian and English: Olya asks about
her equal share, the head answers it from his start page, Olya reads the answer and
closes the question."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from compensation.models import Question, QuestionState
from tests.browser.test_journeys import sign_in, submit
from tests.factories import Cast, build_cast
from tests.test_workflow_helpers import OCTOBER, approved_october

pytestmark = pytest.mark.django_db(transaction=True)
WORDS = {
    "ru": {
        "open": "Открыт",
        "answered": "Отвечен",
        "closed": "Закрыт",
        "answer": "Ответить",
        "close": "Закрыть вопрос",
        "again": "Спросить ещё раз",
        "waits": "1 вопрос ждёт вашего ответа",
        "line": "Равная доля",
    },
    "en": {
        "open": "Open",
        "answered": "Answered",
        "closed": "Closed",
        "answer": "Answer",
        "close": "Close the question",
        "again": "Ask again",
        "waits": "1 question waits for your answer",
        "line": "Equal share",
    },
}


@pytest.fixture(params=["ru", "en"])
def language(request: pytest.FixtureRequest) -> str:
    return request.param


@pytest.fixture
def browser_context_args(browser_context_args: dict[str, Any], language: str) -> dict[str, Any]:
    return {**browser_context_args, "locale": "ru-RU" if language == "ru" else "en-US"}


@pytest.fixture
def october(transactional_db: None) -> Cast:
    cast = build_cast()
    approved_october(cast)
    return cast


def test_olya_asks_the_head_answers_and_olya_closes_it(
    page: Any, live_server: Any, october: Cast, language: str, screenshot: Any
) -> None:
    words = WORDS[language]

    # Olya asks about her equal share from her October statement
    sign_in(page, live_server, "olya")
    page.goto(f"{live_server.url}{reverse('my_bonus_month', args=[OCTOBER])}")
    page.select_option("#id_line", "equal_share")
    page.fill("#id_text", "Why is my equal share what it is?")
    submit(page, "#ask-form button[type=submit]")
    assert page.inner_text("#question-state") == words["open"]
    assert words["line"] in page.inner_text("h1")

    # the head finds it on his start page and answers it
    sign_in(page, live_server, "ivan")
    assert words["waits"] in page.inner_text("#to-answer")
    screenshot(f"question-head-start-{language}")
    submit(page, "#to-answer a")
    page.fill("#id_text", "Three of you share what remains after awards.")
    submit(page, f"#question-form button:text-is('{words['answer']}')")
    assert page.inner_text("#question-state") == words["answered"]
    screenshot(f"question-answered-{language}")

    # Olya reads the answer from her statement and closes the question
    sign_in(page, live_server, "olya")
    page.goto(f"{live_server.url}{reverse('my_bonus_month', args=[OCTOBER])}")
    submit(page, "#my-questions ul a")
    assert "Three of you share what remains after awards." in page.inner_text("#thread")
    submit(page, f"#question-form button:text-is('{words['close']}')")
    assert page.inner_text("#question-state") == words["closed"]
    # closed, it can only be asked again
    assert page.locator("#question-form button").all_inner_texts() == [words["again"]]

    question = Question.objects.get()
    assert question.state == QuestionState.CLOSED
    assert [e.action for e in question.events.order_by("id")] == ["ask", "answer", "close"]
