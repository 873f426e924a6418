"""Invoices in: a file (checked first, then confirmed) or one by hand."""

from __future__ import annotations

import tempfile
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from accounts import policy
from accounts.policy import Action
from core.forms import add_service_error
from payments.cockpit.forms import InvoiceForm, InvoiceUploadForm
from payments.cockpit.invoices import invoice_record, invoices_import
from payments.importing.pipeline import ImportResult
from payments.models import Client, ImportKind
from payments.tasks import import_in_background
from payments.uploads import (
    preview_upload,
    preview_upload_claim,
    preview_upload_store,
    upload_spool,
)

SESSION_KEY = "invoice_import_previews"
# A file of a million bad rows is summed up, not listed, in the session.
PREVIEW_ERRORS = 200


@login_required
@require_http_methods(["GET", "POST"])
def invoice_upload(request: HttpRequest) -> HttpResponse:
    policy.require(request.user, Action.MANAGE_PAYMENTS)
    form = InvoiceUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload, fmt = form.cleaned_data["file"], form.cleaned_data["format"]
        if upload.size > settings.IMPORT_BACKGROUND_BYTES:
            # As a large statement: imported at once by a worker, all or nothing.
            batch = import_in_background(
                upload=upload, fmt=fmt, user=request.user, kind=ImportKind.INVOICES
            )
            messages.info(request, _("The file is large: it is being imported in the background."))
            return redirect("import_batch", pk=batch.pk)
        result = invoices_import(
            user=request.user, data=upload, fmt=fmt, dry_run=True, file_name=upload.name
        )
        upload.seek(0)
        stored = preview_upload_store(
            chunks=upload.chunks(), size=upload.size, fmt=fmt, user=request.user
        )
        request.session[SESSION_KEY] = {"token": stored.token.hex, "fmt": fmt, **_summary(result)}
        return redirect("invoice_confirm")
    return render(request, "payments/cockpit/invoice_upload.html", {"form": form})


def _summary(result: ImportResult) -> dict[str, Any]:
    """What the preview shows, small enough for the session."""
    return {
        "file_name": result.file_name,
        "new": result.new,
        "known": result.duplicate,
        "new_amount": str(result.new_amount),
        "errors": [error.as_json() for error in result.errors[:PREVIEW_ERRORS]],
        "errors_more": max(0, len(result.errors) - PREVIEW_ERRORS) + result.errors_left_out,
    }


@login_required
@require_http_methods(["GET", "POST"])
def invoice_confirm(request: HttpRequest) -> HttpResponse:
    """The dry run's figures and errors; "Import" runs it for real, all or nothing."""
    policy.require(request.user, Action.MANAGE_PAYMENTS)
    pending = request.session.get(SESSION_KEY)
    stored = preview_upload(pending["token"], request.user) if pending else None
    if stored is None:
        messages.info(request, _("No invoices file waits to be imported: upload one."))
        return redirect("invoice_upload")
    if request.method == "GET":
        return render(request, "payments/cockpit/invoice_preview.html", {"preview": pending})
    request.session.pop(SESSION_KEY, None)
    if "cancel" in request.POST or pending["errors"]:
        preview_upload_claim(stored)
        messages.info(request, _("The import was cancelled; nothing was saved."))
        return redirect("invoice_upload")
    with tempfile.TemporaryFile() as spool:
        upload_spool(stored, spool)
        if not preview_upload_claim(stored):
            return redirect("invoice_upload")
        spool.seek(0)
        result = invoices_import(
            user=request.user, data=spool, fmt=pending["fmt"], file_name=pending["file_name"]
        )
    if not result.written:
        messages.error(request, _("The file was rejected; nothing was saved."))
    else:
        messages.success(
            request,
            _("Imported %(new)d new invoices; %(known)d were recorded already.")
            % {"new": result.new, "known": result.duplicate},
        )
    # Not a dry run: the pipeline kept a batch, whatever became of the file.
    return redirect("import_batch", pk=result.batch.pk)


@login_required
@require_http_methods(["GET", "POST"])
def invoice_create(request: HttpRequest) -> HttpResponse:
    policy.require(request.user, Action.MANAGE_PAYMENTS)
    form = InvoiceForm(request.POST or None, clients=Client.objects.order_by("name"))
    if request.method == "POST" and form.is_valid():
        try:
            invoice = invoice_record(user=request.user, **form.cleaned_data)
        except ValidationError as error:
            add_service_error(form, error)
        else:
            messages.success(
                request,
                _("Invoice %(number)s of %(client)s recorded.")
                % {"number": invoice.number, "client": invoice.client.name},
            )
            return redirect("invoice_create")
    return render(request, "payments/cockpit/invoice_form.html", {"form": form})
