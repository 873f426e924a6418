"""Monthly schemes: the copy that starts a new month, and the director's edits.

Every write here is an explicit step of the director (or the close): reading a month
without a scheme changes nothing.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from accounts.models import Department
from accounts.policy import Action, require
from accounts.templatetags.people import person
from compensation import lifecycle
from compensation.engine import BonusInputError, Milestone, Scheme, validate_scheme
from compensation.errors import SchemeChanged, SchemeMissing, WorkflowError
from compensation.models import BonusPeriod, DayRule, MonthlyScheme, SchemeMilestone, Split
from compensation.scenario import parse_decimal, parse_ratio
from compensation.selectors import latest_scheme_before
from compensation.services._common import remember
from compensation.services.closing import period_open

# (day, share_of_plan, fraction[, day_rule]); ratios as strings such as "0.50" or "1/3";
# without a rule the gate keeps its calendar day.
MilestoneRow = tuple[Any, ...]
_FIELD = re.compile(r"^(?:scheme\.)?(\w+)(?:\[(\d+)\])?")


@transaction.atomic
def scheme_start(*, user: Any, department: Department, month: dt.date) -> MonthlyScheme:
    """Start a month on the latest earlier month's terms: the director's explicit step.

    The very first scheme of a department is never invented: without one to copy this
    raises :class:`SchemeMissing` and the director sets it with :func:`scheme_create`.
    """
    require(user, Action.EDIT_SCHEME, department)
    first = month.replace(day=1)
    _lock_open_period(department, first)
    if MonthlyScheme.objects.filter(department=department, month=first).exists():
        raise WorkflowError(_("This month already has a scheme; edit it instead."))
    previous = latest_scheme_before(department, first)
    if previous is None:
        raise SchemeMissing()
    return scheme_copy(previous, month=first, user=user)


def scheme_copy(previous: MonthlyScheme, *, month: dt.date, user: Any) -> MonthlyScheme:
    """A copy of ``previous`` as ``month``'s scheme, with its milestones and who made it.

    For the steps that hold the month's period already: :func:`scheme_start`, the close.
    """
    reason = _("Copied from the scheme of %(month)s") % {"month": f"{previous.month:%Y-%m}"}
    scheme = MonthlyScheme(
        department=previous.department,
        month=month,
        plan=previous.plan,
        threshold=previous.threshold,
        rate=previous.rate,
        head_share=previous.head_share,
        team_sees_adjustments=previous.team_sees_adjustments,
        split=previous.split,
    )
    remember(scheme, user=user, reason=reason)
    scheme.save()
    for row in previous.milestones.order_by("day"):
        row_terms = (row.day, row.share_of_plan, row.fraction, row.day_rule)
        _add_milestone(scheme, row_terms, user=user, reason=reason)
    return scheme


@transaction.atomic
def scheme_create(
    *,
    user: Any,
    department: Department,
    month: dt.date,
    plan: Any,
    threshold: Any,
    rate: Any,
    head_share: Any,
    milestones: Sequence[MilestoneRow],
    reason: str = "",
    team_sees_adjustments: bool = True,
    split: str | None = Split.EQUAL,
) -> MonthlyScheme:
    """Set a month's scheme where there is none yet (a department's first month)."""
    require(user, Action.EDIT_SCHEME, department)
    first = month.replace(day=1)
    _lock_open_period(department, first)
    if MonthlyScheme.objects.filter(department=department, month=first).exists():
        raise WorkflowError(_("This month already has a scheme; edit it instead."))
    engine_scheme = scheme_to_engine(plan, threshold, rate, head_share, milestones)
    scheme = MonthlyScheme(
        department=department,
        month=first,
        team_sees_adjustments=team_sees_adjustments,
        split=_split(split or Split.EQUAL),
    )
    _apply(scheme, engine_scheme, rate=rate, head_share=head_share)
    reason = reason.strip() or _("Scheme set")
    remember(scheme, user=user, reason=reason)
    scheme.save()
    for row in milestones:
        _add_milestone(scheme, row, user=user, reason=reason)
    return scheme


@transaction.atomic
def scheme_update(
    *,
    user: Any,
    scheme: MonthlyScheme,
    plan: Any,
    threshold: Any,
    rate: Any,
    head_share: Any,
    milestones: Sequence[MilestoneRow],
    reason: str,
    expected_version: int,
    team_sees_adjustments: bool | None = None,
    split: str | None = None,
) -> MonthlyScheme:
    """The director's change to a month's scheme, allowed only while the month is open.

    ``expected_version`` is the version the change was made on: if the scheme has moved
    on since, the change is refused (:class:`SchemeChanged`) rather than overwriting.
    ``team_sees_adjustments``, ``split``: None keeps the scheme's setting.
    """
    require(user, Action.EDIT_SCHEME, scheme)
    if not reason.strip():
        raise ValidationError({"reason": _("Say why the scheme changes.")})
    # The lock keeps a close from freezing the scheme halfway through this change, and
    # two changes at once from both passing the version check.
    _lock_open_period(scheme.department, scheme.month)
    scheme = MonthlyScheme.objects.get(pk=scheme.pk)
    if scheme.version != expected_version:
        raise _changed(scheme)
    engine_scheme = scheme_to_engine(plan, threshold, rate, head_share, milestones)
    _apply(scheme, engine_scheme, rate=rate, head_share=head_share)
    if team_sees_adjustments is not None:
        scheme.team_sees_adjustments = team_sees_adjustments
    if split is not None:
        scheme.split = _split(split)
    scheme.version += 1
    remember(scheme, user=user, reason=reason)
    scheme.save()
    for row in scheme.milestones.all():
        remember(row, user=user, reason=reason)
        row.delete()
    for row in milestones:
        _add_milestone(scheme, row, user=user, reason=reason)
    return scheme


def _changed(scheme: MonthlyScheme) -> SchemeChanged:
    latest = scheme.history.select_related("history_user__employee").latest()
    who = person(latest.history_user)
    return SchemeChanged(who=who, reason=latest.history_change_reason or "")


def _lock_open_period(department: Department, month: dt.date) -> BonusPeriod:
    # Saving a scheme is one of the steps that need the month's period row: to lock it.
    period = period_open(department=department, month=month)
    period = BonusPeriod.objects.select_for_update().get(pk=period.pk)
    if not lifecycle.takes_payments(period.state):
        raise WorkflowError(
            _("The scheme cannot change once the month's period is closed."),
            code="scheme_frozen",
        )
    return period


def _split(split: str) -> str:
    if split not in Split.values:
        raise ValidationError({"split": _("Choose how the remainder is split.")})
    return split


def _apply(scheme: MonthlyScheme, engine: Scheme, *, rate: Any, head_share: Any) -> None:
    scheme.plan = engine.plan
    scheme.threshold = engine.threshold
    # Ratios keep the director's spelling ("1/3" stays a fraction, not 0.333...).
    scheme.rate = str(rate).strip()
    scheme.head_share = str(head_share).strip()


def _add_milestone(scheme: MonthlyScheme, row: MilestoneRow, *, user: Any, reason: str) -> None:
    day, share_of_plan, fraction, *rule = row
    milestone = SchemeMilestone(
        scheme=scheme,
        day=day,
        share_of_plan=str(share_of_plan).strip(),
        fraction=str(fraction).strip(),
        day_rule=rule[0] if rule and rule[0] else DayRule.CALENDAR,
    )
    remember(milestone, user=user, reason=reason)
    milestone.save()


def scheme_to_engine(
    plan: Any, threshold: Any, rate: Any, head_share: Any, milestones: Sequence[MilestoneRow]
) -> Scheme:
    """Check a scheme with the engine's own rules; errors come back by form field."""
    try:
        scheme = Scheme(
            plan=parse_decimal(plan, "plan"),
            threshold=parse_decimal(threshold, "threshold"),
            rate=parse_ratio(str(rate), "rate"),
            head_share=parse_ratio(str(head_share), "head_share"),
            milestones=tuple(_engine_milestone(index, row) for index, row in enumerate(milestones)),
        )
        validate_scheme(scheme)
    except BonusInputError as error:
        raise _form_error(error) from None
    return scheme


def _engine_milestone(index: int, row: MilestoneRow) -> Milestone:
    day, share_of_plan, fraction, *rule = row
    where = f"milestones[{index}]"
    if isinstance(day, bool) or not isinstance(day, int):
        raise BonusInputError(f"{where}.day", "must be a whole number")
    if rule and rule[0] and rule[0] not in DayRule.values:
        raise BonusInputError(f"{where}.day_rule", "is not a rule for a day off")
    return Milestone(
        day=day,
        share_of_plan=parse_ratio(str(share_of_plan), f"{where}.share_of_plan"),
        fraction=parse_ratio(str(fraction), f"{where}.fraction"),
    )


def _form_error(error: BonusInputError) -> ValidationError:
    """Map the engine's field path (``scheme.milestones[1].day``) to a form field."""
    match = _FIELD.match(error.field)
    field = match.group(1) if match else "__all__"
    # The engine is pure Python without gettext; its phrases are looked up at run time.
    problem = _(error.message)
    if field == "milestones" and match and match.group(2) is not None:
        problem = _("Milestone %(number)s: %(problem)s") % {
            "number": int(match.group(2)) + 1,
            "problem": problem,
        }
    return ValidationError({field: problem})
