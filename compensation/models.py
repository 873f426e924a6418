"""Monthly schemes, bonus periods with their revisions, proposals and the paid lines."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from accounts.models import Department, Employee
from compensation.engine import (
    SPLIT_BY_PRESENCE,
    SPLIT_EQUAL,
    BonusInputError,
    Milestone,
    Scheme,
)
from compensation.errors import ImmutableRecord
from compensation.gates import needs_calendar, resolve_scheme
from compensation.scenario import parse_decimal, parse_ratio
from core.calendar import CALENDAR_DAY, NEXT_WORKING, PREVIOUS_WORKING, month_exceptions
from core.money import MONEY_FIELD as MONEY

# --- immutability guards ------------------------------------------------------------------
# Approved and paid data never changes in place (SPEC section 6): whatever path writes a
# row (a service, the admin, a shell), its save() and delete() check the row as stored.
# QuerySet.update()/delete() skip these; on PostgreSQL triggers (migration 0002) refuse
# them too.


def _stored(instance: models.Model, attnames: Iterable[str]) -> dict[str, Any] | None:
    """The row as the database holds it now, or None when it was never saved."""
    if instance.pk is None:
        return None
    return type(instance)._base_manager.filter(pk=instance.pk).values(*attnames).first()


def _written(instance: models.Model, update_fields: Iterable[str] | None) -> list[str]:
    """The columns (attnames) a save with these ``update_fields`` would write."""
    opts = instance._meta
    if update_fields is None:
        return [f.attname for f in opts.concrete_fields if not f.primary_key]
    return [opts.get_field(name).attname for name in update_fields]


def _changed(instance: models.Model, stored: dict[str, Any], attnames: Iterable[str]) -> list[str]:
    return [name for name in attnames if name in stored and getattr(instance, name) != stored[name]]


def validate_ratio(value: str) -> None:
    """A rate or share written as a decimal (``0.005``) or a fraction (``1/3``)."""
    try:
        parse_ratio(value, "value")
    except BonusInputError:
        raise ValidationError(
            _("%(value)s is not a number or a fraction like 1/3."),
            code="invalid_ratio",
            params={"value": value},
        ) from None


class DayRule(models.TextChoices):
    """Where a gate's day falls when it is a day off (``core.calendar``'s rules)."""

    CALENDAR = CALENDAR_DAY, _("Keep the day")
    PREVIOUS_WORKING = PREVIOUS_WORKING, _("The previous working day")
    NEXT_WORKING = NEXT_WORKING, _("The next working day")


class Split(models.TextChoices):
    EQUAL = SPLIT_EQUAL, _("Equally")
    BY_PRESENCE = SPLIT_BY_PRESENCE, _("By days present")


class MonthlyScheme(models.Model):
    """The bonus scheme of one department for one month (SPEC section 3's inputs)."""

    department = models.ForeignKey(
        Department, verbose_name=_("department"), on_delete=models.PROTECT, related_name="schemes"
    )
    month = models.DateField(_("month"), help_text=_("The first day of the month."))
    plan = models.DecimalField(_("plan"), **MONEY)
    threshold = models.DecimalField(_("threshold"), **MONEY)
    rate = models.CharField(_("rate"), max_length=40, validators=[validate_ratio])
    head_share = models.CharField(_("head's share"), max_length=40, validators=[validate_ratio])
    # SPEC section 2: the team sees who got an award or a deduction and why, once approved.
    team_sees_adjustments = models.BooleanField(
        _("the team sees awards and deductions"),
        default=True,
        help_text=_(
            "Once approved, every member of the department sees the awards and deductions "
            "with their reasons."
        ),
    )
    # SPEC section 3, step 6: the remainder equally, or by the days each was present.
    split = models.CharField(
        _("split of the remainder"),
        max_length=20,
        choices=Split.choices,
        default=Split.EQUAL,
        help_text=_(
            "Equally among the staff, or in proportion to the working days each was "
            "present: the shares of those away go to those who covered them."
        ),
    )
    # Moved on by every change: an edit posted from an older page is refused, not merged.
    version = models.PositiveIntegerField(_("version"), default=1, editable=False)
    history = HistoricalRecords()

    class Meta:
        ordering = ["department", "-month"]
        verbose_name = _("monthly scheme")
        verbose_name_plural = _("monthly schemes")
        constraints = [
            models.UniqueConstraint(fields=["department", "month"], name="scheme_one_per_month"),
            models.CheckConstraint(condition=Q(month__day=1), name="scheme_month_first_day"),
            models.CheckConstraint(condition=Q(plan__gt=0), name="scheme_plan_positive"),
            models.CheckConstraint(
                condition=Q(threshold__gte=0), name="scheme_threshold_not_negative"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.department} {self.month:%Y-%m}"

    def to_engine(
        self,
        milestones: list[SchemeMilestone] | None = None,
        calendar: Mapping[dt.date, bool] | None = None,
    ) -> Scheme:
        """The engine's view of this scheme in its month, each gate on its resolved day.

        Raises BonusInputError on bad values. ``calendar``: the month's calendar days if
        the caller has them; else they are read (one query) only when a gate moves.
        """
        rows = sorted(self.milestones.all() if milestones is None else milestones, key=_by_day)
        scheme = Scheme(
            plan=parse_decimal(self.plan, "plan"),
            threshold=parse_decimal(self.threshold, "threshold"),
            rate=parse_ratio(self.rate, "rate"),
            head_share=parse_ratio(self.head_share, "head_share"),
            milestones=tuple(
                Milestone(
                    day=row.day,
                    share_of_plan=parse_ratio(row.share_of_plan, "share_of_plan"),
                    fraction=parse_ratio(row.fraction, "fraction"),
                )
                for row in rows
            ),
            split=self.split,
        )
        gates = [(row.day, row.day_rule) for row in rows]
        if not needs_calendar(gates):
            return scheme
        days = month_exceptions(self.month) if calendar is None else calendar
        return resolve_scheme(scheme, gates, self.month, days)


def _by_day(row: SchemeMilestone) -> int:
    return row.day


class SchemeMilestone(models.Model):
    scheme = models.ForeignKey(
        MonthlyScheme,
        verbose_name=_("scheme"),
        on_delete=models.CASCADE,
        related_name="milestones",
    )
    day = models.PositiveSmallIntegerField(_("by day"))
    share_of_plan = models.CharField(_("share of plan"), max_length=40, validators=[validate_ratio])
    fraction = models.CharField(_("tranche"), max_length=40, validators=[validate_ratio])
    # The source text's January: a gate on a holiday may move to a working day.
    day_rule = models.CharField(
        _("if a day off"),
        max_length=20,
        choices=DayRule.choices,
        default=DayRule.CALENDAR,
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["scheme", "day"]
        verbose_name = _("milestone")
        verbose_name_plural = _("milestones")
        constraints = [
            models.UniqueConstraint(fields=["scheme", "day"], name="milestone_unique_day"),
            models.CheckConstraint(
                condition=Q(day__gte=1) & Q(day__lte=31), name="milestone_day_in_month"
            ),
            models.CheckConstraint(
                condition=Q(day_rule__in=DayRule.values), name="milestone_day_rule_known"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.share_of_plan} by {self.day} → {self.fraction}"


class PeriodState(models.TextChoices):
    OPEN = "open", _("Open")
    CLOSED = "closed", _("Closed")
    PROPOSED = "proposed", _("Proposed")
    APPROVED = "approved", _("Approved")
    PAID = "paid", _("Paid")


class BonusPeriod(models.Model):
    """Department × month. From close on it holds frozen figures, never live ones."""

    department = models.ForeignKey(
        Department, verbose_name=_("department"), on_delete=models.PROTECT, related_name="periods"
    )
    month = models.DateField(_("month"))
    state = models.CharField(
        _("state"), max_length=10, choices=PeriodState.choices, default=PeriodState.OPEN
    )
    # Bumped by every write, so a form posted against an older version is refused.
    version = models.PositiveIntegerField(_("version"), default=1)
    revision = models.PositiveIntegerField(_("revision"), default=1)

    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("closed by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    # The scheme as it stood at close: plan, threshold, rate, head_share, milestones.
    frozen_scheme = models.JSONField(_("scheme at close"), null=True, blank=True)
    collected = models.DecimalField(_("collected"), null=True, blank=True, **MONEY)
    payment_count = models.PositiveIntegerField(_("payments counted"), null=True, blank=True)
    # [["2026-10-05", "20000000.00"], ...]: the month's totals by day, for the gates.
    daily_totals = models.JSONField(_("collections by day"), default=list, blank=True)
    head = models.ForeignKey(
        Employee,
        verbose_name=_("head at close"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    head_base_salary = models.DecimalField(_("head's base salary"), null=True, blank=True, **MONEY)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-month", "department"]
        verbose_name = _("bonus period")
        verbose_name_plural = _("bonus periods")
        constraints = [
            models.UniqueConstraint(fields=["department", "month"], name="period_one_per_month"),
            models.CheckConstraint(condition=Q(month__day=1), name="period_month_first_day"),
            models.CheckConstraint(
                condition=Q(state=PeriodState.OPEN) | Q(closed_at__isnull=False),
                name="period_closed_has_figures",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.department} {self.month:%Y-%m}"

    def save(self, **kwargs: Any) -> None:
        stored = _stored(self, ("closed_at", *PERIOD_FROZEN))
        if stored is not None and stored["closed_at"] is not None:
            frozen = set(PERIOD_FROZEN) & set(_written(self, kwargs.get("update_fields")))
            changed = _changed(self, stored, sorted(frozen))
            if changed:
                raise ImmutableRecord(
                    _("The figures frozen at close never change (%(fields)s); reopen instead.")
                    % {"fields": ", ".join(changed)}
                )
        super().save(**kwargs)

    def delete(self, **kwargs: Any) -> tuple[int, dict[str, int]]:
        stored = _stored(self, ("closed_at",))
        if stored is not None and stored["closed_at"] is not None:
            raise ImmutableRecord(_("A closed bonus period is never deleted."))
        return super().delete(**kwargs)


# What closing froze: the period's identity, who closed it, and the figures at close.
PERIOD_FROZEN = (
    "department_id",
    "month",
    "closed_at",
    "closed_by_id",
    "frozen_scheme",
    "collected",
    "payment_count",
    "daily_totals",
    "head_id",
    "head_base_salary",
)


class PeriodMember(models.Model):
    """A staff member frozen into a period at close, with the base salary in force."""

    period = models.ForeignKey(
        BonusPeriod, verbose_name=_("period"), on_delete=models.CASCADE, related_name="members"
    )
    employee = models.ForeignKey(
        Employee, verbose_name=_("employee"), on_delete=models.PROTECT, related_name="+"
    )
    order = models.PositiveSmallIntegerField(_("order"))
    base_salary = models.DecimalField(_("base salary"), **MONEY)
    # Working days present out of the month's, frozen at close (none before they were kept).
    days_present = models.PositiveSmallIntegerField(_("days present"), null=True, blank=True)
    working_days = models.PositiveSmallIntegerField(_("working days"), null=True, blank=True)

    class Meta:
        ordering = ["period", "order"]
        verbose_name = _("period member")
        verbose_name_plural = _("period members")
        constraints = [
            models.UniqueConstraint(fields=["period", "employee"], name="member_unique"),
            models.UniqueConstraint(fields=["period", "order"], name="member_unique_order"),
        ]

    def __str__(self) -> str:
        return f"{self.period}: {self.employee}"

    def save(self, **kwargs: Any) -> None:
        _refuse_rewrite(self, _("The staff frozen at close never change."))
        super().save(**kwargs)

    def delete(self, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise ImmutableRecord(_("The staff frozen at close are never deleted."))


def _refuse_rewrite(instance: models.Model, message: str) -> None:
    """Write-once rows: created, then never saved again."""
    if instance.pk is not None and type(instance)._base_manager.filter(pk=instance.pk).exists():
        raise ImmutableRecord(message)


class Revision(models.Model):
    """One round of proposal and approval. A reopen starts the next revision."""

    period = models.ForeignKey(
        BonusPeriod, verbose_name=_("period"), on_delete=models.PROTECT, related_name="revisions"
    )
    number = models.PositiveIntegerField(_("revision"))
    reopen_reason = models.TextField(_("reason for reopening"), blank=True)
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("proposed by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    proposed_at = models.DateTimeField(_("proposed at"), null=True, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("approved by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    approved_at = models.DateTimeField(_("approved at"), null=True, blank=True)
    paid_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("marked paid by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    paid_at = models.DateTimeField(_("paid at"), null=True, blank=True)
    # The engine's whole breakdown at approval (scenario.result_to_json), shown as is.
    result = models.JSONField(_("calculation"), null=True, blank=True)
    # A correction of a paid month recounts its payments (one voided, say): the figures
    # the revision is calculated on. Empty: the period's, as frozen at close.
    collected = models.DecimalField(_("collected, recounted"), null=True, blank=True, **MONEY)
    payment_count = models.PositiveIntegerField(_("payments recounted"), null=True, blank=True)
    daily_totals = models.JSONField(_("collections by day, recounted"), null=True, blank=True)

    class Meta:
        ordering = ["period", "number"]
        verbose_name = _("revision")
        verbose_name_plural = _("revisions")
        constraints = [
            models.UniqueConstraint(fields=["period", "number"], name="revision_unique_number"),
            models.CheckConstraint(
                condition=Q(approved_by__isnull=True) | ~Q(approved_by=F("proposed_by")),
                name="revision_four_eyes",
                violation_error_message=_("The proposer cannot approve their own proposal."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.period} r{self.number}"

    def save(self, **kwargs: Any) -> None:
        fields = [f.attname for f in self._meta.concrete_fields if not f.primary_key]
        stored = _stored(self, fields)
        if stored is not None and stored["approved_at"] is not None:
            # Marking paid is the one write an approved revision takes, and only once.
            allowed = REVISION_PAYMENT if stored["paid_at"] is None else ()
            written = set(_written(self, kwargs.get("update_fields"))) - set(allowed)
            changed = _changed(self, stored, sorted(written))
            if changed:
                raise ImmutableRecord(
                    _("An approved revision never changes (%(fields)s); reopen the period.")
                    % {"fields": ", ".join(changed)}
                )
        super().save(**kwargs)

    def delete(self, **kwargs: Any) -> tuple[int, dict[str, int]]:
        stored = _stored(self, ("approved_at",))
        if stored is not None and stored["approved_at"] is not None:
            raise ImmutableRecord(_("An approved revision is never deleted."))
        return super().delete(**kwargs)

    @property
    def is_approved(self) -> bool:
        return self.approved_at is not None


REVISION_PAYMENT = ("paid_by_id", "paid_at")


class ProposalLine(models.Model):
    """The head's award/deduction for one person, and the director's edit beside it."""

    revision = models.ForeignKey(
        Revision, verbose_name=_("revision"), on_delete=models.CASCADE, related_name="proposal"
    )
    employee = models.ForeignKey(
        Employee, verbose_name=_("employee"), on_delete=models.PROTECT, related_name="+"
    )
    proposed_award = models.DecimalField(_("proposed award"), default=0, **MONEY)
    proposed_deduction = models.DecimalField(_("proposed deduction"), default=0, **MONEY)
    reason = models.TextField(_("reason"), blank=True)
    approved_award = models.DecimalField(_("approved award"), null=True, blank=True, **MONEY)
    approved_deduction = models.DecimalField(
        _("approved deduction"), null=True, blank=True, **MONEY
    )
    director_reason = models.TextField(_("director's reason"), blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["revision", "id"]
        verbose_name = _("proposal line")
        verbose_name_plural = _("proposal lines")
        constraints = [
            models.UniqueConstraint(fields=["revision", "employee"], name="proposal_unique"),
            models.CheckConstraint(
                condition=Q(proposed_award__gte=0) & Q(proposed_deduction__gte=0),
                name="proposal_not_negative",
            ),
            models.CheckConstraint(
                condition=(Q(approved_award__isnull=True) | Q(approved_award__gte=0))
                & (Q(approved_deduction__isnull=True) | Q(approved_deduction__gte=0)),
                name="proposal_edit_not_negative",
            ),
            models.CheckConstraint(
                condition=(Q(proposed_award=0) & Q(proposed_deduction=0)) | ~Q(reason=""),
                name="proposal_reason_required",
                violation_error_message=_("An award or deduction needs a reason."),
            ),
            models.CheckConstraint(
                condition=(Q(approved_award__isnull=True) & Q(approved_deduction__isnull=True))
                | ~Q(director_reason=""),
                name="proposal_edit_reason_required",
                violation_error_message=_("The director's change needs a reason."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.revision}: {self.employee}"

    def save(self, **kwargs: Any) -> None:
        self._refuse_if_approved()
        super().save(**kwargs)

    def delete(self, **kwargs: Any) -> tuple[int, dict[str, int]]:
        self._refuse_if_approved()
        return super().delete(**kwargs)

    def _refuse_if_approved(self) -> None:
        # Both the revision the line is in now and the one it would move to count.
        owner = Q(pk=self.revision_id)
        if self.pk is not None:
            owner |= Q(proposal__pk=self.pk)
        if Revision.objects.filter(owner, approved_at__isnull=False).exists():
            raise ImmutableRecord(
                _("The proposal of an approved revision never changes; reopen the period.")
            )

    @property
    def is_edited(self) -> bool:
        return self.approved_award is not None or self.approved_deduction is not None

    @property
    def award(self) -> Decimal:
        """The award that counts: the director's if edited, else the head's."""
        return self.proposed_award if self.approved_award is None else self.approved_award

    @property
    def deduction(self) -> Decimal:
        if self.approved_deduction is None:
            return self.proposed_deduction
        return self.approved_deduction


class PayLine(models.Model):
    """One person's approved pay in a revision, as the engine computed it at approval."""

    revision = models.ForeignKey(
        Revision, verbose_name=_("revision"), on_delete=models.PROTECT, related_name="pay_lines"
    )
    employee = models.ForeignKey(
        Employee, verbose_name=_("employee"), on_delete=models.PROTECT, related_name="pay_lines"
    )
    is_head = models.BooleanField(_("head"), default=False)
    order = models.PositiveSmallIntegerField(_("order"))
    equal_share = models.DecimalField(_("equal share"), **MONEY)
    award = models.DecimalField(_("award"), **MONEY)
    deduction = models.DecimalField(_("deduction"), **MONEY)
    bonus = models.DecimalField(_("bonus"), **MONEY)
    base_salary = models.DecimalField(_("base salary"), **MONEY)
    total = models.DecimalField(_("total pay"), **MONEY)

    class Meta:
        ordering = ["revision", "order"]
        verbose_name = _("pay line")
        verbose_name_plural = _("pay lines")
        constraints = [
            models.UniqueConstraint(fields=["revision", "employee"], name="payline_unique"),
            models.CheckConstraint(
                condition=Q(total=F("base_salary") + F("bonus")), name="payline_total_adds_up"
            ),
            models.CheckConstraint(condition=Q(bonus__gte=0), name="payline_bonus_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.revision}: {self.employee} {self.total}"

    def save(self, **kwargs: Any) -> None:
        _refuse_rewrite(self, _("An approved pay line never changes; reopen the period."))
        super().save(**kwargs)

    def delete(self, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise ImmutableRecord(_("An approved pay line is never deleted."))


class PeriodEvent(models.Model):
    """One transition or edit of a period: who, when, what, why."""

    class Action(models.TextChoices):
        CLOSE = "close", _("Closed")
        SAVE_PROPOSAL = "save_proposal", _("Proposal saved")
        SUBMIT = "submit", _("Submitted")
        EDIT = "edit", _("Edited by the director")
        RETURN = "return", _("Returned")
        APPROVE = "approve", _("Approved")
        REOPEN = "reopen", _("Reopened")
        PAY = "pay", _("Marked paid")
        EXPORT = "export", _("Exported")
        RECOUNT = "recount", _("Payments recounted")

    period = models.ForeignKey(
        BonusPeriod, verbose_name=_("period"), on_delete=models.PROTECT, related_name="events"
    )
    revision = models.PositiveIntegerField(_("revision"))
    action = models.CharField(_("action"), max_length=20, choices=Action.choices)
    from_state = models.CharField(_("from"), max_length=10, choices=PeriodState.choices)
    to_state = models.CharField(_("to"), max_length=10, choices=PeriodState.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("by"), on_delete=models.PROTECT, related_name="+"
    )
    at = models.DateTimeField(_("at"), auto_now_add=True)
    comment = models.TextField(_("comment"), blank=True)
    details = models.JSONField(_("details"), default=dict, blank=True)

    class Meta:
        ordering = ["period", "at", "id"]
        verbose_name = _("period event")
        verbose_name_plural = _("period events")

    def __str__(self) -> str:
        return f"{self.period} {self.get_action_display()} {self.at:%Y-%m-%d %H:%M}"


class Correction(models.Model):
    """A difference between a corrected month's new approved revision and what was paid.

    What was paid never changes: the difference is paid with a later month's payroll
    (``paid_in``). A negative one is taken from that month's bonus, never from base pay;
    what the bonus cannot cover (``carried``) goes on to the month after, as a new
    correction carried from this one.
    """

    employee = models.ForeignKey(
        Employee, verbose_name=_("employee"), on_delete=models.PROTECT, related_name="corrections"
    )
    department = models.ForeignKey(
        Department, verbose_name=_("department"), on_delete=models.PROTECT, related_name="+"
    )
    month = models.DateField(_("month corrected"))
    revision = models.ForeignKey(
        Revision, verbose_name=_("revision"), on_delete=models.PROTECT, related_name="corrections"
    )
    amount = models.DecimalField(_("amount"), **MONEY)
    reason = models.TextField(_("reason"))
    paid_in = models.DateField(_("paid in the month of"))
    carried = models.DecimalField(_("carried on"), default=0, **MONEY)
    carried_from = models.OneToOneField(
        "self",
        verbose_name=_("carried from"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="carried_to",
    )

    class Meta:
        ordering = ["paid_in", "month", "employee", "id"]
        verbose_name = _("correction")
        verbose_name_plural = _("corrections")
        constraints = [
            models.CheckConstraint(condition=Q(month__day=1), name="correction_month_first_day"),
            models.CheckConstraint(condition=Q(paid_in__day=1), name="correction_paid_in_first"),
            models.CheckConstraint(condition=Q(paid_in__gt=F("month")), name="correction_later"),
            models.CheckConstraint(condition=~Q(amount=0), name="correction_not_zero"),
            models.CheckConstraint(condition=Q(carried__gte=0), name="correction_carried_gte_0"),
            models.CheckConstraint(
                condition=Q(carried=0) | Q(amount__lt=0) & Q(carried__lte=-F("amount")),
                name="correction_carries_only_a_debt",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.employee} {self.month:%Y-%m} → {self.paid_in:%Y-%m}: {self.amount}"

    @property
    def applied(self) -> Decimal:
        """What this month's payroll pays of it (a debt less what is carried on)."""
        return self.amount + self.carried


# Questions on a statement and notices, and the company's obligations, live in modules of
# their own (this one is past its size); imported here so that Django registers them.
from compensation.models_cash import MonthlyObligation, ObligationDue  # noqa: E402, F401
from compensation.models_inbox import (  # noqa: E402, F401
    Notice,
    NoticeKind,
    Question,
    QuestionEvent,
    QuestionState,
    StatementLine,
)
