"""The company's working-day calendar: the days that differ from a plain Monday–Friday week."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords


class CalendarDay(models.Model):
    """A public holiday (not working) or a transferred working day (a Saturday worked).

    Days without a row follow the week: Monday to Friday working, the weekend off.
    Seeded from the ``holidays`` library (``core.calendar.calendar_seed``) and edited by an
    administrator; a seed never overwrites an edited day.
    """

    day = models.DateField(_("day"), unique=True)
    is_working = models.BooleanField(_("working day"))
    name = models.CharField(_("name"), max_length=200, blank=True)
    edited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("edited by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["day"]
        verbose_name = _("calendar day")
        verbose_name_plural = _("calendar days")

    def __str__(self) -> str:
        return f"{self.day:%d.%m.%Y} {self.name}"
