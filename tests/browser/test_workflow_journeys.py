"""The workflow pages' journeys in Chromium: what is typed is sent, comments reach the
other side, refusals are in the page's language at their row, rates read as percent,
and no page offers a step that cannot be taken.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from compensation import services
from compensation.models import PeriodEvent, PeriodState
from tests.browser.test_journeys import NBSP, ru, sign_in, submit
from tests.factories import Cast, build_cast
from tests.test_workflow_helpers import (
    OCTOBER,
    approved_october,
    closed_october,
    seed_lines,
    set_scheme,
)

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def language() -> str:
    return "ru"


@pytest.fixture
def browser_context_args(browser_context_args: dict[str, Any], language: str) -> dict[str, Any]:
    return {**browser_context_args, "locale": {"ru": "ru-RU", "en": "en-US"}[language]}


@pytest.fixture
def people(transactional_db: None) -> Cast:
    return build_cast()


def en(amount: str) -> str:
    """``27000.00`` → ``27,000.00`` as the English page writes it."""
    whole, _, kopecks = amount.partition(".")
    return f"{int(whole):,}.{kopecks}"


def wait_for_text(page: Any, selector: str, text: str) -> None:
    page.wait_for_function(
        "([sel, text]) => document.querySelector(sel)?.textContent.includes(text)",
        arg=[selector, text],
    )


def test_what_is_typed_is_saved_and_sent_in_one_step(
    page: Any, live_server: Any, people: Cast, screenshot: Any
) -> None:
    # given the head types an award with a long reason of two lines (the preview shows it)
    period = closed_october(people)
    reason = "Вернула двух самых трудных клиентов.\n" + "Подробно: " + "звонки, встречи; " * 20
    sign_in(page, live_server, "ivan")
    page.goto(f"{live_server.url}{reverse('proposal', args=[period.pk])}")
    reason_field = page.locator(f"#id_reason_{people.masha.pk}")
    assert reason_field.evaluate("el => el.tagName") == "TEXTAREA"
    page.fill(f"#id_award_{people.masha.pk}", "15000")
    reason_field.fill(reason)
    # (45 000 − 15 000) / 3 + 15 000
    wait_for_text(page, f'[data-bonus="{people.masha.personnel_number}"]', ru("25000.00"))
    page.fill("#id_comment", "Маша заслужила")
    screenshot("w1-proposal-typed-not-saved")

    # when the head sends it without saving first
    submit(page, "button[name=send]")

    # then what was on the form is what the director receives, reason and all
    period.refresh_from_db()
    assert period.state == PeriodState.PROPOSED
    line = period.revisions.get().proposal.get(employee=people.masha)
    assert (line.proposed_award, line.reason) == (Decimal("15000.00"), reason.strip())
    assert period.events.get(action=PeriodEvent.Action.SUBMIT).comment == "Маша заслужила"
    assert "Предложение направлено коммерческому директору." in page.inner_text("main")


def test_a_refused_line_sends_nothing_and_says_why_at_the_row(
    page: Any, live_server: Any, people: Cast
) -> None:
    period = closed_october(people)
    sign_in(page, live_server, "ivan")
    page.goto(f"{live_server.url}{reverse('proposal', args=[period.pk])}")
    page.fill(f"#id_award_{people.masha.pk}", "15000")  # no reason
    submit(page, "button[name=send]")
    period.refresh_from_db()
    assert period.state == PeriodState.CLOSED
    assert "Для поощрения или депремирования укажите причину." in page.inner_text(
        f"#id_reason_{people.masha.pk}-error"
    )
    assert page.input_value(f"#id_award_{people.masha.pk}") == "15000"


def test_each_sides_comment_is_shown_where_the_other_acts(
    page: Any, live_server: Any, people: Cast, screenshot: Any
) -> None:
    # given the head sent the proposal with a note
    period = closed_october(people)
    period = services.proposal_save(
        user=people.head.user,
        period=period,
        expected_version=period.version,
        lines=seed_lines(people),
    )
    services.proposal_submit(
        user=people.head.user,
        period=period,
        expected_version=period.version,
        comment="Вася пропустил неделю звонков",
    )

    # when the director reviews it, the head's note is there, with who wrote it
    sign_in(page, live_server, "dina")
    page.goto(f"{live_server.url}{reverse('review', args=[period.pk])}")
    note = page.inner_text("#head-note")
    assert "Вася пропустил неделю звонков" in note
    assert people.head.full_name in note
    # and the director returns it with a comment typed into a text area
    comment = page.locator("textarea[name=comment]").last
    comment.fill("Объясните депремирование Васи:\nкакие именно звонки?")
    submit(page, f"form[action='{reverse('period_return', args=[period.pk])}'] button")

    # then the head sees the director's comment on the period and on the proposal
    sign_in(page, live_server, "ivan")
    for name in ("period_detail", "proposal"):
        page.goto(f"{live_server.url}{reverse(name, args=[period.pk])}")
        callout = page.inner_text("#director-note")
        assert "какие именно звонки?" in callout, name
        assert people.director.full_name in callout, name
        assert "вернул предложение" in callout, name
    screenshot("w2-head-sees-the-return-comment")


@pytest.mark.parametrize(
    ("language", "expected", "amount"),
    [
        ("ru", "Депремирование {} ₽ больше премии сотрудника", ru),
        ("en", "The deduction {} ₽ is more than the person's bonus share", en),
    ],
    ids=["ru", "en"],
)
def test_a_deduction_beyond_a_share_is_refused_at_its_row_in_the_pages_language(
    page: Any, live_server: Any, people: Cast, language: str, expected: str, amount: Any
) -> None:
    period = closed_october(people)
    sign_in(page, live_server, "ivan")
    page.goto(f"{live_server.url}{reverse('proposal', args=[period.pk])}")
    page.fill(f"#id_deduction_{people.vasya.pk}", "40000")
    page.fill(f"#id_reason_{people.vasya.pk}", "Too much / Слишком много")
    sentence = expected.format(amount("40000.00")).replace(" ₽", f"{NBSP}₽")
    # the live preview names the person and the field, in the page's language
    wait_for_text(page, "#preview .alert-danger", sentence)
    problem = page.inner_text("#preview .alert-danger")
    assert people.vasya.full_name in problem
    assert "exceeds" not in problem
    # and saving puts the refusal under the deduction of that row
    submit(page, "#proposal-form button[type=submit]:not([name])")
    assert sentence in page.inner_text(f"#id_deduction_{people.vasya.pk}-error")
    line = period.revisions.get().proposal.get(employee=people.vasya)
    assert line.proposed_deduction == Decimal("0")


@pytest.mark.parametrize(
    ("language", "shown", "typed"),
    [("ru", f"0,5{NBSP}%", "0,6 %"), ("en", "0.5%", "0.6%")],
    ids=["ru", "en"],
)
def test_rates_are_entered_and_shown_as_percent(
    page: Any, live_server: Any, people: Cast, language: str, shown: str, typed: str
) -> None:
    scheme = set_scheme(people)
    sign_in(page, live_server, "dina")
    page.goto(f"{live_server.url}{reverse('scheme_edit', args=[people.dept.pk, OCTOBER])}")
    assert page.input_value("#id_rate") == shown
    assert page.input_value("#id_head_share") == (
        "40\N{NO-BREAK SPACE}%" if language == "ru" else "40%"
    )
    page.fill("#id_rate", typed)
    page.fill("#id_reason", "Rate change")
    submit(page, "main form button[type=submit]")
    scheme.refresh_from_db()
    assert scheme.rate == "0.006"
    assert page.input_value("#id_rate") == shown.replace("5", "6")


def test_the_close_screen_shows_the_rate_as_percent(
    page: Any, live_server: Any, people: Cast
) -> None:
    set_scheme(people)
    period = services.period_open(department=people.dept, month=OCTOBER)
    sign_in(page, live_server, "ivan")
    page.goto(f"{live_server.url}{reverse('period_close', args=[period.pk])}")
    text = page.inner_text("main")
    assert f"0,5{NBSP}%" in text
    assert f"40{NBSP}%" in text
    assert "0.005" not in text
    assert "0.40" not in text


def test_a_paid_month_is_reopened_only_as_a_correction(
    page: Any, live_server: Any, people: Cast
) -> None:
    period = approved_october(people)
    services.period_mark_paid(
        user=people.accountant.user, period=period, expected_version=period.version
    )
    sign_in(page, live_server, "dina")
    page.goto(f"{live_server.url}{reverse('scheme_edit', args=[people.dept.pk, OCTOBER])}")
    text = page.inner_text("main")
    assert "выплачен" in text
    assert "повторно" not in text  # the scheme page offers no way round the correction
    page.goto(f"{live_server.url}{reverse('period_detail', args=[period.pk])}")
    # The period page does: a paid month is corrected as a new revision, with a reason.
    assert page.locator(f"form[action='{reverse('period_reopen', args=[period.pk])}']").count() == 1


def test_mark_paid_asks_for_the_day_and_records_it(
    page: Any, live_server: Any, people: Cast, screenshot: Any
) -> None:
    period = approved_october(people)
    today = timezone.localdate()
    sign_in(page, live_server, "anna")
    page.goto(f"{live_server.url}{reverse('payroll')}")
    # one click only opens the question; nothing is marked yet
    page.click("details.mark-paid summary")
    date = page.locator("input[name=paid_on]")
    assert date.input_value() == today.isoformat()
    assert date.get_attribute("max") == today.isoformat()
    period.refresh_from_db()
    assert period.state == PeriodState.APPROVED
    screenshot("w3-mark-paid-asks-the-day")
    submit(page, "details.mark-paid button[type=submit]")
    period.refresh_from_db()
    assert period.state == PeriodState.PAID
    event = period.events.get(action=PeriodEvent.Action.PAY)
    assert event.details == {"paid_on": today.isoformat()}


def test_the_directors_refused_change_stays_on_its_row(
    page: Any, live_server: Any, people: Cast, screenshot: Any
) -> None:
    # given a proposal under review, Vasya's line prefilled with the head's figures
    period = closed_october(people)
    period = services.proposal_submit(
        user=people.head.user,
        period=period,
        expected_version=period.version,
        lines=seed_lines(people),
    )
    line = period.revisions.get().proposal.get(employee=people.vasya)
    sign_in(page, live_server, "dina")
    page.goto(f"{live_server.url}{reverse('review', args=[period.pk])}")
    page.click(f"#deduction-{line.pk} >> xpath=ancestor::details/summary")
    assert page.input_value(f"#deduction-{line.pk}") == ru("6000.00")
    reason = page.locator(f"#reason-{line.pk}")
    assert reason.evaluate("el => el.tagName") == "TEXTAREA"
    # when the director deducts more than Vasya's share
    page.fill(f"#deduction-{line.pk}", "40000")
    reason.fill("Слишком много\nпропусков")
    submit(page, f"#reason-{line.pk} >> xpath=ancestor::form//button")
    # then the refusal is on Vasya's row, in Russian, with what was typed kept
    refusal = page.inner_text(f"#edit-errors-{line.pk}")
    assert f"Депремирование 40{NBSP}000,00{NBSP}₽ больше премии" in refusal
    assert page.input_value(f"#deduction-{line.pk}") == "40000"
    assert page.input_value(f"#reason-{line.pk}") == "Слишком много\nпропусков"
    screenshot("w4-director-change-refused-at-the-row")
    line.refresh_from_db()
    assert line.approved_deduction is None
