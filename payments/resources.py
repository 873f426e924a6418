"""django-import-export resources: the payments' export, and the clients' import and export.

Payments are imported through the one import pipeline (``payments.importing``) only.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from import_export import fields
from import_export.widgets import DateWidget, DecimalWidget

from core.resources import InertModelResource
from payments.importing import rules
from payments.models import Client, Payment


class PaymentResource(InertModelResource):
    """The export's columns: date, amount, client (INN), reference."""

    # Typed, so a spreadsheet gets a date and a number (a CSV the same text as before).
    date = fields.Field(
        attribute="received_on", column_name="date", widget=DateWidget(coerce_to_string=False)
    )
    amount = fields.Field(
        attribute="amount", column_name="amount", widget=DecimalWidget(coerce_to_string=False)
    )
    client = fields.Field(column_name="client")
    reference = fields.Field(attribute="source_ref", column_name="reference")

    class Meta:
        model = Payment
        fields = ("date", "amount", "client", "reference")

    def dehydrate_client(self, payment: Payment) -> str:
        return payment.client.inn


class ClientResource(InertModelResource):
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
