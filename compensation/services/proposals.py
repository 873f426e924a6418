"""The head's proposal (awards and deductions with reasons) and the director's edits."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Employee
from accounts.policy import Action, require
from compensation.engine import BonusResult
from compensation.models import BonusPeriod, PeriodEvent, ProposalLine
from compensation.selectors import current_revision
from compensation.services._amounts import check_with_engine, parse_amount
from compensation.services._common import (
    announce,
    lock_period,
    money,
    move,
    record_event,
    remember,
    save_period,
)

# award, deduction, reason: as typed into the proposal form
LineInput = tuple[Any, Any, str]


def line_field(kind: str, employee_id: int) -> str:
    """The proposal form's field for one person's ``award``, ``deduction`` or ``reason``."""
    return f"{kind}_{employee_id}"


@transaction.atomic
def proposal_save(
    *,
    user: Any,
    period: BonusPeriod,
    expected_version: int,
    lines: Mapping[int, LineInput],
) -> BonusPeriod:
    """The head saves awards and deductions; lines not given keep their values."""
    require(user, Action.PROPOSE, period)
    period = lock_period(period, expected_version=expected_version, action="save_proposal")
    revision = current_revision(period)
    existing = {line.employee_id: line for line in revision.proposal.select_related("employee")}
    parsed = _parse_lines(lines, existing)
    amounts = {pk: (line.award, line.deduction) for pk, line in existing.items()}
    amounts.update({pk: (award, deduction) for pk, (award, deduction, _r) in parsed.items()})
    check_with_engine(period, amounts, line_field)
    changes = []
    for pk, (award, deduction, reason) in parsed.items():
        line = existing[pk]
        if (line.proposed_award, line.proposed_deduction, line.reason) == (
            award,
            deduction,
            reason,
        ):
            continue
        changes.append(_change(line, award, deduction, reason))
        line.proposed_award, line.proposed_deduction, line.reason = award, deduction, reason
        remember(line, user=user, reason=reason or _("Award and deduction cleared"))
        line.save()
    left = move(period, "save_proposal")
    save_period(period, user=user, reason=_("Proposal saved"))
    record_event(
        period,
        user=user,
        action=PeriodEvent.Action.SAVE_PROPOSAL,
        from_state=left,
        details={"changes": changes},
    )
    return period


def proposal_preview(
    *, user: Any, period: BonusPeriod, lines: Mapping[int, LineInput]
) -> BonusResult:
    """What the proposal as typed would pay each person; saves nothing.

    The same parsing and engine checks as ``proposal_save``, so the live preview and
    the saved proposal can never disagree; invalid input raises the same errors.
    """
    require(user, Action.PROPOSE, period)
    revision = current_revision(period)
    existing = {line.employee_id: line for line in revision.proposal.all()}
    parsed = _parse_lines(lines, existing)
    amounts = {pk: (line.award, line.deduction) for pk, line in existing.items()}
    amounts.update({pk: (award, deduction) for pk, (award, deduction, _r) in parsed.items()})
    return check_with_engine(period, amounts, line_field)


def _parse_lines(
    lines: Mapping[int, LineInput], existing: Mapping[int, ProposalLine]
) -> dict[int, tuple[Decimal, Decimal, str]]:
    errors: dict[str, list[str]] = {}
    parsed = {}
    for pk, (award_raw, deduction_raw, reason_raw) in lines.items():
        if pk not in existing:
            errors.setdefault("__all__", []).append(
                _("Employee %(id)s is not on this period's staff.") % {"id": pk}
            )
            continue
        award = parse_amount(award_raw, line_field("award", pk), errors)
        deduction = parse_amount(deduction_raw, line_field("deduction", pk), errors)
        reason = (reason_raw or "").strip()
        if (award or deduction) and not reason:
            errors.setdefault(line_field("reason", pk), []).append(
                _("An award or a deduction needs a reason.")
            )
        parsed[pk] = (award, deduction, reason)
    if errors:
        raise ValidationError(errors)
    return parsed


def _change(line: ProposalLine, award: Decimal, deduction: Decimal, reason: str) -> dict:
    """Old and new values of one line, as the event log keeps them."""
    return {
        "employee": line.employee.personnel_number,
        "old": {"award": money(line.award), "deduction": money(line.deduction)},
        "new": {"award": money(award), "deduction": money(deduction)},
        "reason": reason,
    }


@transaction.atomic
def proposal_submit(
    *,
    user: Any,
    period: BonusPeriod,
    expected_version: int,
    comment: str = "",
    lines: Mapping[int, LineInput] | None = None,
) -> BonusPeriod:
    """The head hands the proposal to the commercial director (closed → proposed).

    ``lines``, the form as it stands on the head's page, are saved first by the same
    rules as :func:`proposal_save`, in the same transaction: what is sent is what the
    head sees, and a refused line sends nothing.
    """
    require(user, Action.PROPOSE, period)
    if lines is not None:
        period = proposal_save(
            user=user, period=period, expected_version=expected_version, lines=lines
        )
        expected_version = period.version
    period = lock_period(period, expected_version=expected_version, action="submit")
    revision = current_revision(period)
    lines = revision.proposal.all()
    check_with_engine(
        period, {line.employee_id: (line.award, line.deduction) for line in lines}, line_field
    )
    revision.proposed_by = user
    revision.proposed_at = timezone.now()
    revision.save(update_fields=["proposed_by", "proposed_at"])
    left = move(period, "submit")
    save_period(period, user=user, reason=comment or _("Proposal submitted"))
    event = record_event(
        period,
        user=user,
        action=PeriodEvent.Action.SUBMIT,
        from_state=left,
        comment=comment,
    )
    announce(event)
    return period


@transaction.atomic
def proposal_edit(
    *,
    user: Any,
    period: BonusPeriod,
    expected_version: int,
    employee: Employee,
    award: Any,
    deduction: Any,
    reason: str,
) -> BonusPeriod:
    """The director's award and deduction for one person, kept beside the head's.

    Setting the head's own figures again takes the director's edit back out.
    """
    require(user, Action.REVIEW, period)
    period = lock_period(period, expected_version=expected_version, action="edit")
    revision = current_revision(period)
    line = revision.proposal.filter(employee=employee).first()
    if line is None:
        raise ValidationError(_("%(name)s is not on this period's staff.") % {"name": employee})
    new_award, new_deduction, reason = _parse_edit(award, deduction, reason)
    amounts = {
        other.employee_id: (other.award, other.deduction) for other in revision.proposal.all()
    }
    amounts[line.employee_id] = (new_award, new_deduction)
    check_with_engine(period, amounts, lambda kind, _pk: kind)
    change = _change(line, new_award, new_deduction, reason)
    _apply_edit(line, new_award, new_deduction, reason)
    remember(line, user=user, reason=reason)
    line.save()
    left = move(period, "edit")
    save_period(period, user=user, reason=reason)
    record_event(
        period,
        user=user,
        action=PeriodEvent.Action.EDIT,
        from_state=left,
        comment=reason,
        details={"changes": [change]},
    )
    return period


def _parse_edit(award: Any, deduction: Any, reason: str) -> tuple[Decimal, Decimal, str]:
    errors: dict[str, list[str]] = {}
    new_award = parse_amount(award, "award", errors)
    new_deduction = parse_amount(deduction, "deduction", errors)
    reason = (reason or "").strip()
    if not reason:
        errors["reason"] = [_("Say why you change the head's proposal.")]
    if errors:
        raise ValidationError(errors)
    return new_award, new_deduction, reason


def _apply_edit(line: ProposalLine, award: Decimal, deduction: Decimal, reason: str) -> None:
    if (award, deduction) == (line.proposed_award, line.proposed_deduction):
        line.approved_award = line.approved_deduction = None
        line.director_reason = ""
    else:
        line.approved_award, line.approved_deduction = award, deduction
        line.director_reason = reason
