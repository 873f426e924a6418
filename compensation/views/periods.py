"""Bonus period pages: close, the head's proposal, the director's review, the history.

Each view gets the period through the access policy, validates a form, calls one
service and redirects; the services lock the period row and check its version.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from accounts import policy
from accounts.policy import Action
from compensation import lifecycle, services
from compensation.engine import BonusInputError
from compensation.errors import PeriodChanged
from compensation.explain import frozen_result_before_awards
from compensation.models import BonusPeriod, PeriodEvent, ProposalLine, Revision
from compensation.notes import review_notes
from compensation.paid_changes import paid_changes, period_paid_changes, with_paid_changes
from compensation.selectors import (
    PersonEvidence,
    current_revision,
    period_evidence,
    period_members,
    period_result,
    previous_bonuses,
)
from compensation.services.corrections import corrects_paid
from compensation.statements import paid_difference
from compensation.views.inbox import period_questions
from compensation.workflow_forms import (
    MAX_TEXT,
    CommentForm,
    EditLineForm,
    PaidForm,
    ProposalForm,
    ReasonForm,
    RequiredCommentForm,
    VersionForm,
)
from core.forms import add_service_error
from core.numbers import parse_id


def _period(request: HttpRequest, pk: int) -> BonusPeriod:
    """A period the user may see at all; anything else is a 404, never a leak."""
    period = get_object_or_404(policy.visible_periods(request.user), pk=pk)
    policy.require(request.user, Action.VIEW_PERIOD, period)
    return period


def _refused(request: HttpRequest, error: ValidationError) -> None:
    for message in error.messages:
        messages.error(request, message)


def _to_detail(period: BonusPeriod) -> HttpResponse:
    return redirect("period_detail", pk=period.pk)


@login_required
def period_list(request: HttpRequest) -> HttpResponse:
    periods = list(
        with_paid_changes(policy.visible_periods(request.user)).order_by(
            "-month", "department__name"
        )[:200]
    )
    for period in periods:
        period.changes = paid_changes(period)
    return render(request, "compensation/period_list.html", {"periods": periods})


@login_required
@require_http_methods(["GET", "POST"])
def month_period(request: HttpRequest, department_id: int, month: dt.date) -> HttpResponse:
    """A department's month as a period: its page once it has one; before that, what
    closing it would freeze, from the live figures (nothing is created by looking)."""
    department = get_object_or_404(policy.visible_departments(request.user), pk=department_id)
    policy.require(request.user, Action.CLOSE_PERIOD, department)
    period = services.period_or_unsaved(department=department, month=month)
    if period.pk is not None:
        return _to_detail(period)
    return _close(request, period)


def _lines(revision: Revision) -> list[ProposalLine]:
    return list(revision.proposal.select_related("employee").order_by("employee__full_name"))


@login_required
def period_detail(request: HttpRequest, pk: int) -> HttpResponse:
    period = _period(request, pk)
    user = request.user
    live = lifecycle.takes_payments(period.state)
    context: dict[str, Any] = {"period": period, "live": live}
    if not live:
        revision = current_revision(period)
        context["revision"] = revision
        context["corrects_paid"] = corrects_paid(period, revision)
        context["paid_difference"] = paid_difference(period, revision)
        context["paid_changes"] = period_paid_changes(period)
        # A proposal still being decided counts in the figures only for those who see it.
        if policy.sees_adjusted_figures(user, revision):
            context["result"] = _safe_result(period, revision)
        else:
            context["result"] = frozen_result_before_awards(period)
            context["awards_pending"] = True
        context["show_adjustments"] = policy.can(user, Action.VIEW_ADJUSTMENTS, revision)
        context["lines"] = _lines(revision) if context["show_adjustments"] else []
        context["show_pay"] = policy.can(user, Action.VIEW_PAY_LINES, period)
        if context["show_pay"] and revision.is_approved:
            context["pay_lines"] = revision.pay_lines.select_related("employee").order_by("order")
        context["earlier"] = list(
            period.revisions.filter(approved_at__isnull=False, number__lt=revision.number)
            .select_related("period")
            .order_by("-number")
        )
        # Statements print the approved pay: for those who see it, once there is one.
        context["statements"] = context["show_pay"] and (
            revision.is_approved or bool(context["earlier"])
        )
    context["can"] = {
        "close": policy.may_now(user, "close", period),
        "propose": policy.may_now(user, "save_proposal", period),
        "review": policy.may_now(user, "approve", period),
        "reopen": policy.may_now(user, "reopen", period),
        "pay": policy.may_now(user, "pay", period),
        "export": policy.can(user, Action.EXPORT_PAYROLL, period),
        # Earlier approved revisions stay exportable, as history.
        "export_history": any(
            policy.can(user, Action.EXPORT_PAYROLL, old) for old in context.get("earlier", [])[:1]
        ),
    }
    context["reopen_form"] = ReasonForm(initial={"expected_version": period.version})
    context["paid_form"] = PaidForm(
        initial={"expected_version": period.version, "paid_on": timezone.localdate()}
    )
    context["notes"] = None if live else review_notes(period)
    context["questions"] = period_questions(user, period, may_reopen=context["can"]["reopen"])
    return render(request, "compensation/period_detail.html", context)


def _safe_result(period: BonusPeriod, revision: Revision) -> Any:
    try:
        return period_result(period, revision)
    except BonusInputError:
        # A proposal saved earlier can no longer fit (e.g. after a reopen); the lines
        # page says why. The figures before awards are still shown.
        return None


@login_required
@require_http_methods(["GET", "POST"])
def period_close_view(request: HttpRequest, pk: int) -> HttpResponse:
    return _close(request, _period(request, pk))


def _close(request: HttpRequest, period: BonusPeriod) -> HttpResponse:
    """The close screen and its confirmation; ``period`` may be an unsaved one standing
    for a month without a period yet, which the close creates."""
    form = VersionForm(request.POST or None, initial={"expected_version": period.version})
    if request.method == "POST" and form.is_valid():
        try:
            closed = services.period_close(
                user=request.user,
                period=period,
                expected_version=form.cleaned_data["expected_version"],
            )
        except ValidationError as error:
            _refused(request, error)
        else:
            messages.success(request, _("The period is closed; its figures are frozen."))
            return _to_detail(closed)
    try:
        preview = services.period_close_preview(user=request.user, period=period)
    except ValidationError as error:
        _refused(request, error)
        return _to_detail(period)
    return render(
        request,
        "compensation/period_close.html",
        {"period": period, "preview": preview, "form": form},
    )


# --- the head's proposal -------------------------------------------------------------


def _proposal_form(request: HttpRequest, period: BonusPeriod, data: Any = None) -> ProposalForm:
    revision = current_revision(period)
    lines = {line.employee_id: line for line in revision.proposal.all()}
    return ProposalForm(
        data,
        members=period_members(period),
        lines=lines,
        initial={"expected_version": period.version},
    )


@login_required
@require_http_methods(["GET", "POST"])
def proposal_view(request: HttpRequest, pk: int) -> HttpResponse:
    return _proposal(request, pk, send=False)


@login_required
@require_POST
def proposal_submit_view(request: HttpRequest, pk: int) -> HttpResponse:
    """Send the proposal as it stands on the form: saved first, then submitted."""
    return _proposal(request, pk, send=True)


def _proposal(request: HttpRequest, pk: int, *, send: bool) -> HttpResponse:
    period = _period(request, pk)
    policy.require(request.user, Action.PROPOSE, period)
    if lifecycle.takes_payments(period.state):
        messages.info(request, _("The month is still open: close it before proposing."))
        return _to_detail(period)
    form = _proposal_form(request, period, request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            _proposal_write(request, period, form, send=send)
        except PeriodChanged as error:
            _refused(request, error)
            return redirect("proposal", pk=period.pk)
        except ValidationError as error:
            add_service_error(form, error)
        else:
            if send:
                messages.success(request, _("The proposal is sent to the commercial director."))
                return _to_detail(period)
            messages.success(request, _("The proposal is saved."))
            return redirect("proposal", pk=period.pk)
    return render(request, "compensation/proposal.html", _proposal_context(period, form))


def _proposal_write(
    request: HttpRequest, period: BonusPeriod, form: ProposalForm, *, send: bool
) -> None:
    data = form.cleaned_data
    if send:
        services.proposal_submit(
            user=request.user,
            period=period,
            expected_version=data["expected_version"],
            comment=data["comment"],
            lines=form.lines(),
        )
    else:
        services.proposal_save(
            user=request.user,
            period=period,
            expected_version=data["expected_version"],
            lines=form.lines(),
        )


def _proposal_context(period: BonusPeriod, form: ProposalForm) -> dict[str, Any]:
    preview = None
    if not form.is_bound:
        preview = _safe_result(period, current_revision(period))
    return {
        "period": period,
        "form": form,
        "preview": preview,
        "notes": review_notes(period),
        "editable": lifecycle.can("save_proposal", period.state),
        "can_send": lifecycle.can("submit", period.state),
    }


@login_required
@require_POST
def proposal_preview(request: HttpRequest, pk: int) -> HttpResponse:
    """The live preview: each person's bonus for the figures as typed, from the engine."""
    period = _period(request, pk)
    policy.require(request.user, Action.PROPOSE, period)
    if lifecycle.takes_payments(period.state):
        raise Http404
    form = _proposal_form(request, period, request.POST)
    result, problems = None, []
    if form.is_valid():
        try:
            result = services.proposal_preview(user=request.user, period=period, lines=form.lines())
        except ValidationError as error:
            problems = _row_problems(form, error)
    else:
        problems = _row_problems(form, ValidationError(form.errors))
    return render(
        request,
        "compensation/_proposal_preview.html",
        {"preview": result, "problems": problems, "members": period_members(period)},
    )


def _row_problems(form: ProposalForm, error: ValidationError) -> list[str]:
    """Each problem with the person and the field it concerns: "Vasya, Deduction: …"."""
    if not hasattr(error, "error_dict"):
        return error.messages
    return [
        f"{form.field_title(name)}: {message}" if name in form.fields else message
        for name, errors in error.error_dict.items()
        for message in ValidationError(errors).messages
    ]


# --- the director's review ---------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def review_view(request: HttpRequest, pk: int) -> HttpResponse:
    period = _period(request, pk)
    policy.require(request.user, Action.REVIEW, period)
    if not lifecycle.can("approve", period.state):
        messages.info(request, _("There is no proposal to review in this period now."))
        return _to_detail(period)
    edit_form = EditLineForm(request.POST or None)
    failed: dict[str, Any] | None = None
    if request.method == "POST":
        problems = _edit_line(request, period, edit_form)
        if not problems:
            return redirect("review", pk=period.pk)
        # The refused change stays on its row with what was typed, to be corrected there.
        failed = {"employee": parse_id(request.POST.get("employee")), "problems": problems}
    revision = current_revision(period)
    lines = _lines(revision)
    evidence = period_evidence(period)
    _add_context(lines, previous_bonuses(period), evidence)
    for line in lines:
        line.edit_problems = (
            failed["problems"] if failed and failed["employee"] == line.employee_id else []
        )
    if failed and not any(line.edit_problems for line in lines):
        for problem in failed["problems"]:
            messages.error(request, problem)
    return render(
        request,
        "compensation/review.html",
        {
            "period": period,
            "revision": revision,
            "lines": lines,
            "result": _safe_result(period, revision),
            "approve_form": CommentForm(initial={"expected_version": period.version}),
            "return_form": RequiredCommentForm(initial={"expected_version": period.version}),
            "own_proposal": revision.proposed_by_id == request.user.pk,
            "notes": review_notes(period),
            "typed": request.POST if failed else {},
            "reason_max": MAX_TEXT,
            "evidence": evidence,
        },
    )


def _add_context(
    lines: list[ProposalLine], last_month: dict[int, Decimal], evidence: list[PersonEvidence]
) -> None:
    """Beside each line: the person's bonus the month before and what they collected."""
    collected = {person.employee.pk: person.collected for person in evidence}
    for line in lines:
        line.last_bonus = last_month.get(line.employee_id)
        line.collected = collected.get(line.employee_id)


def _edit_line(request: HttpRequest, period: BonusPeriod, form: EditLineForm) -> list[str]:
    """Apply the director's change to one line; the problems, by field, if refused."""
    if not form.is_valid():
        return _labelled(form, ValidationError(form.errors))
    data = form.cleaned_data
    member = next((m for m in period_members(period) if m.employee_id == data["employee"]), None)
    if member is None:
        return [_("This person is not on the period's staff.")]
    try:
        services.proposal_edit(
            user=request.user,
            period=period,
            expected_version=data["expected_version"],
            employee=member.employee,
            award=data["award"],
            deduction=data["deduction"],
            reason=data["reason"],
        )
    except ValidationError as error:
        return _labelled(form, error)
    messages.success(
        request, _("%(name)s's line is changed.") % {"name": member.employee.full_name}
    )
    return []


def _labelled(form: EditLineForm, error: ValidationError) -> list[str]:
    if not hasattr(error, "error_dict"):
        return error.messages
    return [
        f"{form.fields[name].label}: {message}" if name in form.fields else message
        for name, errors in error.error_dict.items()
        for message in ValidationError(errors).messages
    ]


def _transition(
    request: HttpRequest, pk: int, action: Action, form_class: type, run: Any, done: str
) -> HttpResponse:
    period = _period(request, pk)
    # Refuse outsiders before reading their form: a 403 says more than "invalid form".
    policy.require(request.user, action, period)
    form = form_class(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            for message in errors:
                messages.error(request, message)
        return _to_detail(period)
    try:
        run(period, form.cleaned_data)
    except ValidationError as error:
        _refused(request, error)
    else:
        messages.success(request, done)
    return _to_detail(period)


@login_required
@require_POST
def approve_view(request: HttpRequest, pk: int) -> HttpResponse:
    return _transition(
        request,
        pk,
        Action.REVIEW,
        CommentForm,
        lambda period, data: services.period_approve(
            user=request.user,
            period=period,
            expected_version=data["expected_version"],
            comment=data["comment"],
        ),
        _("Approved. The accountant can now export the payroll."),
    )


@login_required
@require_POST
def return_view(request: HttpRequest, pk: int) -> HttpResponse:
    return _transition(
        request,
        pk,
        Action.REVIEW,
        RequiredCommentForm,
        lambda period, data: services.period_return(
            user=request.user,
            period=period,
            expected_version=data["expected_version"],
            comment=data["comment"],
        ),
        _("Returned to the head with your comment."),
    )


@login_required
@require_POST
def reopen_view(request: HttpRequest, pk: int) -> HttpResponse:
    return _transition(
        request,
        pk,
        Action.REOPEN,
        ReasonForm,
        lambda period, data: services.period_reopen(
            user=request.user,
            period=period,
            expected_version=data["expected_version"],
            reason=data["reason"],
        ),
        _("Reopened as a new revision; the approved one stays on record."),
    )


# --- history -------------------------------------------------------------------------


@login_required
def history_view(request: HttpRequest, pk: int) -> HttpResponse:
    period = _period(request, pk)
    events = period.events.select_related("actor__employee").order_by("at", "id")
    show_pay = policy.can(request.user, Action.VIEW_PAY_LINES, period)
    line_history = []
    if show_pay:
        line_history = (
            ProposalLine.history.filter(revision__period=period)
            .select_related("history_user__employee", "employee", "revision")
            .order_by("history_date")
        )
    return render(
        request,
        "compensation/period_history.html",
        {
            "period": period,
            "events": events,
            "line_history": line_history,
            "show_pay": show_pay,
            "actions": PeriodEvent.Action,
        },
    )
