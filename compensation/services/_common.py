"""What every workflow step shares: the row lock, the version check, the event row."""

from __future__ import annotations

from typing import Any

from django.db import models
from django.utils.translation import gettext as _

from compensation.errors import PeriodChanged, WorkflowError
from compensation.models import BonusPeriod, PeriodEvent, PeriodState


def remember(instance: models.Model, *, user: Any, reason: str) -> None:
    """Tell django-simple-history who made the next save and why."""
    instance._history_user = user
    instance._change_reason = reason


def lock_period(
    period: BonusPeriod, *, expected_version: int, states: tuple[str, ...]
) -> BonusPeriod:
    """Lock the period row and check it is still what the user saw.

    The lock makes two people acting at once queue up here; the second one then finds a
    newer version than the page they posted from, and is told to reload instead of
    silently overwriting the first one's work.
    """
    locked = BonusPeriod.objects.select_for_update().get(pk=period.pk)
    if locked.version != expected_version:
        raise PeriodChanged()
    if locked.state not in states:
        raise WorkflowError(
            _("This cannot be done while the period is “%(state)s”."),
            code="wrong_state",
            params={"state": PeriodState(locked.state).label},
        )
    return locked


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
        actor=user,
        comment=comment,
        details=details or {},
    )


def money(value: Any) -> str:
    """An amount as event details store it: a string with two decimals."""
    return f"{value:.2f}"
