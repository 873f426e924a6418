"""Questions on a statement: Olya asks about her October statement, the head answers or
passes it to the director, Olya closes it or asks again.

Every message and change of state is an event row (who, when, from, to); a question is
seen only by the asker, the head of their department and the director (and the admin).
"""

from __future__ import annotations

import contextlib
import datetime as dt
from typing import Any

import pytest
from django.contrib.messages import get_messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client as HttpClient
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from accounts.policy import Action, can, visible_questions
from compensation.errors import WorkflowError
from compensation.models import BonusPeriod, Question, QuestionEvent, QuestionState
from compensation.services import period_mark_paid
from compensation.services.questions import (
    question_answer,
    question_ask,
    question_close,
    question_pass,
    question_reopen,
)
from tests.factories import Cast
from tests.test_workflow_helpers import OCTOBER, approved_october


def signed_in(user: Any, language: str = "en") -> HttpClient:
    client = HttpClient(HTTP_ACCEPT_LANGUAGE=language)
    client.force_login(user)
    return client


def olya_asks(cast: Cast, text: str = "Why is my equal share 12,000?") -> Question:
    return question_ask(
        user=cast.olya.user, department=cast.dept, month=OCTOBER, line="equal_share", text=text
    )


def _thread(question: Question) -> list[tuple[str, str, str, str, str]]:
    return [
        (e.action, e.from_state, e.to_state, e.actor.username, e.text)
        for e in question.events.select_related("actor").order_by("at", "id")
    ]


@pytest.fixture
def october(cast: Cast) -> BonusPeriod:
    return approved_october(cast)


def test_a_question_is_answered_closed_and_asked_again_each_step_an_event(
    cast: Cast, october: BonusPeriod
) -> None:
    # given Olya's question about her equal share
    question = olya_asks(cast)
    assert (question.state, question.line, question.asker) == ("open", "equal_share", cast.olya)

    # when the head answers, Olya closes it, then asks again
    question_answer(user=cast.head.user, question=question, text="Three staff share 36,000.")
    question_close(user=cast.olya.user, question=question)
    question = question_reopen(user=cast.olya.user, question=question, text="But Masha got more?")

    # then each step is a row of its own and the question is open again
    assert question.state == QuestionState.OPEN
    assert _thread(question) == [
        ("ask", "", "open", "olya", "Why is my equal share 12,000?"),
        ("answer", "open", "answered", "ivan", "Three staff share 36,000."),
        ("close", "answered", "closed", "olya", ""),
        ("reopen", "closed", "open", "olya", "But Masha got more?"),
    ]


def test_passed_to_the_director_only_the_director_answers(cast: Cast, october: BonusPeriod) -> None:
    question = olya_asks(cast)
    question = question_pass(user=cast.head.user, question=question, text="The director decided.")
    assert question.state == QuestionState.PASSED

    # the head no longer answers it; the director does
    with pytest.raises(WorkflowError):
        question_answer(user=cast.head.user, question=question, text="Let me")
    question = question_answer(user=cast.director.user, question=question, text="Approved so.")

    assert question.state == QuestionState.ANSWERED
    assert [e.action for e in question.events.order_by("id")] == ["ask", "pass", "answer"]
    # a step its state does not allow is refused and records nothing
    with pytest.raises(WorkflowError):
        question_pass(user=cast.head.user, question=question)
    assert question.events.count() == 3


@pytest.mark.parametrize(
    ("who", "step"),
    [
        ("olya", question_answer),  # the asker does not answer
        ("masha", question_close),  # nor does a colleague close it
        ("ivan", question_close),  # only the asker closes
        ("dina", question_pass),  # passing is the head's
        ("petr", question_answer),  # another department's head
        ("anna", question_answer),  # the accountant
    ],
)
def test_each_step_is_refused_to_whoever_may_not_take_it(
    cast: Cast, october: BonusPeriod, who: str, step: Any
) -> None:
    question = olya_asks(cast)
    user = {
        "olya": cast.olya,
        "masha": cast.masha,
        "ivan": cast.head,
        "dina": cast.director,
        "petr": cast.other_head,
        "anna": cast.accountant,
    }[who].user

    with pytest.raises(PermissionDenied):
        step(user=user, question=question, text="Something")
    assert question.events.count() == 1


def test_only_the_asker_the_head_and_the_director_see_a_question(
    cast: Cast, october: BonusPeriod
) -> None:
    question = olya_asks(cast)
    url = reverse("question_detail", args=[question.pk])
    seen = {
        name: signed_in(person.user).get(url).status_code
        for name, person in {
            "olya": cast.olya,
            "masha": cast.masha,
            "ivan": cast.head,
            "petr": cast.other_head,
            "sergey": cast.sergey,
            "dina": cast.director,
            "anna": cast.accountant,
        }.items()
    }
    assert seen == {
        "olya": 200,
        "masha": 404,
        "ivan": 200,
        "petr": 404,
        "sergey": 404,
        "dina": 200,
        "anna": 404,
    }
    # nor the administrator, who sees nobody's pay
    assert signed_in(cast.admin).get(url).status_code == 404
    assert list(visible_questions(cast.masha.user)) == []
    assert list(visible_questions(cast.olya.user)) == [question]
    assert can(cast.olya.user, Action.VIEW_QUESTION, question)
    assert not can(cast.masha.user, Action.VIEW_QUESTION, question)


def test_a_staff_member_asks_only_about_their_own_department_s_month(
    cast: Cast, october: BonusPeriod
) -> None:
    with pytest.raises(PermissionDenied):
        question_ask(
            user=cast.olya.user, department=cast.other, month=OCTOBER, line="award", text="?"
        )
    with pytest.raises(PermissionDenied):
        question_ask(
            user=cast.head.user, department=cast.dept, month=OCTOBER, line="award", text="?"
        )
    assert not Question.objects.exists()


@pytest.mark.parametrize(
    ("line", "text", "field"),
    [
        ("equal_share", "   ", "text"),
        ("bonus_of_masha", "Why?", "line"),
        ("award", "x" * 2001, "text"),
    ],
)
def test_bad_input_names_the_field_and_saves_nothing(
    cast: Cast, october: BonusPeriod, line: str, text: str, field: str
) -> None:
    with pytest.raises(ValidationError) as error:
        question_ask(user=cast.olya.user, department=cast.dept, month=OCTOBER, line=line, text=text)
    assert list(error.value.message_dict) == [field]
    assert not Question.objects.exists()
    assert not QuestionEvent.objects.exists()


def test_the_statement_page_asks_and_a_bad_form_says_which_field(
    cast: Cast, october: BonusPeriod
) -> None:
    http = signed_in(cast.olya.user)
    url = reverse("question_ask", args=[OCTOBER])

    # an empty question: refused, the field named, nothing saved
    response = http.post(url, {"line": "equal_share", "text": ""})
    assert response.status_code == 302
    said = [str(m) for m in get_messages(response.wsgi_request)]
    assert said == ["Your question: This field is required."]
    assert not Question.objects.exists()

    # a real one: saved, and the page of the question shows it
    response = http.post(url, {"line": "deduction", "text": "Was I deducted anything?"})
    question = Question.objects.get()
    assert response["Location"] == reverse("question_detail", args=[question.pk])
    page = http.get(response["Location"]).content.decode()
    assert "Was I deducted anything?" in page
    assert "Close the question" in page
    assert "Pass to the commercial director" not in page
    # and the statement lists it
    statement = http.get(reverse("my_bonus_month", args=[OCTOBER])).content.decode()
    assert reverse("question_detail", args=[question.pk]) in statement


def test_the_period_page_shows_open_questions_to_the_head_and_the_director_only(
    cast: Cast, october: BonusPeriod
) -> None:
    question = olya_asks(cast, text="Is my equal share right?")
    answered = question_ask(
        user=cast.masha.user, department=cast.dept, month=OCTOBER, line="award", text="Mine?"
    )
    question_answer(user=cast.head.user, question=answered, text="Yes.")
    url = reverse("period_detail", args=[october.pk])

    head = signed_in(cast.head.user).get(url).content.decode()
    director = signed_in(cast.director.user).get(url).content.decode()
    staff = signed_in(cast.olya.user).get(url).content.decode()

    assert "Is my equal share right?" in head
    assert "Mine?" not in head  # answered: no longer waiting
    assert 'id="period-questions"' not in staff
    # the director may reopen the approved month on the question, named in the reason
    assert "Reopen the month for a correction on this question" in director
    assert f"Question {question.pk} from Olya Smirnova about “Equal share”" in director
    assert "Reopen the month for a correction on this question" not in head


def test_a_question_leads_to_a_correction_its_reason_naming_the_question(
    cast: Cast, october: BonusPeriod
) -> None:
    question = olya_asks(cast)
    october = period_mark_paid(
        user=cast.accountant.user, period=october, expected_version=october.version
    )
    http = signed_in(cast.director.user)
    reason = f"Question {question.pk} from Olya Smirnova about “Equal share”: a payment missed"

    response = http.post(
        reverse("period_reopen", args=[october.pk]),
        {"expected_version": october.version, "reason": reason},
    )

    assert response.status_code == 302
    october.refresh_from_db()
    assert (october.state, october.revision) == ("closed", 2)
    assert october.revisions.get(number=2).reopen_reason == reason


def test_the_period_page_reads_questions_in_a_fixed_number_of_queries(
    cast: Cast, october: BonusPeriod, django_assert_max_num_queries: Any
) -> None:
    url = reverse("period_detail", args=[october.pk])
    http = signed_in(cast.director.user)
    olya_asks(cast)
    with django_assert_max_num_queries(60) as one:
        http.get(url)
    for number in range(12):
        olya_asks(cast, text=f"And this, {number}?")
    with django_assert_max_num_queries(60) as many:
        page = http.get(url).content.decode()
    assert "And this, 11?" in page
    assert len(many.captured_queries) == len(one.captured_queries)


def test_the_question_page_reads_its_thread_in_a_fixed_number_of_queries(
    cast: Cast, october: BonusPeriod, django_assert_max_num_queries: Any
) -> None:
    question = olya_asks(cast)
    url = reverse("question_detail", args=[question.pk])
    http = signed_in(cast.olya.user)
    with django_assert_max_num_queries(30) as short:
        http.get(url)
    for number in range(10):
        question_answer(user=cast.head.user, question=question, text=f"Answer {number}")
        question_reopen(user=cast.olya.user, question=question, text=f"Again {number}")
    with django_assert_max_num_queries(30) as long:
        page = http.get(url).content.decode()
    assert "Again 9" in page
    assert len(long.captured_queries) == len(short.captured_queries)


def test_an_answered_question_waits_on_nobody_s_start_page(
    cast: Cast, october: BonusPeriod
) -> None:
    question = olya_asks(cast)
    home = reverse("home")
    assert (
        "1 question waits for your answer" in signed_in(cast.head.user).get(home).content.decode()
    )
    question_pass(user=cast.head.user, question=question)
    assert "question waits" not in signed_in(cast.head.user).get(home).content.decode()
    assert (
        "1 question waits for your answer"
        in signed_in(cast.director.user).get(home).content.decode()
    )
    question_answer(user=cast.director.user, question=question, text="Done.")
    assert "question waits" not in signed_in(cast.director.user).get(home).content.decode()


def test_a_question_month_is_kept_as_its_first_day(cast: Cast, october: BonusPeriod) -> None:
    question = question_ask(
        user=cast.olya.user,
        department=cast.dept,
        month=dt.date(2026, 10, 17),
        line="days_present",
        text="My days?",
    )
    assert question.month == OCTOBER


STEP_RUNS = {
    "answer_by_head": ("ivan", question_answer),
    "answer_by_director": ("dina", question_answer),
    "pass": ("ivan", question_pass),
    "close": ("olya", question_close),
    "reopen": ("olya", question_reopen),
}


@settings(
    max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(steps=st.lists(st.sampled_from(sorted(STEP_RUNS)), max_size=8))
def test_whatever_is_tried_the_thread_is_a_chain_of_states(
    cast: Cast, october: BonusPeriod, steps: list[str]
) -> None:
    # given a fresh question and any sequence of steps, each allowed or refused
    question = olya_asks(cast)
    people = {"ivan": cast.head, "dina": cast.director, "olya": cast.olya}
    for name in steps:
        who, run = STEP_RUNS[name]
        # a step its state does not allow is refused, and writes nothing
        with contextlib.suppress(WorkflowError):
            run(user=people[who].user, question=question, text="A message")

    # then each event leaves from the state the one before led to, and the question is
    # in the state the last one led to
    events = list(question.events.order_by("id"))
    assert [e.from_state for e in events[1:]] == [e.to_state for e in events[:-1]]
    question.refresh_from_db()
    assert question.state == events[-1].to_state
    assert len(events) <= 1 + len(steps)
