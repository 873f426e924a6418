"""What every workflow step shares: the row lock, the version check, the event row."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models, transaction
from django.utils import translation
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history

from accounts.policy import recorded_user
from compensation import lifecycle
from compensation.errors import ImmutableRecord, PeriodChanged
from compensation.models import BonusPeriod, PeriodEvent, ProposalLine
from compensation.tasks import send_period_event_mail

# django-simple-history keeps a change's reason in 100 characters; the whole reason
# stays on the record itself (a line's ``reason``, the event's ``comment``).
CHANGE_REASON_LENGTH = 100


def remember(instance: models.Model, *, user: Any, reason: str) -> None:
    """Tell django-simple-history who made the next save and why (the system: no user)."""
    instance._history_user = recorded_user(user)
    instance._change_reason = short_reason(reason)


def short_reason(reason: str) -> str:
    """``reason`` cut to the history's column, with an ellipsis where it was cut."""
    reason = " ".join(reason.split())
    if len(reason) <= CHANGE_REASON_LENGTH:
        return reason
    return reason[: CHANGE_REASON_LENGTH - 1] + "…"


def create_lines(lines: list[ProposalLine], *, user: Any, reason: str) -> None:
    """A new revision's proposal lines and their history rows: two queries, not three a line.

    ``ProposalLine.save`` would ask the database, line by line, whether the revision is
    approved; the lines' revision was created in this transaction, so its own fields
    answer. (On PostgreSQL the trigger of migration 0002 checks every row anyway.)
    """
    if any(line.revision.is_approved for line in lines):
        raise ImmutableRecord(
            _("The proposal of an approved revision never changes; reopen the period.")
        )
    bulk_create_with_history(
        lines,
        ProposalLine,
        default_user=recorded_user(user),
        default_change_reason=short_reason(reason),
    )


def lock_period(period: BonusPeriod, *, expected_version: int, action: str) -> BonusPeriod:
    """Lock the period row and check it is still what the user saw, and that its state
    allows ``action`` (asked before the lock too, then again on the row as locked).

    The lock makes two people acting at once queue up here; the second one then finds a
    newer version than the page they posted from, and is told to reload instead of
    silently overwriting the first one's work.

    The department, its head and the head at close come with the row (only the
    period's row is locked): every step reads one of them, and each would be a query.
    """
    lifecycle.require(action, period)
    locked = (
        BonusPeriod.objects.select_for_update(of=("self",))
        .select_related("department__head", "head")
        .get(pk=period.pk)
    )
    if locked.version != expected_version:
        raise PeriodChanged()
    lifecycle.require(action, locked)
    return locked


def move(period: BonusPeriod, action: str) -> str:
    """Put the locked period in the state ``action`` leads to; the state it left."""
    left = period.state
    period.state = lifecycle.target(action)
    return left


def save_period(period: BonusPeriod, *, user: Any, reason: str) -> None:
    """Save a write to the period, bumping its version so stale forms are refused."""
    period.version += 1
    remember(period, user=user, reason=reason)
    period.save()


def record_event(
    period: BonusPeriod,
    *,
    user: Any,
    action: str,
    from_state: str,
    comment: str = "",
    details: dict | None = None,
) -> PeriodEvent:
    return PeriodEvent.objects.create(
        period=period,
        revision=period.revision,
        action=action,
        from_state=from_state,
        to_state=period.state,
        actor=recorded_user(user),
        comment=comment,
        details=details or {},
    )


def announce(event: PeriodEvent) -> None:
    """E-mail the people the step concerns, from the worker, once the step has committed.

    Nobody hears of a step that was rolled back, and the request never waits for the
    mail server. ``robust``: a queue that cannot take the job is logged, and the step,
    committed by then, stands.
    """
    language = translation.get_language() or settings.LANGUAGE_CODE
    transaction.on_commit(
        lambda: send_period_event_mail.enqueue(event_id=event.pk, language=language),
        robust=True,
    )


def money(value: Any) -> str:
    """An amount as event details store it: a string with two decimals."""
    return f"{value:.2f}"
