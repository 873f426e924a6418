"""Writes of the cockpit: a promise to pay."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.db import transaction

from accounts import policy
from accounts.policy import Action
from payments.models import Client, Promise


@transaction.atomic
def promise_record(
    *,
    user: Any,
    client: Client,
    called_on: dt.date,
    promised_on: dt.date,
    amount: Decimal,
    note: str = "",
) -> Promise:
    """Record that ``client`` was called and promised to pay ``amount`` on a day."""
    policy.require(user, Action.RECORD_PROMISE, client)
    return Promise.objects.create(
        client=client,
        called_on=called_on,
        promised_on=promised_on,
        amount=amount,
        note=note,
        recorded_by=user,
    )
