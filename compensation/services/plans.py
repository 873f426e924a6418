"""Many months' schemes in one step: the year's plans grid and an adopted replay.

Both write through :func:`scheme_update` and :func:`scheme_create`, the one write path
of a scheme; these only say which months change and keep them together.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Department
from accounts.policy import Action, require
from compensation.models import MonthlyScheme
from compensation.services.schemes import MilestoneRow, scheme_create, scheme_update
from core.months import month_label


@dataclass(frozen=True)
class MonthPlan:
    """One month's new plan and threshold, and the scheme version the grid showed."""

    month: dt.date
    plan: Decimal
    threshold: Decimal
    expected_version: int | None = None


@dataclass(frozen=True)
class Terms:
    """A scheme's terms apart from the plan (a draft's, or the model a month copies)."""

    threshold: Any
    rate: Any
    head_share: Any
    milestones: Sequence[MilestoneRow]
    split: str | None = None
    team_sees_adjustments: bool = True


def terms_of(scheme: MonthlyScheme) -> Terms:
    rows = sorted(scheme.milestones.all(), key=lambda row: row.day)
    return Terms(
        threshold=scheme.threshold,
        rate=scheme.rate,
        head_share=scheme.head_share,
        milestones=[(m.day, m.share_of_plan, m.fraction, m.day_rule) for m in rows],
        split=scheme.split,
        team_sees_adjustments=scheme.team_sees_adjustments,
    )


@transaction.atomic
def schemes_plan_year(
    *, user: Any, department: Department, plans: Sequence[MonthPlan], reason: str
) -> list[MonthlyScheme]:
    """Set the plans and thresholds of several months at once: all of them, or none.

    A month with a scheme keeps its other terms; a month without one takes them from the
    latest earlier scheme (or the first later one). Errors name the month and the field,
    ``ValidationError({"2027-03.threshold": ["March 2027: …"]})``, and nothing is saved.
    """
    require(user, Action.EDIT_SCHEME, department)
    if not reason.strip():
        raise ValidationError({"reason": _("Say why the plans change.")})
    errors: dict[str, Any] = {}
    saved = []
    for plan in sorted(plans, key=lambda p: p.month):
        try:
            saved.append(_plan_month(user, department, plan, reason))
        except ValidationError as error:
            errors.update(_named(error, plan.month))
    if errors:
        # Raised inside the transaction: the months saved before the error roll back too.
        raise ValidationError(errors)
    return saved


def _plan_month(user: Any, department: Department, plan: MonthPlan, reason: str) -> MonthlyScheme:
    scheme = (
        MonthlyScheme.objects.filter(department=department, month=plan.month)
        .prefetch_related("milestones")
        .first()
    )
    model = scheme or _model_for(department, plan.month)
    terms = terms_of(model)
    common = {
        "user": user,
        "plan": plan.plan,
        "threshold": plan.threshold,
        "rate": terms.rate,
        "head_share": terms.head_share,
        "milestones": terms.milestones,
        "reason": reason,
        "split": terms.split,
        "team_sees_adjustments": terms.team_sees_adjustments,
    }
    if scheme is None:
        return scheme_create(department=department, month=plan.month, **common)
    version = plan.expected_version if plan.expected_version is not None else 0
    return scheme_update(scheme=scheme, expected_version=version, **common)


def _model_for(department: Department, month: dt.date) -> MonthlyScheme:
    """The scheme a month without one takes its other terms from."""
    schemes = MonthlyScheme.objects.filter(department=department).prefetch_related("milestones")
    model = schemes.filter(month__lt=month).order_by("-month").first()
    model = model or schemes.filter(month__gt=month).order_by("month").first()
    if model is None:
        raise ValidationError(
            _("The department has no scheme yet: set its first one on the scheme page.")
        )
    return model


def _named(error: ValidationError, month: dt.date) -> dict[str, list[str]]:
    """The error by field, each message starting with the month it is about."""
    label = month_label(month, "title")
    fields = error.message_dict if hasattr(error, "error_dict") else {"__all__": error.messages}
    return {
        f"{month:%Y-%m}.{field}": [f"{label}: {message}" for message in messages]
        for field, messages in fields.items()
    }


@transaction.atomic
def scheme_adopt(
    *,
    user: Any,
    department: Department,
    month: dt.date,
    terms: Terms,
    reason: str,
    plan: Decimal | None = None,
    expected_version: int | None = None,
) -> MonthlyScheme:
    """Adopt a draft's terms (a replay's) for a coming month, keeping the month's plan.

    ``plan``: for a month without a scheme, the plan to set (else the latest scheme's).
    """
    if month < timezone.localdate().replace(day=1):
        raise ValidationError({"month": _("Choose this month or a later one.")})
    scheme = (
        MonthlyScheme.objects.filter(department=department, month=month)
        .prefetch_related("milestones")
        .first()
    )
    model = scheme or _model_for(department, month)
    common = {
        "user": user,
        "plan": model.plan if plan is None else plan,
        "threshold": terms.threshold,
        "rate": terms.rate,
        "head_share": terms.head_share,
        "milestones": terms.milestones,
        "reason": reason,
        "split": terms.split,
    }
    if scheme is None:
        # What the draft does not say (the split, what the team sees) is the model's, as
        # the year's grid copies it, never the defaults.
        common["split"] = terms.split or model.split
        common["team_sees_adjustments"] = model.team_sees_adjustments
        return scheme_create(department=department, month=month, **common)
    version = expected_version if expected_version is not None else scheme.version
    return scheme_update(scheme=scheme, expected_version=version, **common)
