"""django-import-export resources for the admin's CSV/XLSX import and export.

A payment row is read, validated and matched by the import pipeline's own functions
(``payments.importing``): the admin adds a preview screen, not a second set of rules.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext as _
from import_export import fields, resources

from accounts.policy import Action, can
from payments.importing import rules
from payments.importing.csv_xlsx import row_from_mapping
from payments.importing.rows import ImportFileError
from payments.models import Client, Payment, Source, UnmatchedPayment


class PaymentResource(resources.ModelResource):
    """Columns: date, amount, client (INN or name), reference; headers in English or Russian."""

    date = fields.Field(attribute="received_on", column_name="date")
    amount = fields.Field(attribute="amount", column_name="amount")
    client = fields.Field(column_name="client")
    reference = fields.Field(attribute="source_ref", column_name="reference")

    class Meta:
        model = Payment
        fields = ("date", "amount", "client", "reference")
        import_id_fields = ()
        use_transactions = True
        skip_diff = True

    def import_data(self, dataset: Any, *args: Any, **kwargs: Any) -> Any:
        # All-or-nothing, as for every import: one invalid row keeps the whole file out.
        kwargs["rollback_on_validation_errors"] = True
        return super().import_data(dataset, *args, **kwargs)

    def dehydrate_client(self, payment: Payment) -> str:
        return payment.client.inn

    def before_import(self, dataset: Any, **kwargs: Any) -> None:
        user = kwargs.get("user")
        if user is not None and not can(user, Action.MANAGE_PAYMENTS):
            raise PermissionDenied
        self._matcher = rules.ClientMatcher()
        self._user = user

    def get_or_init_instance(self, instance_loader: Any, row: Any) -> tuple[Payment, bool]:
        """The payment the row describes: an existing one (a duplicate) or a new one."""
        checked = self._checked(row)
        existing = _existing(checked.source_ref)
        if existing is not None:
            return existing, False
        client = self._client(checked)
        errors: dict[str, list[str]] = {}
        # The same period lock as every other payment write (see rules.lock_periods).
        closed = rules.lock_periods([(client.department_id, rules.month_of(checked.received_on))])
        try:
            rules.check_period_open(client.department_id, checked.received_on, closed)
        except ValidationError as error:
            errors[checked.names.date] = error.messages
            raise ValidationError(errors) from None
        return _new_payment(checked, client, self._user), True

    def _checked(self, row: Any) -> rules.CheckedRow:
        try:
            raw = row_from_mapping(0, row)
        except ImportFileError as error:
            raise ValidationError({error.error.field: error.error.message}) from None
        if raw is None:
            raise ValidationError(_("The row is empty."))
        try:
            return rules.check_row(raw)
        except rules.RowRejected as rejection:
            raise ValidationError({e.field: e.message for e in rejection.errors}) from None

    def _client(self, checked: rules.CheckedRow) -> Client:
        self._matcher.load([checked], by_name=True)
        client = self._matcher.find(checked)
        if client is None:
            field_name = checked.names.inn if checked.inn else checked.names.client
            raise ValidationError({field_name: rules.unknown_client_message(checked)})
        return client

    def import_instance(self, instance: Payment, row: Any, **kwargs: Any) -> None:
        # Every field was set from the checked row in get_or_init_instance.
        return None

    def skip_row(
        self, instance: Payment, original: Any, row: Any, import_validation_errors: Any = None
    ) -> bool:
        # A payment already on record is a duplicate: never updated by a re-import.
        return instance.pk is not None


def _existing(source_ref: str) -> Payment | None:
    payment = Payment.objects.filter(source=Source.FILE, source_ref=source_ref).first()
    if (
        payment is None
        and UnmatchedPayment.objects.filter(source=Source.FILE, source_ref=source_ref).exists()
    ):
        raise ValidationError(_("This row was already imported and waits to be assigned."))
    return payment


def _new_payment(checked: rules.CheckedRow, client: Client, user: Any) -> Payment:
    return Payment.of_client(
        client,
        amount=checked.amount,
        received_on=checked.received_on,
        source=Source.FILE,
        source_ref=checked.source_ref,
        payer_inn=checked.inn,
        payer_name=checked.name[:300],
        purpose=checked.purpose,
        recorded_by=user,
    )


class ClientResource(resources.ModelResource):
    """Clients by INN: importing the same file again updates names, never duplicates."""

    department = fields.Field(attribute="department__name", column_name="department")

    class Meta:
        model = Client
        fields = ("inn", "name", "department")
        import_id_fields = ("inn",)
        use_transactions = True
        skip_unchanged = True

    def before_import_row(self, row: Any, **kwargs: Any) -> None:
        inn = str(row.get("inn") or "").strip()
        try:
            rules.clean_inn(inn)
        except ValidationError as error:
            raise ValidationError({"inn": error.messages}) from None
        if not inn:
            raise ValidationError({"inn": _("Every client needs an INN.")})

    def import_field(self, field: Any, instance: Client, row: Any, **kwargs: Any) -> None:
        if field.attribute == "department__name":
            from accounts.models import Department

            name = str(row.get("department") or "").strip()
            department = Department.objects.filter(name=name).first()
            if department is None:
                raise ValidationError({"department": _("No department %(name)s.") % {"name": name}})
            instance.department = department
            return
        super().import_field(field, instance, row, **kwargs)
