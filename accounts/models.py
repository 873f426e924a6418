"""People: departments, employees, memberships and base salaries with effective dates."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.db.models import F, OuterRef, Q, Subquery
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from core.money import MONEY_FIELD


class Role(models.TextChoices):
    """The four roles of SPEC section 1, kept as Django groups of these names."""

    STAFF = "Staff", _("Staff member")
    HEAD = "Department head", _("Department head")
    DIRECTOR = "Commercial director", _("Commercial director")
    ACCOUNTANT = "Accountant", _("Accountant")


class Department(models.Model):
    name = models.CharField(_("name"), max_length=200, unique=True)
    head = models.ForeignKey(
        "Employee",
        verbose_name=_("head"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="headed_departments",
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]
        verbose_name = _("department")
        verbose_name_plural = _("departments")

    def __str__(self) -> str:
        return self.name


class EmployeeQuerySet(models.QuerySet["Employee"]):
    def with_base_salary(self, month: dt.date) -> EmployeeQuerySet:
        """Annotate ``base_salary``: the salary in force on the month's first day."""
        in_force = (
            BaseSalary.objects.filter(employee=OuterRef("pk"), effective_from__lte=month)
            .order_by("-effective_from")
            .values("amount")[:1]
        )
        return self.annotate(base_salary=Subquery(in_force))

    def members_of(self, department: Department, month: dt.date, last: dt.date) -> EmployeeQuerySet:
        """Employees whose membership of ``department`` overlaps the month."""
        return self.filter(
            Q(memberships__ended_on__isnull=True) | Q(memberships__ended_on__gte=month),
            memberships__department=department,
            memberships__started_on__lte=last,
        ).distinct()


class Employee(models.Model):
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("login"),
        on_delete=models.PROTECT,
        related_name="employee",
    )
    personnel_number = models.CharField(_("personnel number"), max_length=20, unique=True)
    full_name = models.CharField(_("full name"), max_length=200)
    position = models.CharField(_("position"), max_length=200)
    # The language the person's e-mails are written in: set when they switch the site's
    # language; blank means the site's default.
    language = models.CharField(
        _("language of e-mails"), max_length=10, choices=settings.LANGUAGES, blank=True
    )
    history = HistoricalRecords()

    objects = EmployeeQuerySet.as_manager()

    class Meta:
        ordering = ["full_name"]
        verbose_name = _("employee")
        verbose_name_plural = _("employees")

    def __str__(self) -> str:
        return self.full_name


class Membership(models.Model):
    """An employee's time in a department; history holds when people move."""

    employee = models.ForeignKey(
        Employee, verbose_name=_("employee"), on_delete=models.PROTECT, related_name="memberships"
    )
    department = models.ForeignKey(
        Department,
        verbose_name=_("department"),
        on_delete=models.PROTECT,
        related_name="memberships",
    )
    started_on = models.DateField(_("from"))
    ended_on = models.DateField(_("to"), null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["department", "employee", "started_on"]
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints = [
            models.CheckConstraint(
                condition=Q(ended_on__isnull=True) | Q(ended_on__gte=F("started_on")),
                name="membership_ends_after_start",
                violation_error_message=_("A membership cannot end before it starts."),
            ),
            models.UniqueConstraint(
                fields=["employee", "started_on"], name="membership_unique_start"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.employee} @ {self.department} {self.started_on}–{self.ended_on or ''}"


class BaseSalary(models.Model):
    """A base salary from a date on; the month's salary is the one in force on its 1st."""

    employee = models.ForeignKey(
        Employee, verbose_name=_("employee"), on_delete=models.PROTECT, related_name="salaries"
    )
    amount = models.DecimalField(_("amount"), **MONEY_FIELD)
    effective_from = models.DateField(_("effective from"))
    history = HistoricalRecords()

    class Meta:
        ordering = ["employee", "-effective_from"]
        verbose_name = _("base salary")
        verbose_name_plural = _("base salaries")
        constraints = [
            models.CheckConstraint(
                condition=Q(amount__gte=0),
                name="base_salary_not_negative",
                violation_error_message=_("A base salary cannot be negative."),
            ),
            models.UniqueConstraint(
                fields=["employee", "effective_from"], name="base_salary_unique_date"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.employee}: {self.amount} from {self.effective_from}"


class AbsenceKind(models.TextChoices):
    SICK_LEAVE = "sick_leave", _("Sick leave")
    VACATION = "vacation", _("Vacation")
    UNPAID_LEAVE = "unpaid_leave", _("Unpaid leave")
    OTHER = "other", _("Other")


class Absence(models.Model):
    """Days an employee was away, from and to included; their clients are covered meanwhile."""

    employee = models.ForeignKey(
        Employee, verbose_name=_("employee"), on_delete=models.PROTECT, related_name="absences"
    )
    kind = models.CharField(_("kind"), max_length=20, choices=AbsenceKind.choices)
    started_on = models.DateField(_("from"))
    ended_on = models.DateField(_("to"))
    note = models.CharField(_("note"), max_length=300, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["employee", "started_on"]
        verbose_name = _("absence")
        verbose_name_plural = _("absences")
        constraints = [
            models.CheckConstraint(
                condition=Q(ended_on__gte=F("started_on")),
                name="absence_ends_after_start",
                violation_error_message=_("An absence cannot end before it starts."),
            ),
        ]
        indexes = [models.Index(fields=["employee", "started_on"], name="absence_employee_from")]

    def __str__(self) -> str:
        return f"{self.employee}: {self.get_kind_display()} {self.started_on}–{self.ended_on}"

    @property
    def days(self) -> int:
        """Calendar days away, both ends included."""
        return (self.ended_on - self.started_on).days + 1
