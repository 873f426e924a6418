"""The bonus period's lifecycle (SPEC section 6): the one place that lists its states' moves.

A period is ``open`` while its month runs, then ``closed`` (figures frozen), ``proposed``
(the head submitted), ``approved`` and ``paid``. The director may return a proposal
(back to ``closed``) or reopen an approved period as a new revision (``closed`` again);
a paid one too: the new revision's differences from what was paid are paid with a later
month's payroll (``services.corrections``).

Services ask here whether a step is allowed, before they lock the period and again
after re-reading it under the lock; the access policy asks here for "may this user do
this now"; views ask which buttons to show; payments ask whether a month takes
payments. Who may act on *which* department stays the policy's business: ``roles``
says which roles a step belongs to, the policy decides for a given user and period.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from django.db import connection
from django.db.transaction import TransactionManagementError
from django.utils.translation import gettext_lazy as _

from accounts.models import Role
from accounts.policy import Action
from compensation.errors import WorkflowError
from compensation.models import PeriodState

OPEN = PeriodState.OPEN
CLOSED = PeriodState.CLOSED
PROPOSED = PeriodState.PROPOSED
APPROVED = PeriodState.APPROVED
PAID = PeriodState.PAID


@dataclass(frozen=True)
class Transition:
    """One workflow step: from which states, to which state, whose step it is."""

    action: str  # as the period's event records it (PeriodEvent.Action)
    sources: frozenset[str]
    target: str
    roles: frozenset[str]  # Role values; the policy decides for a user and a department
    permission: Action  # the policy's rule that guards the step


def _step(
    action: str, sources: set[str], target: str, roles: set[str], permission: Action
) -> Transition:
    return Transition(action, frozenset(sources), target, frozenset(roles), permission)


TRANSITIONS: dict[str, Transition] = {
    t.action: t
    for t in (
        _step("close", {OPEN}, CLOSED, {Role.HEAD, Role.DIRECTOR}, Action.CLOSE_PERIOD),
        _step("save_proposal", {CLOSED}, CLOSED, {Role.HEAD}, Action.PROPOSE),
        _step("submit", {CLOSED}, PROPOSED, {Role.HEAD}, Action.PROPOSE),
        _step("edit", {PROPOSED}, PROPOSED, {Role.DIRECTOR}, Action.REVIEW),
        _step("return", {PROPOSED}, CLOSED, {Role.DIRECTOR}, Action.REVIEW),
        _step("approve", {PROPOSED}, APPROVED, {Role.DIRECTOR}, Action.REVIEW),
        _step("reopen", {APPROVED, PAID}, CLOSED, {Role.DIRECTOR}, Action.REOPEN),
        _step("pay", {APPROVED}, PAID, {Role.ACCOUNTANT}, Action.MARK_PAID),
    )
}

# The month is over from close on: it takes no payments, its figures are frozen.
FROZEN = frozenset({CLOSED, PROPOSED, APPROVED, PAID})
# The pay is fixed from approval on: the accountant's states, the payroll's.
SETTLED = frozenset({APPROVED, PAID})
# A paid month reopened is corrected while its new revision is worked on (``closed``):
# then, and only then, a payment of it may be voided (``services.corrections``).
CORRECTED_IN = CLOSED


def transition(action: str) -> Transition:
    try:
        return TRANSITIONS[action]
    except KeyError:
        raise ValueError(f"unknown workflow action {action!r}") from None


def can(action: str, state: str | None) -> bool:
    """Whether ``action`` may be taken on a period in ``state`` (None: no period yet).

    A month without a period is as good as open: closing it creates the period first.
    """
    return (OPEN if state is None else state) in transition(action).sources


def target(action: str) -> str:
    return transition(action).target


def actions_from(state: str | None) -> tuple[str, ...]:
    """Every step a period in ``state`` can take, in the table's order."""
    return tuple(action for action in TRANSITIONS if can(action, state))


def takes_payments(state: str | None) -> bool:
    """Whether a month whose period is in ``state`` takes payments (None: no period yet).

    Only a running month does: its figures are live. From close on they are frozen.
    """
    return state not in FROZEN


def takes_late_payments(state: str | None) -> bool:
    """Whether a month whose period is in ``state`` records a payment dated in it after all.

    A paid month does: what was paid never changes, the payment is recorded beside it,
    and the month differs from what was paid until a correction counts it in (a reopen
    recounts the month). Every other frozen month refuses: its pay is still being decided,
    or being corrected, and would silently miss the payment.
    """
    return state == PAID


def is_settled(state: str | None) -> bool:
    """The period's pay is approved (and maybe paid): what the accountant works with."""
    return state in SETTLED


def require(action: str, period: object) -> None:
    """Refuse ``action`` unless the period's current state allows it."""
    state = getattr(period, "state", None)
    if can(action, state):
        return
    raise WorkflowError(
        _("This cannot be done while the period is “%(state)s”."),
        code="wrong_state",
        params={"state": PeriodState(state).label},
    )


# --- the month lock ----------------------------------------------------------------------
# A month takes payments until it closes. So that a close and a write of payments never
# interleave, both hold the month (department × month) for the rest of their
# transaction: a PostgreSQL advisory lock, which needs no row to exist (a month without
# a period takes payments too, and nothing is created for it). The close counts every
# payment committed before it; a write that had to wait finds the month closed.

_MONTH_LOCK = 0x7E71  # the key's top 16 bits, so no other advisory lock can meet it


def _month_key(department_id: int, month: dt.date) -> int:
    if not 0 < department_id < 2**32:
        raise ValueError(f"department id {department_id} does not fit the month lock's key")
    return (_MONTH_LOCK << 48) | (department_id << 16) | (month.year * 12 + month.month - 1)


def hold_months(pairs: Iterable[tuple[int, dt.date]]) -> None:
    """Hold the (department id, month's first day) pairs until this transaction ends.

    In key order, so two holders of several months cannot deadlock.
    """
    keys = sorted({_month_key(department, month) for department, month in pairs})
    if not keys:
        return
    if not connection.in_atomic_block:
        raise TransactionManagementError("hold_months() outside a transaction holds nothing.")
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(pg_advisory_xact_lock(key))"
            " FROM (SELECT unnest(%s::bigint[]) AS key ORDER BY 1) AS ordered",
            [keys],
        )
