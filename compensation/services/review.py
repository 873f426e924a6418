"""The director's decision (return, approve, reopen) and the accountant's "paid"."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from accounts.policy import Action, require
from compensation.engine import BonusInputError, BonusResult
from compensation.engine_messages import engine_message
from compensation.errors import WorkflowError
from compensation.models import (
    BonusPeriod,
    PayLine,
    PeriodEvent,
    PeriodMember,
    PeriodState,
    ProposalLine,
    Revision,
)
from compensation.scenario import result_to_json
from compensation.selectors import current_revision, period_members, period_result, staff_key
from compensation.services._common import (
    announce,
    create_lines,
    lock_period,
    money,
    move,
    record_event,
    remember,
    save_period,
)
from compensation.services.corrections import (
    correction_recount,
    corrections_record,
    corrections_settle,
)


def _required(text: str, field: str, message: str) -> str:
    text = (text or "").strip()
    if not text:
        raise ValidationError({field: message})
    return text


@transaction.atomic
def period_return(
    *, user: Any, period: BonusPeriod, expected_version: int, comment: str
) -> BonusPeriod:
    """Send the proposal back to the head with a comment (proposed → closed).

    The director's edits are taken out so the head works on their own figures again;
    the event keeps what they were, and the comment says what the director wants.
    """
    require(user, Action.REVIEW, period)
    comment = _required(comment, "comment", _("Say why the proposal goes back to the head."))
    period = lock_period(period, expected_version=expected_version, action="return")
    revision = current_revision(period)
    withdrawn = _withdraw_edits(revision, user=user, comment=comment)
    revision.proposed_by = None
    revision.proposed_at = None
    revision.save(update_fields=["proposed_by", "proposed_at"])
    left = move(period, "return")
    save_period(period, user=user, reason=comment)
    event = record_event(
        period,
        user=user,
        action=PeriodEvent.Action.RETURN,
        from_state=left,
        comment=comment,
        details={"withdrawn_edits": withdrawn},
    )
    announce(event)
    return period


def _withdraw_edits(revision: Revision, *, user: Any, comment: str) -> list[dict]:
    withdrawn = []
    for line in revision.proposal.select_related("employee"):
        if not line.is_edited:
            continue
        withdrawn.append(
            {
                "employee": line.employee.personnel_number,
                "award": money(line.award),
                "deduction": money(line.deduction),
                "reason": line.director_reason,
            }
        )
        line.approved_award = line.approved_deduction = None
        line.director_reason = ""
        remember(line, user=user, reason=comment)
        line.save()
    return withdrawn


@transaction.atomic
def period_approve(
    *, user: Any, period: BonusPeriod, expected_version: int, comment: str = ""
) -> BonusPeriod:
    """Approve the proposal as it stands; the engine's lines are stored as pay lines."""
    require(user, Action.REVIEW, period)
    period = lock_period(period, expected_version=expected_version, action="approve")
    revision = current_revision(period)
    # Four eyes: whoever proposed never approves, even when they hold both roles.
    if revision.proposed_by_id == user.pk:
        raise WorkflowError(
            _("You submitted this proposal; another commercial director must approve it."),
            code="four_eyes",
        )
    members = period_members(period)
    try:
        result = period_result(period, revision, members)
    except BonusInputError as error:
        raise WorkflowError(engine_message(error), code="engine") from None
    revision.result = result_to_json(result)
    revision.approved_by = user
    revision.approved_at = timezone.now()
    revision.save(update_fields=["result", "approved_by", "approved_at"])
    _store_pay_lines(period, revision, result, members)
    # A paid month's correction: its differences go to a later payroll; and the
    # corrections due in this month are taken from its bonuses.
    corrections_record(period=period, revision=revision)
    corrections_settle(period=period, revision=revision)
    left = move(period, "approve")
    save_period(period, user=user, reason=comment or _("Approved"))
    event = record_event(
        period,
        user=user,
        action=PeriodEvent.Action.APPROVE,
        from_state=left,
        comment=comment,
        details={"head": revision.result["head"], "staff_pool": revision.result["staff_pool"]},
    )
    announce(event)
    return period


def _store_pay_lines(
    period: BonusPeriod, revision: Revision, result: BonusResult, members: list[PeriodMember]
) -> None:
    head = PayLine(
        revision=revision,
        employee=period.head,
        is_head=True,
        order=0,
        equal_share=0,
        award=0,
        deduction=0,
        bonus=result.head,
        base_salary=result.head_base_salary,
        total=result.head_pay,
    )
    staff = [
        PayLine(
            revision=revision,
            employee=member.employee,
            order=member.order,
            equal_share=line.equal_share,
            award=line.award,
            deduction=line.deduction,
            bonus=line.bonus,
            base_salary=line.base_salary,
            total=line.pay,
        )
        for member in members
        for line in [result.line(staff_key(member.employee))]
    ]
    PayLine.objects.bulk_create([head, *staff])


@transaction.atomic
def period_reopen(
    *, user: Any, period: BonusPeriod, expected_version: int, reason: str
) -> BonusPeriod:
    """Correct an approved period: a new revision starts from what was approved.

    Nothing of the approved revision changes: its result and pay lines stay as
    history. The new revision's proposal is the approved figures, for the head to amend.
    """
    require(user, Action.REOPEN, period)
    reason = _required(reason, "reason", _("Say why the period is reopened."))
    period = lock_period(period, expected_version=expected_version, action="reopen")
    previous = current_revision(period)
    revision = Revision.objects.create(
        period=period, number=previous.number + 1, reopen_reason=reason
    )
    carried = [
        ProposalLine(
            revision=revision,
            employee_id=old.employee_id,
            proposed_award=old.award,
            proposed_deduction=old.deduction,
            reason=old.director_reason if old.is_edited else old.reason,
        )
        for old in previous.proposal.all()
    ]
    create_lines(carried, user=user, reason=reason)
    if period.state == PeriodState.PAID:
        # Payments recorded in the paid month since (or voided in its correction) count in
        # the correction: what was paid stays on the paid revision.
        correction_recount(period, revision)
    period.revision = revision.number
    left = move(period, "reopen")
    save_period(period, user=user, reason=reason)
    record_event(
        period,
        user=user,
        action=PeriodEvent.Action.REOPEN,
        from_state=left,
        comment=reason,
        details={"previous_revision": previous.number},
    )
    return period


@transaction.atomic
def period_mark_paid(
    *, user: Any, period: BonusPeriod, expected_version: int, paid_on: dt.date | None = None
) -> BonusPeriod:
    """The accountant confirms the approved payroll was paid (approved → paid).

    ``paid_on`` is the day of the payment (today unless said): never in the future, never
    before the approval. The event keeps it; ``paid_at`` is when it was recorded.
    """
    require(user, Action.MARK_PAID, period)
    period = lock_period(period, expected_version=expected_version, action="pay")
    revision = current_revision(period)
    paid_on = _payment_day(paid_on, revision)
    revision.paid_by = user
    revision.paid_at = timezone.now()
    revision.save(update_fields=["paid_by", "paid_at"])
    left = move(period, "pay")
    save_period(period, user=user, reason=_("Marked paid"))
    event = record_event(
        period,
        user=user,
        action=PeriodEvent.Action.PAY,
        from_state=left,
        details={"paid_on": paid_on.isoformat()},
    )
    announce(event)
    return period


def _payment_day(paid_on: dt.date | None, revision: Revision) -> dt.date:
    today = timezone.localdate()
    if paid_on is None:
        return today
    if paid_on > today:
        raise ValidationError({"paid_on": _("The payment date cannot be in the future.")})
    approved_on = timezone.localdate(revision.approved_at)
    if paid_on < approved_on:
        raise ValidationError(
            {
                "paid_on": _("The payment date cannot be before the approval, %(date)s.")
                % {"date": formats.date_format(approved_on, "SHORT_DATE_FORMAT")}
            }
        )
    return paid_on
