"""Questions on a statement and notices: what people ask about their pay and are told of it.

Kept apart from ``compensation.models`` (past its size); ``compensation.models`` imports
this module at its end, so Django registers these models with the app.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from accounts.models import Department, Employee


class StatementLine(models.TextChoices):
    """The line of a statement a question is about."""

    EQUAL_SHARE = "equal_share", _("Equal share")
    AWARD = "award", _("Award")
    DEDUCTION = "deduction", _("Deduction")
    CORRECTION = "correction", _("Correction")
    DAYS_PRESENT = "days_present", _("Days present")
    TRANCHES = "tranches", _("Tranches and milestones")
    OTHER = "other", _("Something else")


class QuestionState(models.TextChoices):
    OPEN = "open", _("Open")
    PASSED = "passed", _("Passed to the director")
    ANSWERED = "answered", _("Answered")
    CLOSED = "closed", _("Closed")


class Question(models.Model):
    """A staff member's question about a line of their statement for a month.

    The state is the last event's; every message and every change of state is an event
    row of its own (:class:`QuestionEvent`), never an edit of an earlier one.
    """

    asker = models.ForeignKey(
        Employee, verbose_name=_("asked by"), on_delete=models.PROTECT, related_name="questions"
    )
    department = models.ForeignKey(
        Department, verbose_name=_("department"), on_delete=models.PROTECT, related_name="+"
    )
    month = models.DateField(_("month"))
    line = models.CharField(_("line"), max_length=20, choices=StatementLine.choices)
    state = models.CharField(
        _("state"), max_length=10, choices=QuestionState.choices, default=QuestionState.OPEN
    )
    asked_at = models.DateTimeField(_("asked at"), auto_now_add=True)

    class Meta:
        ordering = ["-asked_at", "-id"]
        verbose_name = _("question")
        verbose_name_plural = _("questions")
        constraints = [
            models.CheckConstraint(condition=Q(month__day=1), name="question_month_first_day"),
        ]
        indexes = [models.Index(fields=["department", "month"], name="question_department_month")]

    def __str__(self) -> str:
        return f"#{self.pk} {self.asker} {self.month:%Y-%m} {self.line}"


class QuestionEvent(models.Model):
    """One message or change of state of a question: who, when, what, from and to."""

    class Action(models.TextChoices):
        ASK = "ask", _("Asked")
        ANSWER = "answer", _("Answered")
        PASS = "pass", _("Passed to the director")
        CLOSE = "close", _("Closed")
        REOPEN = "reopen", _("Asked again")

    question = models.ForeignKey(
        Question, verbose_name=_("question"), on_delete=models.PROTECT, related_name="events"
    )
    action = models.CharField(_("action"), max_length=10, choices=Action.choices)
    from_state = models.CharField(
        _("from"), max_length=10, choices=QuestionState.choices, blank=True
    )
    to_state = models.CharField(_("to"), max_length=10, choices=QuestionState.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("by"), on_delete=models.PROTECT, related_name="+"
    )
    at = models.DateTimeField(_("at"), auto_now_add=True)
    text = models.TextField(_("message"), blank=True)

    class Meta:
        ordering = ["question", "at", "id"]
        verbose_name = _("question event")
        verbose_name_plural = _("question events")

    def __str__(self) -> str:
        return f"{self.question_id} {self.action} {self.at:%Y-%m-%d %H:%M}"


class NoticeKind(models.TextChoices):
    APPROVED = "approved", _("Month approved")
    PAID = "paid", _("Month paid")
    CORRECTED = "corrected", _("Month corrected")
    GATE_AT_RISK = "gate_at_risk", _("Gate at risk")


class Notice(models.Model):
    """Something a person is told once: by e-mail and on their start page until dismissed.

    The unique key (recipient, kind, department, month, gate, revision) is what makes a
    notice go out once: a second run, or a second worker, finds the row and sends nothing.
    ``gate`` is the milestone's day (0: none); ``revision`` the period's (0: none).
    """

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recipient"),
        on_delete=models.CASCADE,
        related_name="notices",
    )
    kind = models.CharField(_("kind"), max_length=20, choices=NoticeKind.choices)
    department = models.ForeignKey(
        Department, verbose_name=_("department"), on_delete=models.PROTECT, related_name="+"
    )
    month = models.DateField(_("month"))
    gate = models.PositiveSmallIntegerField(_("gate day"), default=0)
    revision = models.PositiveIntegerField(_("revision"), default=0)
    # The figures the notice tells of, as they were when it was made (amounts as strings).
    details = models.JSONField(_("details"), default=dict, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    mailed_at = models.DateTimeField(_("mailed at"), null=True, blank=True)
    dismissed_at = models.DateTimeField(_("dismissed at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("notice")
        verbose_name_plural = _("notices")
        constraints = [
            models.UniqueConstraint(
                fields=["recipient", "kind", "department", "month", "gate", "revision"],
                name="notice_sent_once",
            ),
            models.CheckConstraint(condition=Q(month__day=1), name="notice_month_first_day"),
        ]
        indexes = [
            models.Index(
                fields=["recipient"],
                condition=Q(dismissed_at__isnull=True),
                name="notice_unread",
            )
        ]

    def __str__(self) -> str:
        return f"{self.recipient} {self.kind} {self.month:%Y-%m} #{self.gate}/{self.revision}"
