"""Questions on a statement, and dismissing a notice.

A staff member asks from their statement ("my bonus"); the question's page shows the
thread to the asker, the department's head and the director, with the steps each may
take now. Every write is a POST: policy first, a form, one service, a redirect.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import OuterRef, Subquery
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts import policy
from accounts.policy import Action
from compensation.forms_questions import AskForm, MessageForm
from compensation.models import BonusPeriod, Question, QuestionEvent
from compensation.services import notices as notice_services
from compensation.services import questions as services
from compensation.services.questions import OPEN_STATES, question_may
from compensation.workflow_forms import MAX_TEXT, ReasonForm


def _say(request: HttpRequest, form: Any, error: ValidationError | None = None) -> None:
    """Each refusal as a message that names its field ("Message: write your message.")."""
    problems = error.message_dict if error is not None and hasattr(error, "error_dict") else None
    if error is not None and problems is None:
        problems = {"__all__": error.messages}
    for name, errors in (problems or form.errors).items():
        label = form.fields[name].label if name in form.fields else ""
        for message in errors:
            messages.error(request, f"{label}: {message}" if label else message)


@login_required
@require_POST
def question_ask(request: HttpRequest, month: dt.date) -> HttpResponse:
    user = request.user
    policy.require(user, Action.VIEW_OWN_BONUS)
    department = policy.bonus_department(user, month)
    if department is None:
        raise Http404
    policy.require(user, Action.ASK_QUESTION, Question(department=department, month=month))
    form = AskForm(request.POST)
    if not form.is_valid():
        _say(request, form)
        return redirect("my_bonus_month", month=month)
    try:
        question = services.question_ask(
            user=user,
            department=department,
            month=month,
            line=form.cleaned_data["line"],
            text=form.cleaned_data["text"],
        )
    except ValidationError as error:
        _say(request, form, error)
        return redirect("my_bonus_month", month=month)
    messages.success(request, _("Your question went to the head of your department."))
    return redirect("question_detail", pk=question.pk)


def _question(request: HttpRequest, pk: int) -> Question:
    """A question the user may read; anyone else's is a 404, never a leak."""
    question = get_object_or_404(policy.visible_questions(request.user), pk=pk)
    policy.require(request.user, Action.VIEW_QUESTION, question)
    return question


@login_required
def question_detail(request: HttpRequest, pk: int) -> HttpResponse:
    question = _question(request, pk)
    user = request.user
    steps = {step: question_may(user, step, question) for step in services.STEPS}
    period = (
        BonusPeriod.objects.filter(department=question.department, month=question.month)
        .only("pk")
        .first()
        if policy.can(user, Action.ANSWER_QUESTION, question)
        else None
    )
    return render(
        request,
        "compensation/question_detail.html",
        {
            "question": question,
            "events": question.events.select_related("actor__employee").order_by("at", "id"),
            "can": steps,
            "is_asker": policy.can(user, Action.CLOSE_QUESTION, question),
            "period": period,
            "form": MessageForm(),
        },
    )


def _step(
    request: HttpRequest, pk: int, step: str, run: Callable[..., Question], done: str
) -> HttpResponse:
    question = _question(request, pk)
    # Refuse outsiders before reading their form: a 403 says more than "invalid form".
    policy.require(request.user, services.STEPS[step][2], question)
    form = MessageForm(request.POST)
    if not form.is_valid():
        _say(request, form)
        return redirect("question_detail", pk=question.pk)
    try:
        run(user=request.user, question=question, text=form.cleaned_data["text"])
    except ValidationError as error:
        _say(request, form, error)
    else:
        messages.success(request, done)
    return redirect("question_detail", pk=question.pk)


@login_required
@require_POST
def question_answer(request: HttpRequest, pk: int) -> HttpResponse:
    return _step(
        request, pk, QuestionEvent.Action.ANSWER, services.question_answer, _("Answer sent.")
    )


@login_required
@require_POST
def question_pass(request: HttpRequest, pk: int) -> HttpResponse:
    return _step(
        request,
        pk,
        QuestionEvent.Action.PASS,
        services.question_pass,
        _("Passed to the commercial director."),
    )


@login_required
@require_POST
def question_close(request: HttpRequest, pk: int) -> HttpResponse:
    return _step(
        request, pk, QuestionEvent.Action.CLOSE, services.question_close, _("Question closed.")
    )


@login_required
@require_POST
def question_reopen(request: HttpRequest, pk: int) -> HttpResponse:
    return _step(
        request,
        pk,
        QuestionEvent.Action.REOPEN,
        services.question_reopen,
        _("Your question is open again."),
    )


def period_questions(user: Any, period: BonusPeriod, *, may_reopen: bool) -> list[Any]:
    """The open questions of the period's month, for its head and the director; with a
    reopen form each (the question named in the reason) when the director may reopen."""
    if not policy.can(user, Action.ANSWER_QUESTION, period):
        return []
    asked = QuestionEvent.objects.filter(question=OuterRef("pk"), action=QuestionEvent.Action.ASK)
    questions = list(
        policy.visible_questions(user)
        .filter(department=period.department, month=period.month, state__in=OPEN_STATES)
        .annotate(asked=Subquery(asked.values("text")[:1]))
        .order_by("asked_at", "id")
    )
    for question in questions:
        question.reopen_form = _reopen_form(period, question) if may_reopen else None
    return questions


def _reopen_form(period: BonusPeriod, question: Question) -> ReasonForm:
    reason = _("Question %(number)s from %(name)s about “%(line)s”: %(text)s") % {
        "number": question.pk,
        "name": question.asker.full_name,
        "line": question.get_line_display(),
        "text": question.asked,
    }
    return ReasonForm(
        initial={"expected_version": period.version, "reason": reason[:MAX_TEXT]},
        auto_id=f"id_q{question.pk}_%s",
    )


@login_required
@require_POST
def notice_dismiss(request: HttpRequest, pk: int) -> HttpResponse:
    notice = get_object_or_404(policy.visible_notices(request.user), pk=pk)
    notice_services.notice_dismiss(user=request.user, notice=notice)
    return redirect("home")
