"""Clients, incoming payments and the import batches that bring them in."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any, NamedTuple

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.db.models import F, Func, Q
from django.db.models.functions import Cast
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from accounts.models import Department, Employee
from core.money import MONEY_FIELD as MONEY
from payments.inn import validate_inn

OPERATION_KEY_LENGTH = 200


def operation_key_field() -> models.CharField:
    """The bank operation a payment is, whatever file brought it (``importing.rules``).

    Byte order ("C"): the import finds possible repeats (same payer, day and amount,
    another document number) as a range of keys sharing a prefix, through the index. A
    row written without one (SQL, a fixture) gets a random key: unique, matching nothing.
    """
    return models.CharField(
        _("operation key"),
        max_length=OPERATION_KEY_LENGTH,
        db_collation="C",
        db_default=Cast(
            Func(function="gen_random_uuid", output_field=models.UUIDField()),
            models.CharField(max_length=OPERATION_KEY_LENGTH),
        ),
        editable=False,
    )


class Client(models.Model):
    name = models.CharField(_("name"), max_length=300)
    inn = models.CharField(_("INN"), max_length=12, unique=True, validators=[validate_inn])
    department = models.ForeignKey(
        Department, verbose_name=_("department"), on_delete=models.PROTECT, related_name="clients"
    )
    # The current responsible employee; ClientAssignment keeps who had the client when.
    responsible = models.ForeignKey(
        Employee,
        verbose_name=_("responsible"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="clients",
    )
    # Whom to call and how (a name, a phone): the call list shows it.
    contact = models.TextField(_("contact"), blank=True, db_default="")
    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]
        verbose_name = _("client")
        verbose_name_plural = _("clients")
        indexes = [models.Index(fields=["name"], name="client_name_idx")]
        constraints = [
            models.CheckConstraint(
                condition=Q(inn__regex=r"^([0-9]{10}|[0-9]{12})$"),
                name="client_inn_digits",
                violation_error_message=_("An INN has 10 or 12 digits."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.inn})"


class ClientAssignment(models.Model):
    """Who was responsible for a client from when to when (leave cover included)."""

    client = models.ForeignKey(
        Client, verbose_name=_("client"), on_delete=models.CASCADE, related_name="assignments"
    )
    employee = models.ForeignKey(
        Employee,
        verbose_name=_("employee"),
        on_delete=models.PROTECT,
        related_name="client_assignments",
    )
    started_on = models.DateField(_("from"))
    ended_on = models.DateField(_("to"), null=True, blank=True)
    reason = models.CharField(_("reason"), max_length=300, blank=True)
    # The absence a cover was handed over for: the cover follows its dates.
    absence = models.ForeignKey(
        "accounts.Absence",
        verbose_name=_("absence"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="covers",
    )
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("assigned by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        ordering = ["client", "started_on"]
        verbose_name = _("client assignment")
        verbose_name_plural = _("client assignments")
        constraints = [
            models.CheckConstraint(
                condition=Q(ended_on__isnull=True) | Q(ended_on__gte=F("started_on")),
                name="assignment_ends_after_start",
            ),
            models.UniqueConstraint(
                fields=["client"],
                condition=Q(ended_on__isnull=True),
                name="assignment_one_open_per_client",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.client.name} → {self.employee} {self.started_on}–{self.ended_on or ''}"


class Source(models.TextChoices):
    MANUAL = "manual", _("Manual entry")
    FILE = "file", _("CSV/XLSX file")
    ONEC = "1c", _("1C bank statement")
    CAMT053 = "camt053", _("camt.053 statement")
    API = "api", _("HTTP API")


class ImportFormat(models.TextChoices):
    CSV = "csv", "CSV"
    XLSX = "xlsx", "XLSX"
    ONEC = "1c", _("1C bank statement")
    CAMT053 = "camt053", "camt.053"
    JSON = "json", "JSON"


class ImportKind(models.TextChoices):
    """What a file brings in: both go through the one pipeline (``importing.pipeline``)."""

    PAYMENTS = "payments", _("payments")
    INVOICES = "invoices", _("invoices")


class ImportStatus(models.TextChoices):
    PENDING = "pending", _("Waiting")
    RUNNING = "running", _("Running")
    DONE = "done", _("Imported")
    REJECTED = "rejected", _("Rejected")
    FAILED = "failed", _("Failed")


# A worker polls for jobs every second or so: this long without one is worth saying.
WORKER_START_WAIT = dt.timedelta(minutes=2)


class ImportBatch(models.Model):
    kind = models.CharField(
        _("kind"),
        max_length=10,
        choices=ImportKind.choices,
        default=ImportKind.PAYMENTS,
        db_default=ImportKind.PAYMENTS,
    )
    file_name = models.CharField(_("file name"), max_length=255)
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    format = models.CharField(_("format"), max_length=10, choices=ImportFormat.choices)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("imported by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("started"), auto_now_add=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=ImportStatus.choices, default=ImportStatus.PENDING
    )
    new_count = models.PositiveIntegerField(_("new"), default=0)
    duplicate_count = models.PositiveIntegerField(_("duplicates"), default=0)
    unmatched_count = models.PositiveIntegerField(_("unmatched"), default=0)
    rejected_count = models.PositiveIntegerField(_("rejected"), default=0)
    # The months the file's rows fall in, so a period cannot close under a running import.
    first_date = models.DateField(_("first date"), null=True, blank=True)
    last_date = models.DateField(_("last date"), null=True, blank=True)
    errors = models.JSONField(_("errors"), default=list, blank=True)
    # What the running import last reported (``payments.importing.progress``).
    progress = models.JSONField(_("progress"), default=dict, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("import batch")
        verbose_name_plural = _("import batches")
        indexes = [models.Index(fields=["status"], name="import_batch_status_idx")]

    def __str__(self) -> str:
        return f"{self.file_name} ({self.get_status_display()})"

    @property
    def waits_too_long(self) -> bool:
        """Waiting longer than a worker takes to start a job: is any worker running?"""
        waited = timezone.now() - self.created_at
        return self.status == ImportStatus.PENDING and waited > WORKER_START_WAIT


class PaymentQuerySet(models.QuerySet["Payment"]):
    def counted(self) -> PaymentQuerySet:
        """Payments that count towards collections: everything not voided."""
        return self.filter(voided_at__isnull=True)


class Payment(models.Model):
    # No index of its own: (client, received_on) below serves every look-up by client.
    client = models.ForeignKey(
        Client,
        verbose_name=_("client"),
        on_delete=models.PROTECT,
        related_name="payments",
        db_index=False,
    )
    # Fixed when the payment is recorded, so month totals need no join through history.
    department = models.ForeignKey(
        Department,
        verbose_name=_("department"),
        on_delete=models.PROTECT,
        related_name="payments",
    )
    responsible = models.ForeignKey(
        Employee,
        verbose_name=_("responsible"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="payments",
    )
    amount = models.DecimalField(_("amount"), **MONEY)
    received_on = models.DateField(_("received on"))
    source = models.CharField(_("source"), max_length=10, choices=Source.choices)
    # Provenance: the document number as the file or the person gave it.
    source_ref = models.CharField(_("source reference"), max_length=200, blank=True)
    operation_key = operation_key_field()
    payer_inn = models.CharField(_("payer INN"), max_length=12, blank=True)
    payer_name = models.CharField(_("payer"), max_length=300, blank=True)
    purpose = models.TextField(_("purpose"), blank=True)
    import_batch = models.ForeignKey(
        ImportBatch,
        verbose_name=_("import batch"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="payments",
    )
    # Who entered or assigned the payment; empty when it came in with an import batch,
    # whose created_by is who imported it (``recorder``).
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True)
    voided_at = models.DateTimeField(_("voided at"), null=True, blank=True)
    voided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("voided by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    void_reason = models.CharField(_("void reason"), max_length=500, blank=True)
    # Changes only (an imported payment's creation is its batch): the history is read one
    # payment at a time (by id) or by date, never by client or person, so those columns
    # carry no index there; and the log keeps its user id without a foreign-key check.
    history = HistoricalRecords(
        no_db_index=[
            "client",
            "department",
            "responsible",
            "import_batch",
            "recorded_by",
            "voided_by",
        ],
        user_db_constraint=False,
    )

    objects = PaymentQuerySet.as_manager()

    class Meta:
        ordering = ["-received_on", "-id"]
        verbose_name = _("payment")
        verbose_name_plural = _("payments")
        constraints = [
            models.CheckConstraint(
                condition=Q(amount__gt=0),
                name="payment_amount_positive",
                violation_error_message=_("A payment amount must be greater than zero."),
            ),
            models.UniqueConstraint(
                fields=["operation_key"],
                name="payment_unique_operation",
                violation_error_message=_("This payment has already been recorded."),
            ),
            models.CheckConstraint(
                condition=(Q(voided_at__isnull=True) & Q(void_reason=""))
                | (Q(voided_at__isnull=False) & ~Q(void_reason="")),
                name="payment_void_has_reason",
                violation_error_message=_("A voided payment needs a reason."),
            ),
        ]
        indexes = [
            # The dashboard's month figures by client and by responsible read only
            # counted payments of one department: this index alone answers them (an
            # index-only scan, the INCLUDE columns read from the index).
            models.Index(
                fields=["department", "received_on"],
                include=["amount", "client", "responsible"],
                condition=Q(voided_at__isnull=True),
                name="payment_dept_date_counted_idx",
            ),
            models.Index(fields=["client", "received_on"], name="payment_client_date_idx"),
            # The payments list's order, newest first: its first page is read off this
            # index whatever the table's size, never sorted (a day of a large company
            # holds thousands of payments, which a date-only index leaves to a sort).
            models.Index(fields=["received_on", "id"], name="payment_date_id_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.received_on} {self.client.name} {self.amount}"

    @property
    def is_void(self) -> bool:
        return self.voided_at is not None

    @property
    def recorder(self) -> Any:
        """Who brought the payment in: by hand or by assigning it, else by importing it."""
        if self.recorded_by_id is not None or self.import_batch_id is None:
            return self.recorded_by
        return self.import_batch.created_by

    @classmethod
    def of_client(cls, client: Client, **fields: Any) -> Payment:
        """A new payment of ``client``, unsaved.

        The client's department and responsible person as they stand today are kept
        with the payment, so month totals never join through the assignment history.
        """
        return cls(
            client=client,
            department_id=client.department_id,
            responsible_id=client.responsible_id,
            **fields,
        )


class DailyCollection(models.Model):
    """What a department collected on one day: its counted payments' total and number.

    Kept by the database itself: triggers on the payments table add every counted
    payment written and take back every one voided or deleted, whatever writes it
    (imports, forms, the admin, SQL). A month is then at most 31 rows to read instead of
    every payment of it. Never written by the application.
    """

    department = models.ForeignKey(
        Department, on_delete=models.CASCADE, related_name="+", db_index=False
    )
    day = models.DateField()
    amount = models.DecimalField(max_digits=16, decimal_places=2)
    payment_count = models.IntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["department", "day"], name="daily_collection_day"),
        ]

    def __str__(self) -> str:
        return f"{self.department_id} {self.day} {self.amount} ({self.payment_count})"


class ClientMonthCollection(models.Model):
    """A client's payments of one month credited to one department: their total, their
    number and the days of the month they came on (each day once).

    The forecast's "usual payer" habit (the median payment day, the average month) reads
    these, a row a client a month, instead of half a year of payments. Kept by triggers
    on the payments table as ``DailyCollection`` is, whatever writes the payments; rows
    whose count falls to zero stay and are skipped by readers. Never written by the
    application.
    """

    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="+", db_index=False)
    department = models.ForeignKey(
        Department, on_delete=models.CASCADE, related_name="+", db_index=False
    )
    month = models.DateField()  # the first day of the month
    amount = models.DecimalField(max_digits=16, decimal_places=2)
    payment_count = models.IntegerField()
    days = ArrayField(models.SmallIntegerField())  # sorted, distinct

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["client", "department", "month"], name="client_month_collection"
            ),
        ]
        indexes = [
            # The readers pick a department's (or every) client over a range of months.
            models.Index(
                fields=["department", "month"],
                include=["client", "amount", "days"],
                condition=Q(payment_count__gt=0),
                name="client_month_dept_idx",
            ),
            models.Index(
                fields=["month"],
                include=["client", "department", "amount", "days"],
                condition=Q(payment_count__gt=0),
                name="client_month_month_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.client_id} {self.department_id} {self.month} {self.amount}"


BALANCE_MONEY = {"max_digits": 16, "decimal_places": 2}


class ClientMonthBalance(models.Model):
    """A client's month as the cockpit reads it: what was invoiced for the month, what
    the client paid in it (every counted payment, whichever department it is credited
    to), what of the invoices that settled, and each invoice still open.

    The settlement is ``payments.settlement.settle``'s, run by the database: triggers on
    the payments and the invoices tables keep a row per client and month with an
    invoice or a payment (migration ``0017_client_month_balance``), so a list of what is
    owed reads a page of rows and its totals in SQL whatever the number of payments.
    A payment added to a client with one invoice that month adds to its totals; any
    other change replays the month's payments over its invoices, naming first.
    ``tests/test_client_month_balance.py`` holds both to the pure function. Never
    written by the application.
    """

    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="+", db_index=False)
    # The client's department and responsible person as they stand today (a trigger on
    # the clients table follows them), so that a department's list reads its own rows.
    department = models.ForeignKey(
        Department, on_delete=models.CASCADE, related_name="+", db_index=False
    )
    responsible = models.ForeignKey(
        Employee, on_delete=models.SET_NULL, null=True, related_name="+", db_index=False
    )
    month = models.DateField()  # the first day of the month
    invoiced = models.DecimalField(**BALANCE_MONEY)
    invoice_count = models.IntegerField()
    paid = models.DecimalField(**BALANCE_MONEY)
    settled = models.DecimalField(**BALANCE_MONEY)  # of the invoices, by the payments
    owed = models.GeneratedField(
        expression=F("invoiced") - F("settled"),
        output_field=models.DecimalField(**BALANCE_MONEY),
        db_persist=True,
    )
    credit = models.GeneratedField(  # paid beyond every invoice
        expression=F("paid") - F("settled"),
        output_field=models.DecimalField(**BALANCE_MONEY),
        db_persist=True,
    )
    # The invoices still open, oldest first: number, due date and what is left of each.
    open_numbers = ArrayField(models.CharField(max_length=100))
    open_due = ArrayField(models.DateField())
    open_amounts = ArrayField(models.DecimalField(**BALANCE_MONEY))
    overdue_from = models.DateField(null=True)  # the earliest due date of an open invoice

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["client", "month"], name="client_month_balance"),
        ]
        # No column a payment changes is indexed but ``owed`` (for the owing only), so
        # that most payments update their row in place (HOT): an import of a statement
        # updates a row per client and month it pays.
        indexes = [
            # A department's billed clients of a month.
            models.Index(
                fields=["department", "month"],
                condition=Q(invoice_count__gt=0),
                name="client_balance_dept_idx",
            ),
            # The company's month: every client still owing at once (the forecast).
            models.Index(
                fields=["month"], condition=Q(owed__gt=0), name="client_balance_owing_idx"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.client_id} {self.month} {self.invoiced} {self.paid}"

    @property
    def open_invoices(self) -> list[OpenInvoice]:
        return [
            OpenInvoice(number, due_on, amount)
            for number, due_on, amount in zip(
                self.open_numbers, self.open_due, self.open_amounts, strict=True
            )
        ]

    def overdue_days(self, today: dt.date) -> int:
        """Days past the earliest due date of an open invoice (0 when none is overdue)."""
        return max(0, (today - self.overdue_from).days) if self.overdue_from else 0


class OpenInvoice(NamedTuple):
    number: str
    due_on: dt.date
    open: Decimal


class UnmatchedPayment(models.Model):
    """An incoming payment whose payer matched no client: kept for a person to assign."""

    batch = models.ForeignKey(
        ImportBatch,
        verbose_name=_("import batch"),
        on_delete=models.PROTECT,
        related_name="unmatched",
    )
    amount = models.DecimalField(_("amount"), **MONEY)
    received_on = models.DateField(_("received on"))
    source = models.CharField(_("source"), max_length=10, choices=Source.choices)
    source_ref = models.CharField(_("source reference"), max_length=200, blank=True)
    operation_key = operation_key_field()
    payer_inn = models.CharField(_("payer INN"), max_length=12, blank=True)
    payer_name = models.CharField(_("payer"), max_length=300, blank=True)
    payer_account = models.CharField(_("payer account"), max_length=34, blank=True)
    purpose = models.TextField(_("purpose"), blank=True)
    payment = models.OneToOneField(
        Payment,
        verbose_name=_("recorded as"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="unmatched_origin",
    )
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("resolved by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True)
    # Why it was assigned to a client whose INN is not the payer's (else empty).
    reason = models.TextField(_("reason"), blank=True, db_default="")

    class Meta:
        ordering = ["received_on", "id"]
        verbose_name = _("unmatched payment")
        verbose_name_plural = _("unmatched payments")
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="unmatched_amount_positive"),
            models.UniqueConstraint(fields=["operation_key"], name="unmatched_unique_operation"),
        ]

    def __str__(self) -> str:
        return f"{self.received_on} {self.payer_name or self.payer_inn} {self.amount}"


class ImportUpload(models.Model):
    """An uploaded file waiting in the database, in parts, until it is imported.

    A large file waits for the background import (``payments.tasks``) and has its batch;
    a small one waits for its uploader to confirm the dry run's preview and has a token
    instead. Either way any web process or worker, on any machine, can read it without
    shared disks and without holding it in memory; it is deleted once it has served. The
    file of an import that failed, or whose worker died, is kept for a day, to be run
    again.
    """

    PART_BYTES = 1024 * 1024

    batch = models.OneToOneField(
        ImportBatch,
        verbose_name=_("import batch"),
        on_delete=models.CASCADE,
        related_name="upload",
        null=True,
        blank=True,
    )
    # The preview's address, and who may confirm it.
    token = models.UUIDField(_("preview token"), null=True, blank=True, unique=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("uploaded by"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
    )
    requested_format = models.CharField(_("format"), max_length=10)
    size = models.PositiveBigIntegerField(_("size"))
    created_at = models.DateTimeField(_("uploaded"), auto_now_add=True)

    class Meta:
        verbose_name = _("import upload")
        verbose_name_plural = _("import uploads")
        constraints = [
            models.CheckConstraint(
                condition=(Q(batch__isnull=False) & Q(token__isnull=True))
                | (Q(batch__isnull=True) & Q(token__isnull=False) & Q(created_by__isnull=False)),
                name="upload_for_a_batch_or_a_preview",
            )
        ]

    def __str__(self) -> str:
        if self.batch_id is None:
            return f"preview {self.token} ({self.size} B)"
        return f"{self.batch.file_name} ({self.size} B)"


class ImportUploadPart(models.Model):
    upload = models.ForeignKey(ImportUpload, on_delete=models.CASCADE, related_name="parts")
    number = models.PositiveIntegerField()
    data = models.BinaryField()

    class Meta:
        ordering = ["upload", "number"]
        constraints = [
            models.UniqueConstraint(fields=["upload", "number"], name="upload_part_unique_number")
        ]

    def __str__(self) -> str:
        return f"{self.upload_id}#{self.number}"


class Invoice(models.Model):
    """An invoice issued to a client for a month, as the billing system exported it."""

    client = models.ForeignKey(
        Client, verbose_name=_("client"), on_delete=models.PROTECT, related_name="invoices"
    )
    # The month the invoice bills (its first day): the month whose collections it expects.
    month = models.DateField(_("month"))
    number = models.CharField(_("number"), max_length=100)
    issued_on = models.DateField(_("issued on"))
    due_on = models.DateField(_("due on"))
    amount = models.DecimalField(_("amount"), **MONEY)
    import_batch = models.ForeignKey(
        ImportBatch,
        verbose_name=_("import batch"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="invoices",
    )
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
        ordering = ["issued_on", "number"]
        verbose_name = _("invoice")
        verbose_name_plural = _("invoices")
        constraints = [
            models.UniqueConstraint(
                fields=["client", "number"],
                name="invoice_unique_client_number",
                violation_error_message=_("This client already has an invoice with this number."),
            ),
            models.CheckConstraint(
                condition=Q(amount__gt=0),
                name="invoice_amount_positive",
                violation_error_message=_("An invoice amount must be greater than zero."),
            ),
            models.CheckConstraint(
                condition=Q(due_on__gte=F("issued_on")),
                name="invoice_due_after_issue",
                violation_error_message=_("An invoice is due on or after its date."),
            ),
            models.CheckConstraint(condition=Q(month__day=1), name="invoice_month_first_day"),
        ]
        indexes = [models.Index(fields=["month", "client"], name="invoice_month_client_idx")]

    def __str__(self) -> str:
        return f"{self.number} {self.client.name} {self.amount}"


class Promise(models.Model):
    """A client's promise to pay, as the person who called them recorded it."""

    client = models.ForeignKey(
        Client, verbose_name=_("client"), on_delete=models.PROTECT, related_name="promises"
    )
    # The invoice the promise is for, when the caller named one.
    invoice = models.ForeignKey(
        Invoice,
        verbose_name=_("invoice"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="promises",
    )
    called_on = models.DateField(_("called on"))
    promised_on = models.DateField(_("promised on"))
    amount = models.DecimalField(_("amount"), **MONEY)
    note = models.CharField(_("note"), max_length=500, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-called_on", "-id"]
        verbose_name = _("promise to pay")
        verbose_name_plural = _("promises to pay")
        constraints = [
            models.CheckConstraint(
                condition=Q(amount__gt=0),
                name="promise_amount_positive",
                violation_error_message=_("A promised amount must be greater than zero."),
            ),
        ]
        indexes = [models.Index(fields=["client", "promised_on"], name="promise_client_day_idx")]

    def __str__(self) -> str:
        return f"{self.client.name} {self.promised_on} {self.amount}"
