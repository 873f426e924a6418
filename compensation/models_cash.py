"""The company's obligations: what it must pay out, by month or on due dates, against
which the director's cash gap is drawn (``compensation.cashgap``).

Kept apart from ``compensation.models`` (past its size), which imports this module.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from core.money import MONEY_FIELD as MONEY


class MonthlyObligation(models.Model):
    """What the company must pay out in a month (salaries, taxes, rent, suppliers).

    Spread evenly over the month's working days, unless the month has a schedule of
    due dates (``ObligationDue``), which then says when the money goes out instead.
    """

    month = models.DateField(_("month"), unique=True, help_text=_("The first day of the month."))
    total = models.DecimalField(_("total obligations"), **MONEY)
    note = models.CharField(_("note"), max_length=200, blank=True)

    class Meta:
        ordering = ["-month"]
        verbose_name = _("monthly obligations")
        verbose_name_plural = _("monthly obligations")
        constraints = [
            models.CheckConstraint(condition=Q(month__day=1), name="obligation_month_first_day"),
            models.CheckConstraint(condition=Q(total__gte=0), name="obligation_total_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.month:%Y-%m}: {self.total}"


class ObligationDue(models.Model):
    """One payment the company owes on a date: a row of an imported schedule."""

    due_on = models.DateField(_("due on"), db_index=True)
    amount = models.DecimalField(_("amount"), **MONEY)
    description = models.CharField(_("description"), max_length=200, blank=True)
    source_file = models.CharField(_("imported from"), max_length=200, blank=True)

    class Meta:
        ordering = ["due_on", "pk"]
        verbose_name = _("obligation due")
        verbose_name_plural = _("obligations due")
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="obligation_due_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.due_on}: {self.amount}"
