"""A paid month whose payments changed since it was paid: "differs from what was paid".

A paid month records a payment dated in it after all (``lifecycle.takes_late_payments``),
and its correction may void one (``services.corrections``). What was paid never changes,
so the director is shown the month as differing from it, with the amounts added and
voided since the month was closed, until a correction revision counts them in and is
approved (its differences are then the corrections, ``statements.paid_difference``).
Reads only.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import (
    DateField,
    DecimalField,
    Exists,
    F,
    Func,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce

from compensation.models import BonusPeriod, Revision
from payments.models import Payment

ZERO = Decimal("0.00")


@dataclass(frozen=True)
class PaidMonthChanges:
    """The payments of a paid month added and voided since it was closed."""

    paid_collected: Decimal  # collected as the paid revision counted it
    added: Decimal
    voided: Decimal

    @property
    def collected(self) -> Decimal:
        """Collected as the month's payments stand now."""
        return self.paid_collected + self.added - self.voided


class _NextMonth(Func):
    """The first day of the month after a month's first day (PostgreSQL)."""

    template = "(%(expressions)s + interval '1 month')::date"
    output_field = DateField()


def _since_close(condition: Q) -> Subquery:
    payments = (
        Payment.objects.filter(
            condition,
            department_id=OuterRef("department_id"),
            received_on__gte=OuterRef("month"),
            received_on__lt=_NextMonth(OuterRef("month")),
        )
        .order_by()
        .values("department_id")
        .annotate(total=Sum("amount"))
        .values("total")
    )
    return Coalesce(Subquery(payments), Value(ZERO), output_field=DecimalField())


def with_paid_changes(periods: QuerySet[BonusPeriod]) -> QuerySet[BonusPeriod]:
    """``periods`` with what changed in their paid month since close (no extra query).

    ``late_added`` and ``late_voided`` are the amounts; ``paid_collected`` is what the
    latest paid revision counted (empty: the month was never paid).
    """
    paid = Revision.objects.filter(period=OuterRef("pk"), paid_at__isnull=False).order_by("-number")
    # What the latest paid revision counted: the month at its close, or a correction's
    # recount, which stands as the correction was approved (payments are refused and voids
    # recounted until then).
    periods = periods.annotate(
        paid_counted_at=Coalesce(
            Subquery(paid.filter(number__gt=1).values("approved_at")[:1]), F("closed_at")
        )
    )
    added = Q(voided_at__isnull=True, recorded_at__gt=OuterRef("paid_counted_at"))
    voided = Q(
        voided_at__gt=OuterRef("paid_counted_at"), recorded_at__lte=OuterRef("paid_counted_at")
    )
    return periods.annotate(
        late_added=_since_close(added),
        late_voided=_since_close(voided),
        paid_number=Subquery(paid.values("number")[:1]),
        paid_collected=Coalesce(
            Subquery(paid.values("collected")[:1]), F("collected"), output_field=DecimalField()
        ),
        settled_by_correction=Exists(
            Revision.objects.filter(
                period=OuterRef("pk"),
                approved_at__isnull=False,
                number__gt=OuterRef("paid_number"),
                number=OuterRef("revision"),
            )
        ),
    )


def paid_changes(period: BonusPeriod) -> PaidMonthChanges | None:
    """What differs from what was paid in an annotated period (``with_paid_changes``).

    None when the month was never paid, nothing changed since, or an approved
    correction counted the changes in.
    """
    if period.paid_number is None or period.settled_by_correction:
        return None
    if not (period.late_added or period.late_voided):
        return None
    return PaidMonthChanges(
        paid_collected=period.paid_collected, added=period.late_added, voided=period.late_voided
    )


def period_paid_changes(period: BonusPeriod) -> PaidMonthChanges | None:
    """``paid_changes`` of one period, read in one query."""
    if period.closed_at is None:
        return None
    annotated = with_paid_changes(BonusPeriod.objects.filter(pk=period.pk)).get()
    return paid_changes(annotated)
