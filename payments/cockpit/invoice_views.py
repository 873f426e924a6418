"""Invoices in: a file (checked first, then confirmed) or one by hand."""

from __future__ import annotations

import tempfile

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
from payments.models import Client
from payments.uploads import (
    preview_upload,
    preview_upload_claim,
    preview_upload_store,
    upload_spool,
)

SESSION_KEY = "invoice_import_previews"


@login_required
@require_http_methods(["GET", "POST"])
def invoice_upload(request: HttpRequest) -> HttpResponse:
    policy.require(request.user, Action.MANAGE_PAYMENTS)
    form = InvoiceUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload, fmt = form.cleaned_data["file"], form.cleaned_data["format"]
        result = invoices_import(user=request.user, data=upload, fmt=fmt, dry_run=True)
        upload.seek(0)
        stored = preview_upload_store(
            chunks=upload.chunks(), size=upload.size, fmt=fmt, user=request.user
        )
        request.session[SESSION_KEY] = {
            "token": stored.token.hex,
            "fmt": fmt,
            "file_name": upload.name,
            **result.as_json(),
        }
        return redirect("invoice_confirm")
    return render(request, "payments/cockpit/invoice_upload.html", {"form": form})


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
        result = invoices_import(user=request.user, data=spool, fmt=pending["fmt"])
    if not result.written:
        messages.error(request, _("The file was rejected; nothing was saved."))
        return redirect("invoice_upload")
    messages.success(
        request,
        _("Imported %(new)d new invoices; %(known)d were recorded already.")
        % {"new": result.new, "known": result.known},
    )
    return redirect("invoice_upload")


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
