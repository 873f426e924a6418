"""Writes to payments outside imports: manual entry, voiding, assigning unmatched ones.

The rules are the import's own (``payments.importing.rules``), so a payment typed by a
person passes the same checks as one read from a file.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.policy import Action, require
from core.months import month_label
from payments.assignments import responsible_id_on
from payments.importing import liveness, rules
from payments.models import Client, ImportBatch, ImportStatus, Payment, Source, UnmatchedPayment


def _validated(
    *, client: Client, amount: str | Decimal, received_on: str | dt.date
) -> tuple[Decimal, dt.date]:
    """The amount and date, checked; every bad field named in one ``ValidationError``."""
    errors: dict[str, list[str]] = {}
    checked: dict[str, Any] = {}
    for name, clean, value in (
        ("amount", rules.clean_amount, amount),
        ("received_on", rules.clean_date, received_on),
    ):
        try:
            checked[name] = clean(value)
        except ValidationError as error:
            errors[name] = error.messages
    if not errors:
        _check_period(client, checked["received_on"], errors)
    if errors:
        raise ValidationError(errors)
    return checked["amount"], checked["received_on"]


def _check_period(client: Client, received_on: dt.date, errors: dict[str, list[str]]) -> None:
    closed = rules.lock_periods([(client.department_id, rules.month_of(received_on))])
    try:
        rules.check_period_open(client.department_id, received_on, closed)
    except ValidationError as error:
        errors["received_on"] = error.messages


@transaction.atomic
def payment_record(
    *,
    user: Any,
    client: Client,
    amount: str | Decimal,
    received_on: str | dt.date,
    reference: str = "",
    purpose: str = "",
) -> Payment:
    """A payment entered by hand.

    With a document number it is the bank operation it names (the client's INN, the
    day, the amount, the number): entered twice, or imported before, it is refused.
    Without one, a person may enter the same client, day and amount more than once.
    """
    require(user, Action.MANAGE_PAYMENTS, client)
    amount, received_on = _validated(client=client, amount=amount, received_on=received_on)
    key = rules.manual_operation_key(
        inn=client.inn, received_on=received_on, amount=amount, number=reference
    )
    if _recorded(key):
        raise ValidationError(
            {
                "reference": _(
                    "A payment of %(client)s of %(amount)s on %(date)s with the document "
                    "number %(number)s is already recorded."
                )
                % {
                    "client": client.name,
                    "amount": amount,
                    "date": received_on.strftime("%d.%m.%Y"),
                    "number": reference.strip(),
                }
            }
        )
    payment = Payment.of_client(
        client,
        amount=amount,
        received_on=received_on,
        source=Source.MANUAL,
        source_ref=reference.strip()[:200],
        operation_key=key,
        purpose=purpose.strip(),
        recorded_by=user,
    )
    # Credited to whoever held the client on the day the payment arrived.
    payment.responsible_id = responsible_id_on(client, received_on)
    payment._history_user = user
    payment.save()
    return payment


def _recorded(operation_key: str) -> bool:
    """Whether the operation is on record, as a payment or as one waiting to be assigned.

    Checked under the month's period lock (``_validated``), which every writer of
    payments takes first: no other write of the same month can slip in between.
    """
    return (
        Payment.objects.filter(operation_key=operation_key).exists()
        or UnmatchedPayment.objects.filter(operation_key=operation_key).exists()
    )


@transaction.atomic
def payment_void(*, user: Any, payment: Payment, reason: str, correcting: Any = None) -> Payment:
    """Void a wrong payment; it stays on record with who voided it and why.

    A month closed for payments takes a void only from the correction of its paid
    period (``correcting``, compensation.services.corrections), which recounts it.
    """
    require(user, Action.MANAGE_PAYMENTS, payment)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Say why the payment is voided.")})
    # Lock the row: two people voiding at once must not both succeed.
    payment = Payment.objects.select_for_update().get(pk=payment.pk)
    if payment.is_void:
        raise ValidationError({"payment": _("This payment is already void.")})
    month = rules.month_of(payment.received_on)
    closed = rules.lock_periods([(payment.department_id, month)])
    corrected = correcting is not None and (correcting.department_id, correcting.month) == (
        payment.department_id,
        month,
    )
    if closed and not corrected:
        raise ValidationError(
            {
                "payment": _(
                    "This payment is counted in the closed period %(month)s; "
                    "it can no longer be voided."
                )
                % {"month": month_label(month)}
            }
        )
    payment.voided_at = timezone.now()
    payment.voided_by = user
    payment.void_reason = reason[:500]
    payment._change_reason = reason[:100]
    payment._history_user = user  # who, outside a web request too
    payment.save(update_fields=["voided_at", "voided_by", "void_reason"])
    return payment


@transaction.atomic
def unmatched_assign(
    *, user: Any, unmatched: UnmatchedPayment, client: Client, reason: str = ""
) -> Payment:
    """Record an unmatched incoming payment as the given client's payment.

    A payer whose INN is not the client's (another company paying for it) is taken only
    with a ``reason``, kept on the unmatched row and in the payment's history.
    """
    require(user, Action.MANAGE_PAYMENTS, client)
    unmatched = UnmatchedPayment.objects.select_for_update().get(pk=unmatched.pk)
    if unmatched.payment_id is not None:
        raise ValidationError({"unmatched": _("This payment has already been assigned.")})
    reason = (reason or "").strip()
    errors: dict[str, list[str]] = {}
    if inn_differs(unmatched, client) and not reason:
        errors["reason"] = [
            _(
                "The payer's INN %(payer_inn)s is not the INN of %(client)s (%(client_inn)s): "
                "give the reason this payment is theirs."
            )
            % {"payer_inn": unmatched.payer_inn, "client": client.name, "client_inn": client.inn}
        ]
    _check_period(client, unmatched.received_on, errors)
    if not errors and Payment.objects.filter(operation_key=unmatched.operation_key).exists():
        errors["unmatched"] = [_("This operation is already recorded as a payment.")]
    if errors:
        raise ValidationError(errors)
    payment = Payment.of_client(
        client,
        amount=unmatched.amount,
        received_on=unmatched.received_on,
        # The same operation key keeps a re-import of the statement a repeat.
        source=unmatched.source,
        source_ref=unmatched.source_ref,
        operation_key=unmatched.operation_key,
        payer_inn=unmatched.payer_inn,
        payer_name=unmatched.payer_name,
        purpose=unmatched.purpose,
        import_batch=unmatched.batch,
        recorded_by=user,
    )
    payment.responsible_id = responsible_id_on(client, unmatched.received_on)
    payment._history_user = user
    if reason:
        payment._change_reason = reason
    payment.save()
    unmatched.payment = payment
    unmatched.resolved_by = user
    unmatched.resolved_at = timezone.now()
    unmatched.reason = reason
    unmatched.save(update_fields=["payment", "resolved_by", "resolved_at", "reason"])
    return payment


def inn_differs(unmatched: UnmatchedPayment, client: Client) -> bool:
    """The payer gave an INN, and it is not the client's."""
    return bool(unmatched.payer_inn) and unmatched.payer_inn != client.inn


@transaction.atomic
def import_batch_mark_stopped(*, user: Any, batch: ImportBatch) -> ImportBatch:
    """Mark an import whose process died (a killed worker) as failed.

    Such a batch would stay "running" and keep its months from closing. Its
    transaction never committed, so it wrote nothing: failed is the truth.
    """
    require(user, Action.MANAGE_PAYMENTS)
    batch = ImportBatch.objects.select_for_update().get(pk=batch.pk)
    if batch.status not in (ImportStatus.PENDING, ImportStatus.RUNNING):
        raise ValidationError({"status": _("Only a waiting or running import can be stopped.")})
    if liveness.is_held(batch.pk):
        # Its process is alive and will record the outcome itself.
        raise ValidationError({"status": _("This import is still running in its worker.")})
    batch.status = ImportStatus.FAILED
    batch.finished_at = timezone.now()
    batch.errors = [
        *batch.errors,
        {"line": 0, "field": "file", "message": _("Marked as stopped by an administrator.")},
    ]
    batch.save(update_fields=["status", "finished_at", "errors"])
    return batch


def import_batch_settle_if_lost(batch: ImportBatch) -> ImportBatch:
    """The batch as it stands: a running import whose process has ended is failed.

    The database tells (``payments.importing.liveness``): nobody holds the batch's lock.
    Its transaction never committed, so it wrote nothing.
    """
    if batch.status != ImportStatus.RUNNING or liveness.is_held(batch.pk):
        return batch
    with transaction.atomic():
        batch = ImportBatch.objects.select_for_update().get(pk=batch.pk)
        # Again under the row's lock: a process that has just finished has said so, and
        # one finishing now waits for this row while it still holds its lock.
        if batch.status != ImportStatus.RUNNING or liveness.is_held(batch.pk):
            return batch
        batch.status = ImportStatus.FAILED
        batch.finished_at = timezone.now()
        lost = {"line": 0, "field": "file", "message": str(liveness.LOST)}
        batch.errors = [*batch.errors, lost]
        batch.save(update_fields=["status", "finished_at", "errors"])
    return batch
