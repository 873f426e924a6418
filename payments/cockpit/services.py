"""Writes of the cockpit: a promise to pay."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from accounts import policy
from accounts.policy import Action
from payments.models import Client, Invoice, Promise


@transaction.atomic
def promise_record(
    *,
    user: Any,
    client: Client,
    called_on: dt.date,
    promised_on: dt.date,
    amount: Decimal,
    note: str = "",
    invoice: str = "",
) -> Promise:
    """Record that ``client`` was called and promised to pay ``amount`` on a day, for the
    client's invoice numbered ``invoice`` when the caller names one."""
    policy.require(user, Action.RECORD_PROMISE, client)
    return Promise.objects.create(
        client=client,
        invoice=_invoice(client, invoice.strip()) if invoice.strip() else None,
        called_on=called_on,
        promised_on=promised_on,
        amount=amount,
        note=note,
        recorded_by=user,
    )


def _invoice(client: Client, number: str) -> Invoice:
    found = Invoice.objects.filter(client=client, number=number).first()
    if found is None:
        message = _("%(client)s has no invoice numbered %(number)s.")
        raise ValidationError({"invoice": message % {"client": client.name, "number": number}})
    return found
