"""Questions on a statement: a staff member asks, the head answers or passes it on.

A question goes to the head of the asker's department, who answers it or passes it to
the commercial director; the director may answer any. The asker closes it, or asks
again (it reopens). Each step locks the question row, checks that its state allows the
step, and records an event row: messages are never edited.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from accounts.models import Department
from accounts.policy import Action, can, employee_of, require
from compensation.errors import WorkflowError
from compensation.models import Question, QuestionEvent, QuestionState, StatementLine

MAX_TEXT = 2000
OPEN, PASSED, ANSWERED, CLOSED = (
    QuestionState.OPEN,
    QuestionState.PASSED,
    QuestionState.ANSWERED,
    QuestionState.CLOSED,
)

# Waiting for an answer: the head's (open) or the director's (passed).
OPEN_STATES = (OPEN, PASSED)

# step → (the states it is taken from, the state it leads to, who may take it)
STEPS: dict[str, tuple[frozenset[str], str, Action]] = {
    QuestionEvent.Action.ANSWER: (frozenset({OPEN, PASSED}), ANSWERED, Action.ANSWER_QUESTION),
    QuestionEvent.Action.PASS: (frozenset({OPEN}), PASSED, Action.FORWARD_QUESTION),
    QuestionEvent.Action.CLOSE: (
        frozenset({OPEN, PASSED, ANSWERED}),
        CLOSED,
        Action.CLOSE_QUESTION,
    ),
    QuestionEvent.Action.REOPEN: (frozenset({ANSWERED, CLOSED}), OPEN, Action.CLOSE_QUESTION),
}


def question_may(user: Any, step: str, question: Question) -> bool:
    """May ``user`` take ``step`` on ``question`` as it stands (which buttons a page shows)."""
    sources, _target, permission = STEPS[step]
    if question.state not in sources or not can(user, permission, question):
        return False
    # The head answers what is still theirs; once passed on, it is the director's.
    if step == QuestionEvent.Action.ANSWER and question.state == PASSED:
        return can(user, Action.REVIEW)
    return True


def _text(text: str, *, required: bool) -> str:
    text = (text or "").replace("\r\n", "\n").strip()
    if required and not text:
        raise ValidationError({"text": _("Write your message.")})
    if len(text) > MAX_TEXT:
        raise ValidationError(
            {"text": _("The message is longer than %(count)s characters.") % {"count": MAX_TEXT}}
        )
    return text


def _record(question: Question, *, user: Any, action: str, left: str, text: str) -> None:
    QuestionEvent.objects.create(
        question=question,
        action=action,
        from_state=left,
        to_state=question.state,
        actor=user,
        text=text,
    )


@transaction.atomic
def question_ask(
    *, user: Any, department: Department, month: dt.date, line: str, text: str
) -> Question:
    """Ask about a line of one's own statement for ``month``; it goes to the head."""
    asker = employee_of(user)
    question = Question(asker=asker, department=department, month=month.replace(day=1))
    require(user, Action.ASK_QUESTION, question)
    if line not in StatementLine.values:
        raise ValidationError({"line": _("Choose the line of the statement you ask about.")})
    text = _text(text, required=True)
    question.line = line
    question.state = OPEN
    question.save()
    _record(question, user=user, action=QuestionEvent.Action.ASK, left="", text=text)
    return question


def _step(*, user: Any, question: Question, step: str, text: str, required: bool) -> Question:
    _sources, target, permission = STEPS[step]
    require(user, permission, question)
    text = _text(text, required=required)
    # The row lock queues two people acting at once; the second finds the new state.
    locked = Question.objects.select_for_update().select_related("department").get(pk=question.pk)
    if not question_may(user, step, locked):
        raise WorkflowError(
            _("This question is %(state)s now; reload the page.")
            % {"state": locked.get_state_display().lower()},
            code="question_state",
        )
    left, locked.state = locked.state, target
    locked.save(update_fields=["state"])
    _record(locked, user=user, action=step, left=left, text=text)
    return locked


@transaction.atomic
def question_answer(*, user: Any, question: Question, text: str) -> Question:
    return _step(
        user=user, question=question, step=QuestionEvent.Action.ANSWER, text=text, required=True
    )


@transaction.atomic
def question_pass(*, user: Any, question: Question, text: str = "") -> Question:
    """The head hands the question to the commercial director (with a note, if any)."""
    return _step(
        user=user, question=question, step=QuestionEvent.Action.PASS, text=text, required=False
    )


@transaction.atomic
def question_close(*, user: Any, question: Question, text: str = "") -> Question:
    return _step(
        user=user, question=question, step=QuestionEvent.Action.CLOSE, text=text, required=False
    )


@transaction.atomic
def question_reopen(*, user: Any, question: Question, text: str) -> Question:
    """The asker is not satisfied: they ask again, and the question is open once more."""
    return _step(
        user=user, question=question, step=QuestionEvent.Action.REOPEN, text=text, required=True
    )
