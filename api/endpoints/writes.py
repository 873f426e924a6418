"""Records in: payments (one or many), invoices and absences, through the same services
as the pages and the file imports, with the same checks and all-or-nothing."""

from __future__ import annotations

import io
import json
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest, JsonResponse
from django.utils.translation import gettext as _
from ninja import Router, Status

from accounts.absences import absence_record
from accounts.models import Employee
from accounts.policy import Action, Integration
from api.auth import WriteThrottle, allowed
from api.idempotency import idempotent
from api.problems import Problem
from api.schemas import (
    AbsenceIn,
    AbsenceOut,
    ImportOut,
    InvoicesIn,
    InvoicesOut,
    PaymentIn,
    PaymentsIn,
)
from api.tokens import token_used
from core.rows import RowError
from payments.cockpit.invoices import invoices_import
from payments.importing.pipeline import ImportResult, payments_import
from payments.models import ImportFormat

router = Router(tags=["in"])
PROBLEMS = {401: dict, 403: dict, 422: dict, 429: dict}


def _source_name(request: HttpRequest) -> str:
    principal = request.auth  # type: ignore[attr-defined]
    if isinstance(principal, Integration):
        return f"api:{principal.name}"[:255]
    return "api"


def _used(request: HttpRequest) -> None:
    if isinstance(request.auth, Integration):  # type: ignore[attr-defined]
        token_used(request.auth)  # type: ignore[attr-defined]


def _import_json(result: ImportResult) -> dict[str, Any]:
    return {
        "batch": result.batch.pk if result.batch else None,
        "dry_run": result.dry_run,
        "new": result.new,
        "duplicate": result.duplicate,
        "unmatched": result.unmatched,
        "new_amount": str(result.new_amount),
        "first_date": result.first_date.isoformat() if result.first_date else None,
        "last_date": result.last_date.isoformat() if result.last_date else None,
    }


def _import_payments(request: HttpRequest, rows: list[dict[str, str]], dry_run: bool) -> Any:
    result = payments_import(
        file_name=_source_name(request),
        data=json.dumps(rows).encode(),
        fmt=ImportFormat.JSON,
        user=request.auth,  # type: ignore[attr-defined]
        dry_run=dry_run,
    )
    if not result.accepted:
        raise Problem(
            422,
            "rows-rejected",
            _("The payments were not imported."),
            _("%(count)d row(s) have errors; nothing was saved.") % {"count": result.rejected or 1},
            result.errors,
        )
    if not dry_run:
        _used(request)
    return (201 if result.written and result.new else 200), _import_json(result)


WRITE = {"throttle": [WriteThrottle()], "response": {200: ImportOut, 201: ImportOut, **PROBLEMS}}


@router.post("/payments", url_name="payment_create", auth=allowed(Action.MANAGE_PAYMENTS), **WRITE)
def payment_create(request: HttpRequest, payment: PaymentIn) -> JsonResponse:
    """One payment, as a one-row import: the same checks and de-duplication as a file."""
    rows = [payment.model_dump()]
    return idempotent(
        request, "payment_create", rows, lambda: _import_payments(request, rows, False)
    )


@router.post(
    "/payments/bulk", url_name="payments_bulk", auth=allowed(Action.MANAGE_PAYMENTS), **WRITE
)
def payments_bulk(request: HttpRequest, payload: PaymentsIn) -> JsonResponse:
    """Many payments (a day's bank feed): all or nothing, each error naming its row.

    Send an ``Idempotency-Key`` header: a retry with the same key and body returns the
    first answer and adds nothing.
    """
    rows = [row.model_dump() for row in payload.payments]
    return idempotent(
        request,
        "payments_bulk",
        payload.model_dump(),
        lambda: _import_payments(request, rows, payload.dry_run),
    )


def _import_invoices(request: HttpRequest, payload: InvoicesIn) -> Any:
    body = json.dumps([row.model_dump() for row in payload.invoices]).encode()
    result = invoices_import(
        user=request.auth,  # type: ignore[attr-defined]
        data=io.BytesIO(body),
        fmt="json",
        dry_run=payload.dry_run,
        file_name=_source_name(request),
    )
    if not result.accepted:
        raise Problem(
            422,
            "rows-rejected",
            _("The invoices were not imported."),
            _("%(count)d error(s); nothing was saved.") % {"count": len(result.errors) or 1},
            result.errors,
        )
    if result.written:
        _used(request)
    status = 201 if result.written and result.new else 200
    return status, {"dry_run": payload.dry_run, "new": result.new, "known": result.duplicate}


@router.post(
    "/invoices/bulk",
    url_name="invoices_bulk",
    auth=allowed(Action.MANAGE_PAYMENTS),
    throttle=[WriteThrottle()],
    response={200: InvoicesOut, 201: InvoicesOut, **PROBLEMS},
)
def invoices_bulk(request: HttpRequest, payload: InvoicesIn) -> JsonResponse:
    """Invoices from the billing system: all or nothing; a known invoice is counted, not
    written again. ``Idempotency-Key`` as for payments."""
    return idempotent(
        request, "invoices_bulk", payload.model_dump(), lambda: _import_invoices(request, payload)
    )


def _validation_problem(error: ValidationError) -> Problem:
    fields = error.message_dict if hasattr(error, "error_dict") else {"body": error.messages}
    errors = [RowError(1, name, " ".join(messages)) for name, messages in fields.items()]
    return Problem(422, "invalid", _("The absence was not recorded."), errors[0].message, errors)


@router.post(
    "/absences",
    url_name="absence_create",
    auth=allowed(Action.MANAGE_ABSENCES),
    throttle=[WriteThrottle()],
    response={201: AbsenceOut, **PROBLEMS},
)
def absence_create(request: HttpRequest, absence: AbsenceIn) -> Any:
    """An absence from the HR system, under the same rules as the head's form."""
    employee = Employee.objects.filter(personnel_number=absence.personnel_number).first()
    if employee is None:
        message = _("No employee has the personnel number %(number)s.") % {
            "number": absence.personnel_number
        }
        raise Problem(
            422,
            "invalid",
            _("The absence was not recorded."),
            message,
            [RowError(1, "personnel_number", message)],
        )
    try:
        with transaction.atomic():
            recorded = absence_record(
                user=request.auth,  # type: ignore[attr-defined]
                employee=employee,
                kind=absence.kind,
                started_on=absence.started_on,
                ended_on=absence.ended_on,
                note=absence.note,
            )
    except ValidationError as error:
        raise _validation_problem(error) from None
    _used(request)
    return Status(
        201,
        {
            "id": recorded.pk,
            "personnel_number": employee.personnel_number,
            "kind": recorded.kind,
            "started_on": recorded.started_on,
            "ended_on": recorded.ended_on,
        },
    )
