"""What needs a person now: the start page's lists and the navigation bar's counters.

Reads only, each list scoped by the policy. The counters cost a fixed number of queries
whatever the data (one or two per role), since the navigation bar asks on every page.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Exists, OuterRef, Q, QuerySet, Subquery
from django.utils import timezone

from accounts import policy
from accounts.models import Role
from compensation import lifecycle
from compensation.explain import my_pay_months
from compensation.models import (
    BonusPeriod,
    MonthlyScheme,
    Notice,
    PeriodEvent,
    Question,
    QuestionState,
)
from compensation.notices import Told, notice_text

SHOWN = 12  # of each list on the start page; the period list has the rest


@dataclass(frozen=True)
class Worklist:
    """One person's start page: each list empty where the role has nothing to do there."""

    to_close: list[MonthlyScheme] = field(default_factory=list)  # ended months, still open
    to_propose: list[BonusPeriod] = field(default_factory=list)  # closed, no proposal sent
    to_review: list[BonusPeriod] = field(default_factory=list)  # proposals waiting
    to_pay: list[BonusPeriod] = field(default_factory=list)  # approved, not yet paid
    statements: list[dict] = field(default_factory=list)  # my approved months, newest first
    this_month: dt.date | None = None  # where "my bonus so far" is, for staff and heads
    questions: list[Question] = field(default_factory=list)  # questions to answer
    notices: list[Told] = field(default_factory=list)  # told, not yet dismissed

    @property
    def waiting(self) -> int:
        """How many things wait for this person: months to close, proposals to make or
        decide, payrolls to pay, questions to answer."""
        return (
            len(self.to_close)
            + len(self.to_propose)
            + len(self.to_review)
            + len(self.to_pay)
            + len(self.questions)
        )


def _this_month() -> dt.date:
    return timezone.localdate().replace(day=1)


def months_to_close(user: Any) -> QuerySet[MonthlyScheme]:
    """Ended months of the departments the user heads that have a scheme and no frozen
    period yet (the director closes too, but it is the head's step to take first)."""
    employee = policy.employee_of(user)
    if employee is None or not policy.has_role(user, Role.HEAD):
        return MonthlyScheme.objects.none()
    frozen = BonusPeriod.objects.filter(
        department=OuterRef("department"), month=OuterRef("month"), state__in=lifecycle.FROZEN
    )
    return (
        MonthlyScheme.objects.filter(department__head=employee, month__lt=_this_month())
        .exclude(Exists(frozen))
        .select_related("department")
        .order_by("-month", "department__name")
    )


def periods_to_propose(user: Any) -> QuerySet[BonusPeriod]:
    """Closed periods of the departments the user heads, with the director's last word
    when the proposal came back (``returned_comment``, None if it never did)."""
    employee = policy.employee_of(user)
    if employee is None or not policy.has_role(user, Role.HEAD):
        return BonusPeriod.objects.none()
    returned = PeriodEvent.objects.filter(
        period=OuterRef("pk"), revision=OuterRef("revision"), action=PeriodEvent.Action.RETURN
    ).order_by("-at", "-id")
    return (
        policy.visible_periods(user)
        .filter(department__head=employee, state=lifecycle.CLOSED)
        .annotate(
            returned=Exists(returned), returned_comment=Subquery(returned.values("comment")[:1])
        )
        .order_by("-month", "department__name")
    )


def periods_to_review(user: Any) -> QuerySet[BonusPeriod]:
    if not policy.can(user, policy.Action.REVIEW):
        return BonusPeriod.objects.none()
    return policy.visible_periods(user).filter(state=lifecycle.PROPOSED).order_by("month")


def periods_to_pay(user: Any) -> QuerySet[BonusPeriod]:
    if not policy.can(user, policy.Action.VIEW_PAYROLL):
        return BonusPeriod.objects.none()
    return policy.visible_periods(user).filter(state=lifecycle.APPROVED).order_by("month")


def questions_to_answer(user: Any) -> QuerySet[Question]:
    """The head's department's open questions; the director's those passed on to them."""
    employee = policy.employee_of(user)
    condition = Q(pk__in=[])
    if employee is not None and policy.has_role(user, Role.HEAD):
        condition |= Q(department__head=employee, state=QuestionState.OPEN)
    if policy.can(user, policy.Action.REVIEW):
        condition |= Q(state=QuestionState.PASSED)
    return policy.visible_questions(user).filter(condition).order_by("asked_at", "id")


def unread_notices(user: Any) -> QuerySet[Notice]:
    return (
        policy.visible_notices(user)
        .filter(dismissed_at__isnull=True)
        .select_related("department")
        .order_by("-created_at", "-id")
    )


def worklist(user: Any) -> Worklist:
    employee = policy.employee_of(user)
    own = employee is not None and policy.can(user, policy.Action.VIEW_OWN_BONUS)
    return Worklist(
        to_close=list(months_to_close(user)[:SHOWN]),
        to_propose=list(periods_to_propose(user)[:SHOWN]),
        to_review=list(periods_to_review(user)[:SHOWN]),
        to_pay=list(periods_to_pay(user)[:SHOWN]),
        statements=my_pay_months(employee)[:SHOWN] if own else [],
        this_month=_this_month() if own else None,
        questions=list(questions_to_answer(user)[:SHOWN]),
        notices=[notice_text(notice) for notice in unread_notices(user)[:SHOWN]],
    )


def counters(user: Any) -> dict[str, int]:
    """The navigation's counters by URL name: what waits for this user there."""
    counts: dict[str, int] = {}
    if policy.has_role(user, Role.HEAD):
        counts["period_list"] = months_to_close(user).count() + periods_to_propose(user).count()
    if policy.can(user, policy.Action.REVIEW):
        counts["period_list"] = counts.get("period_list", 0) + periods_to_review(user).count()
    if policy.can(user, policy.Action.VIEW_PAYROLL):
        counts["payroll"] = periods_to_pay(user).count()
    return {name: count for name, count in counts.items() if count}
