"""Opening and closing a month: closing freezes everything the bonus depends on."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace
from typing import Any

from django.db import transaction
from django.db.models import Q, prefetch_related_objects
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Department
from accounts.policy import Action, require
from accounts.selectors import month_presence
from compensation import lifecycle
from compensation.engine import BonusInputError, BonusResult, calculate
from compensation.engine_messages import engine_message
from compensation.errors import SchemeMissing, WorkflowError
from compensation.models import (
    BonusPeriod,
    PeriodEvent,
    PeriodMember,
    ProposalLine,
    Revision,
)
from compensation.selectors import (
    MonthFigures,
    figures_input,
    latest_scheme_before,
    month_figures,
    scheme_to_json,
)
from compensation.services._common import (
    create_lines,
    lock_period,
    money,
    move,
    record_event,
    save_period,
)
from payments.importing import liveness
from payments.models import ImportBatch, ImportKind, ImportStatus
from payments.selectors import month_bounds


def period_open(*, department: Department, month: dt.date) -> BonusPeriod:
    """The department's period for the month, created open if it has none yet.

    Only the steps that need the row call this (closing the month, setting its scheme):
    a month without a period is open all the same, and takes payments.
    """
    period, _created = BonusPeriod.objects.get_or_create(
        department=department, month=month.replace(day=1)
    )
    return period


def period_or_unsaved(*, department: Department, month: dt.date) -> BonusPeriod:
    """The month's period, or an unsaved open one standing for it (nothing is written)."""
    first = month.replace(day=1)
    period = BonusPeriod.objects.filter(department=department, month=first).first()
    return period or BonusPeriod(department=department, month=first)


@dataclass(frozen=True)
class ClosePreview:
    """What closing the period now would freeze, and why it cannot close yet, if so."""

    period: BonusPeriod
    figures: MonthFigures
    result: BonusResult | None  # the milestone figures; None while something is missing
    problems: tuple[str, ...]

    @property
    def can_close(self) -> bool:
        return not self.problems


def period_close_preview(*, user: Any, period: BonusPeriod) -> ClosePreview:
    """What closing would freeze; reads only (``period`` may be an unsaved one)."""
    require(user, Action.CLOSE_PERIOD, period)
    lifecycle.require("close", period)
    return _preview(period)


def _preview(period: BonusPeriod) -> ClosePreview:
    figures = month_figures(period.department, period.month)
    problems: list[str] = []
    try:
        figures = _with_scheme(figures)
    except SchemeMissing as error:
        problems.extend(error.messages)
    problems.extend(_close_problems(period, figures))
    result = None
    if not problems:
        try:
            result = calculate(figures_input(figures))
        except BonusInputError as error:
            problems.append(engine_message(error))
    return ClosePreview(period=period, figures=figures, result=result, problems=tuple(problems))


def _with_scheme(figures: MonthFigures) -> MonthFigures:
    """The figures with the month's scheme and its milestones, read once for the close.

    A month without a scheme of its own is closed on the latest earlier one's terms
    (copied into the month by the close itself, :func:`_own_scheme`).
    """
    scheme = figures.scheme or latest_scheme_before(figures.department, figures.month)
    if scheme is None:
        raise SchemeMissing()
    # Both the engine (to_engine) and the frozen copy (scheme_to_json) read them.
    prefetch_related_objects([scheme], "milestones")
    return replace(figures, scheme=scheme)


def _close_problems(period: BonusPeriod, figures: MonthFigures) -> list[str]:
    first, last = month_bounds(period.month)
    problems = []
    if timezone.localdate() <= last:
        problems.append(
            _("The month ends on %(last)s; it can be closed from the next day on.")
            % {"last": last.isoformat()}
        )
    for batch in _running_imports(first, last):
        problems.append(
            _("The import of “%(file)s” may hold payments of this month and is still running.")
            % {"file": batch.file_name}
        )
    problems.extend(_people_problems(figures))
    return problems


def _running_imports(first: dt.date, last: dt.date) -> list[ImportBatch]:
    # A batch whose dates are not known yet may still bring this month's payments.
    overlapping = Q(first_date__lte=last, last_date__gte=first)
    unknown = Q(first_date__isnull=True) | Q(last_date__isnull=True)
    batches = ImportBatch.objects.filter(
        overlapping | unknown,
        status__in=[ImportStatus.PENDING, ImportStatus.RUNNING],
        kind=ImportKind.PAYMENTS,  # a file of invoices brings no payments
    )
    # One whose process has ended holds nothing of the month: it is failed, not running
    # (the worker records that; here it is only read).
    return [batch for batch in batches if not liveness.is_lost(batch)]


def _people_problems(figures: MonthFigures) -> list[str]:
    on = {"date": figures.month.isoformat()}
    problems = []
    if figures.head is None:
        problems.append(_("The department has no head."))
    elif figures.head_base_salary is None:
        problems.append(
            _("The head, %(name)s, has no base salary on %(date)s.")
            % {"name": figures.head.full_name, **on}
        )
    if not figures.staff:
        problems.append(_("The department has no staff members in this month."))
    for member in figures.staff:
        if member.base_salary is None:
            problems.append(
                _("%(name)s has no base salary on %(date)s.")
                % {"name": member.employee.full_name, **on}
            )
    return problems


@transaction.atomic
def period_close(*, user: Any, period: BonusPeriod, expected_version: int) -> BonusPeriod:
    """Freeze the month: scheme, payments, milestone figures, staff and base salaries.

    ``period`` may be an unsaved one standing for a month without a period yet
    (:func:`period_or_unsaved`): closing creates it, version 1 like any new one.
    """
    require(user, Action.CLOSE_PERIOD, period)
    lifecycle.require("close", period)
    if period.pk is None:
        period = period_open(department=period.department, month=period.month)
    period = lock_period(period, expected_version=expected_version, action="close")
    # Every write of payments into the month holds this lock until it commits
    # (payments.importing.rules.lock_periods): wait for those, keep out the rest.
    lifecycle.hold_months([(period.department_id, period.month)])
    preview = _preview(period)
    if preview.problems:
        raise WorkflowError(list(preview.problems), code="cannot_close")
    figures = _own_scheme(preview.figures, user=user)
    _freeze_payments(period, figures)
    left = move(period, "close")
    period.closed_at = timezone.now()
    period.closed_by = user
    period.frozen_scheme = scheme_to_json(figures.scheme)
    period.head = figures.head
    period.head_base_salary = figures.head_base_salary
    save_period(period, user=user, reason=_("Closed"))
    _freeze_staff(period, figures, user=user)
    record_event(
        period,
        user=user,
        action=PeriodEvent.Action.CLOSE,
        from_state=left,
        details={
            "collected": money(period.collected),
            "payment_count": period.payment_count,
            "scheme": period.frozen_scheme,
            "staff": [m.employee.personnel_number for m in figures.staff],
        },
    )
    return period


def _own_scheme(figures: MonthFigures, *, user: Any) -> MonthFigures:
    """The month keeps the scheme it closes on: an earlier month's terms become its own."""
    scheme = figures.scheme
    if scheme is None or scheme.month == figures.month:
        return figures
    # Imported here: the schemes module needs period_open from this one.
    from compensation.services.schemes import scheme_copy

    copy = scheme_copy(scheme, month=figures.month, user=user)
    prefetch_related_objects([copy], "milestones")
    return replace(figures, scheme=copy)


def _freeze_payments(period: BonusPeriod, figures: MonthFigures) -> None:
    """Keep the month's totals in the period; no payment row is touched.

    ``figures`` were read after the period row was locked (``lock_period``), and every
    write of payments holds that row first (``rules.lock_periods``): they are every
    payment committed before the close, and none of the month can be added or voided
    after it, so the counted set is fixed from here on.
    """
    period.collected = figures.collected
    period.payment_count = figures.payment_count
    period.daily_totals = [[day.isoformat(), money(total)] for day, total in figures.daily_totals]


def _freeze_staff(period: BonusPeriod, figures: MonthFigures, *, user: Any) -> None:
    # Days present are kept with each member: a later absence never changes the month.
    presence = month_presence(
        period.department, period.month, [m.employee.pk for m in figures.staff]
    )
    PeriodMember.objects.bulk_create(
        PeriodMember(
            period=period,
            employee=m.employee,
            order=order,
            base_salary=m.base_salary,
            days_present=presence[m.employee.pk].days,
            working_days=presence[m.employee.pk].of,
        )
        for order, m in enumerate(figures.staff, start=1)
    )
    revision = Revision.objects.create(period=period, number=1)
    lines = [ProposalLine(revision=revision, employee=m.employee) for m in figures.staff]
    create_lines(lines, user=user, reason=_("Closed"))
