"""Corrections of a paid month: its differences paid with a later month's payroll.

The director reopens a paid period (``period_reopen``); while the new revision is being
worked on, a payment of the month may be voided here, and the month's collections are
recounted onto the revision. When the new revision is approved, each person's bonus is
compared with what was paid (plus any correction already recorded) and the difference
becomes a :class:`Correction`, paid with the department's next payroll not yet approved.
What was paid never changes.

A negative difference is taken from that month's bonus, never from base pay: the part
the bonus cannot cover is carried on to the month after (settled when that month is
approved, :func:`corrections_settle`).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import Sum
from django.utils.translation import gettext as _

from accounts.policy import Action, require
from compensation import lifecycle
from compensation.errors import WorkflowError
from compensation.models import BonusPeriod, Correction, PeriodEvent, Revision
from compensation.selectors import current_revision, month_figures
from compensation.services._common import lock_period, money, record_event, save_period
from payments.models import Payment
from payments.services import payment_void

ZERO = Decimal("0.00")


def next_month(month: dt.date) -> dt.date:
    return (month.replace(day=28) + dt.timedelta(days=4)).replace(day=1)


def paid_revision(period: BonusPeriod) -> Revision | None:
    """The period's latest revision marked paid: what was paid for the month."""
    return period.revisions.filter(paid_at__isnull=False).order_by("-number").first()


def corrects_paid(period: BonusPeriod, revision: Revision) -> Revision | None:
    """The paid revision ``revision`` corrects, if it is a correction of a paid month."""
    if revision.number == 1:
        return None  # the first revision corrects nothing (and costs no query)
    paid = paid_revision(period)
    return paid if paid is not None and paid.number < revision.number else None


@transaction.atomic
def correction_payment_void(
    *, user: Any, period: BonusPeriod, expected_version: int, payment: Payment, reason: str
) -> BonusPeriod:
    """Void a payment of a paid month being corrected, and recount the month onto the
    correction's revision (the figures it is proposed and approved on).

    Whoever manages payments voids it (``payment_void`` asks the policy), only while
    the director has the month reopened.
    """
    require(user, Action.MANAGE_PAYMENTS, payment)
    period = lock_period(period, expected_version=expected_version, action="save_proposal")
    revision = current_revision(period)
    if corrects_paid(period, revision) is None:
        raise WorkflowError(
            _("Only a paid month being corrected takes a void of its payments."),
            code="not_a_correction",
        )
    payment_void(user=user, payment=payment, reason=reason, correcting=period)
    counted = correction_recount(period, revision)
    save_period(period, user=user, reason=reason)
    record_event(
        period,
        user=user,
        action=PeriodEvent.Action.RECOUNT,
        from_state=period.state,
        comment=reason,
        details={
            "voided": payment.pk,
            "amount": money(payment.amount),
            "collected": money(counted),
        },
    )
    return period


def correction_recount(period: BonusPeriod, revision: Revision) -> Decimal:
    """Count the month's payments as they are now onto ``revision``: the correction's.

    Called in the transaction that locked the period. The month is held
    (``lifecycle.hold_months``) so that a payment being recorded in it is either
    counted here or finds the month reopened and is refused.
    """
    lifecycle.hold_months([(period.department_id, period.month)])
    figures = month_figures(period.department, period.month)
    revision.collected = figures.collected
    revision.payment_count = figures.payment_count
    revision.daily_totals = [[day.isoformat(), money(total)] for day, total in figures.daily_totals]
    revision.save(update_fields=["collected", "payment_count", "daily_totals"])
    return figures.collected


def payroll_month(period: BonusPeriod) -> dt.date:
    """The department's first month after ``period``'s whose pay is not approved yet."""
    settled = set(
        BonusPeriod.objects.filter(
            department_id=period.department_id,
            month__gt=period.month,
            state__in=lifecycle.SETTLED,
        ).values_list("month", flat=True)
    )
    month = next_month(period.month)
    while month in settled:
        month = next_month(month)
    return month


def corrections_record(*, period: BonusPeriod, revision: Revision) -> list[Correction]:
    """The approved ``revision``'s differences from what was paid, one per person."""
    paid = corrects_paid(period, revision)
    if paid is None:
        return []
    was_paid = dict(paid.pay_lines.values_list("employee_id", "bonus"))
    now = dict(revision.pay_lines.values_list("employee_id", "bonus"))
    recorded = dict(
        Correction.objects.filter(
            department_id=period.department_id, month=period.month, carried_from__isnull=True
        )
        .values("employee_id")
        .annotate(total=Sum("amount"))
        .values_list("employee_id", "total")
    )
    paid_in = payroll_month(period)
    corrections = [
        Correction(
            employee_id=employee,
            department_id=period.department_id,
            month=period.month,
            revision=revision,
            amount=difference,
            reason=revision.reopen_reason,
            paid_in=paid_in,
        )
        for employee in sorted(was_paid.keys() | now.keys())
        for difference in [
            now.get(employee, ZERO) - was_paid.get(employee, ZERO) - recorded.get(employee, ZERO)
        ]
        if difference
    ]
    return Correction.objects.bulk_create(corrections)


def corrections_settle(*, period: BonusPeriod, revision: Revision) -> list[Correction]:
    """Take the corrections due in ``period``'s month from its approved bonuses.

    Per person, the positive corrections and the bonus cover the negative ones in order;
    what they cannot cover is carried on to the next month not yet approved. Run again
    (the month reopened and approved anew), it replaces what it carried on before.
    """
    due = list(
        Correction.objects.filter(department_id=period.department_id, paid_in=period.month)
        .select_related("revision")
        .order_by("month", "id")
    )
    if not due:
        return []
    Correction.objects.filter(carried_from__in=due).delete()
    bonuses = dict(revision.pay_lines.values_list("employee_id", "bonus"))
    by_person: dict[int, list[Correction]] = defaultdict(list)
    for correction in due:
        by_person[correction.employee_id].append(correction)
    carried_on = []
    later = payroll_month(period)
    for employee, rows in by_person.items():
        available = bonuses.get(employee, ZERO) + sum(r.amount for r in rows if r.amount > 0)
        for row in rows:
            row.carried = ZERO
            if row.amount < 0:
                taken = min(available, -row.amount)
                available -= taken
                row.carried = -row.amount - taken
            if row.carried:
                carried_on.append(_carried(row, paid_in=later))
    Correction.objects.bulk_update(due, ["carried"])
    return Correction.objects.bulk_create(carried_on)


def _carried(row: Correction, *, paid_in: dt.date) -> Correction:
    return Correction(
        employee_id=row.employee_id,
        department_id=row.department_id,
        month=row.month,
        revision=row.revision,
        amount=-row.carried,
        reason=row.reason,
        paid_in=paid_in,
        carried_from=row,
    )
