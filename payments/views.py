"""Payments pages: the list, manual entry, void, and the import with its dry run."""

from __future__ import annotations

import datetime as dt
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST
from django_htmx.http import HttpResponseClientRefresh

from accounts import policy
from accounts.policy import Action
from core.forms import add_service_error
from core.months import month_label
from core.numbers import MAX_ID, parse_id
from payments.filters import PaymentFilter
from payments.forms import AssignForm, ImportUploadForm, PaymentForm, VoidForm
from payments.importing import liveness, rules
from payments.importing.pipeline import ImportResult, payments_import
from payments.models import (
    Client,
    ImportBatch,
    ImportStatus,
    ImportUpload,
    Payment,
    Source,
    UnmatchedPayment,
)
from payments.services import (
    import_batch_settle_if_lost,
    payment_record,
    payment_void,
    unmatched_assign,
)
from payments.suggestions import suggest_client
from payments.tasks import import_batch_retry, import_in_background
from payments.uploads import (
    preview_upload,
    preview_upload_claim,
    preview_upload_store,
    upload_spool,
    uploads_to_run_again,
)

PAGE_SIZE = 50
# A page past this would start beyond the database's largest offset: just a page too far.
MAX_PAGE = MAX_ID // PAGE_SIZE - 1
PREVIEW_ERRORS = 200
SESSION_KEY = "payment_imports"


def _manageable_clients(user: Any) -> Any:
    return Client.objects.filter(department__in=policy.visible_departments(user)).order_by("name")


@dataclass(frozen=True)
class SlicePage:
    """A page of a long list that is never counted.

    Counting a large company's year of payments costs a scan on every page view; a page
    only needs its rows and whether another page follows.
    """

    rows: list[Any]
    number: int
    has_next: bool

    @classmethod
    def of(cls, queryset: Any, number: str | None) -> SlicePage:
        page = parse_id(number, maximum=MAX_PAGE) or 1
        start = (page - 1) * PAGE_SIZE
        rows = list(queryset[start : start + PAGE_SIZE + 1])
        return cls(rows=rows[:PAGE_SIZE], number=page, has_next=len(rows) > PAGE_SIZE)

    def __iter__(self) -> Iterator[Any]:
        return iter(self.rows)

    def __len__(self) -> int:
        return len(self.rows)

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def previous_page_number(self) -> int:
        return self.number - 1

    @property
    def next_page_number(self) -> int:
        return self.number + 1


def _prepare_rows(payments: list[Any]) -> None:
    """What each row shows beyond its fields, worked out once a page (one query).

    Payments of closed months can no longer be voided. The source's label comes from
    one translated table instead of ``get_FOO_display`` rebuilding the choices a row.
    """
    closed = rules.closed_periods(
        (payment.department_id, rules.month_of(payment.received_on)) for payment in payments
    )
    corrected = rules.months_being_corrected(closed.keys())
    labels = {value: str(label) for value, label in Source.choices}  # translated once
    for payment in payments:
        key = (payment.department_id, rules.month_of(payment.received_on))
        # A paid month being corrected takes voids, through its correction's page.
        payment.in_closed_period = key in closed and key not in corrected
        payment.source_label = labels.get(payment.source, payment.source)


@login_required
def payment_list(request: HttpRequest) -> HttpResponse:
    policy.require(request.user, Action.VIEW_PAYMENTS)
    payments = policy.visible_payments(request.user).select_related(
        "client", "department", "responsible"
    )
    departments = policy.visible_departments(request.user)
    filters = PaymentFilter(request.GET or None, queryset=payments, departments=departments)
    page = SlicePage.of(filters.qs, request.GET.get("page"))
    _prepare_rows(page.rows)
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "payments/payment_list.html",
        {
            "filters": filters,
            "page": page,
            "query": query.urlencode(),
            "can_manage": policy.can(request.user, Action.MANAGE_PAYMENTS),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def payment_create(request: HttpRequest) -> HttpResponse:
    policy.require(request.user, Action.MANAGE_PAYMENTS)
    form = PaymentForm(request.POST or None, clients=_manageable_clients(request.user))
    if request.method == "POST" and form.is_valid():
        try:
            payment = payment_record(user=request.user, **form.cleaned_data)
        except ValidationError as error:
            add_service_error(form, error)
        else:
            messages.success(
                request, _("Payment of %(client)s recorded.") % {"client": payment.client.name}
            )
            return redirect("payment_list")
    return render(request, "payments/payment_form.html", {"form": form})


@login_required
@require_http_methods(["GET", "POST"])
def payment_void_view(request: HttpRequest, pk: int) -> HttpResponse:
    payment = get_object_or_404(
        policy.visible_payments(request.user).select_related("client"), pk=pk
    )
    policy.require(request.user, Action.MANAGE_PAYMENTS, payment)
    refusal = _void_refusal(payment)
    if refusal and _being_corrected(payment):
        # A paid month reopened takes its voids through its correction, which recounts it.
        return redirect("correction_payment_void", pk=payment.pk)
    if refusal:
        # Said, not offered: the page shows why there is nothing to do.
        if request.method == "POST":
            messages.error(request, refusal)
            return redirect("payment_list")
        return render(
            request, "payments/payment_void.html", {"payment": payment, "refusal": refusal}
        )
    form = VoidForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            payment_void(user=request.user, payment=payment, reason=form.cleaned_data["reason"])
        except ValidationError as error:
            add_service_error(form, error)
        else:
            messages.success(request, _("The payment is void."))
            return redirect("payment_list")
    return render(request, "payments/payment_void.html", {"form": form, "payment": payment})


def _being_corrected(payment: Payment) -> bool:
    month = rules.month_of(payment.received_on)
    return not payment.is_void and bool(
        rules.months_being_corrected([(payment.department_id, month)])
    )


def _void_refusal(payment: Payment) -> str:
    """Why ``payment`` cannot be voided now, or "" (the service checks again, locked)."""
    if payment.is_void:
        return _("This payment is already void.")
    month = rules.month_of(payment.received_on)
    if rules.closed_periods([(payment.department_id, month)]):
        return _(
            "This payment is counted in the closed period %(month)s; it can no longer be voided."
        ) % {"month": month_label(month)}
    return ""


# --- import ------------------------------------------------------------------------------


def _summary(result: ImportResult) -> dict[str, Any]:
    """What the preview page shows, small enough for the session."""
    return {
        "file_name": result.file_name,
        "format": result.format,
        "new": result.new,
        "duplicate": result.duplicate,
        "unmatched": result.unmatched,
        "rejected": result.rejected,
        "new_amount": str(result.new_amount),
        "unmatched_amount": str(result.unmatched_amount),
        "first_date": result.first_date.isoformat() if result.first_date else None,
        "last_date": result.last_date.isoformat() if result.last_date else None,
        "stale": result.stale,
        "stale_before": result.stale_before.isoformat() if result.stale_before else None,
        "errors": [error.as_json() for error in result.errors[:PREVIEW_ERRORS]],
        "errors_more": max(0, len(result.errors) - PREVIEW_ERRORS) + result.errors_left_out,
        # Possible repeats (same payer, day, amount; another number): a person keeps or
        # drops each on the preview. Bounded by the pipeline; all of them counted.
        "near_matches": [near.as_json() for near in result.near_matches],
        "near_match_count": result.near_match_count,
        # The rows themselves, the first of each kind (``writer.MAX_LISTED``).
        "listed": {kind: [row.as_json() for row in rows] for kind, rows in result.listed.items()},
        "checks": [check.as_json() for check in result.statement.checks],
        "skipped_outgoing": result.statement.skipped_outgoing,
        "skipped_own": result.statement.skipped_own,
    }


def _lines_to_skip(request: HttpRequest, pending: dict[str, Any]) -> list[int]:
    """The possible repeats the person ticked "skip": only lines the preview listed."""
    listed = {near["line"] for near in pending.get("near_matches", [])}
    chosen = {parse_id(value) for value in request.POST.getlist("skip")} - {None}
    return sorted(chosen & listed)


@login_required
@require_http_methods(["GET", "POST"])
def import_upload(request: HttpRequest) -> HttpResponse:
    policy.require(request.user, Action.MANAGE_PAYMENTS)
    form = ImportUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        if upload.size > settings.IMPORT_BACKGROUND_BYTES:
            return _import_in_background(request, upload, form.cleaned_data["format"])
        # Kept in the database: the confirmation may reach another web process.
        stored = preview_upload_store(
            chunks=upload.chunks(),
            size=upload.size,
            fmt=form.cleaned_data["format"],
            user=request.user,
        )
        token = stored.token.hex
        # The dry run goes through every step of the real import, then rolls back.
        try:
            result = payments_import(
                file_name=upload.name,
                data=upload,
                fmt=form.cleaned_data["format"],
                user=request.user,
                dry_run=True,
            )
        except Exception:
            preview_upload_claim(stored)  # nobody will be shown this preview
            raise
        pending = request.session.get(SESSION_KEY, {})
        pending[token] = {"fmt": form.cleaned_data["format"], **_summary(result)}
        request.session[SESSION_KEY] = pending
        return redirect("import_preview", token=token)
    return render(
        request,
        "payments/import_upload.html",
        {"form": form, "background_mb": settings.IMPORT_BACKGROUND_BYTES // (1024 * 1024)},
    )


def _import_in_background(request: HttpRequest, upload: Any, fmt: str) -> HttpResponse:
    """A large file goes to a worker: it is imported at once (all-or-nothing, so a bad
    file still saves nothing) and the batch page follows the job until it is done."""
    batch = import_in_background(upload=upload, fmt=fmt, user=request.user)
    messages.info(
        request,
        _(
            "The file is large: it is being imported in the background. "
            "This page shows when it is done."
        ),
    )
    return redirect("import_batch", pk=batch.pk)


def _pending(request: HttpRequest, token: str) -> tuple[dict[str, Any], ImportUpload | None]:
    """The preview's figures, which this session was shown (else 404), and its file, while
    it waits for this user (None once imported or cancelled, by another tab too)."""
    pending = request.session.get(SESSION_KEY, {}).get(token)
    if pending is None:
        raise Http404
    return pending, preview_upload(token, request.user)


def _pending_forget(request: HttpRequest, token: str) -> None:
    request.session[SESSION_KEY] = {
        key: value for key, value in request.session.get(SESSION_KEY, {}).items() if key != token
    }


def _already_taken(request: HttpRequest, token: str) -> HttpResponse:
    _pending_forget(request, token)
    messages.info(
        request,
        _(
            "This file no longer waits to be imported: it has been imported or cancelled, "
            "or it waited for more than a day. Upload it again if it was not imported."
        ),
    )
    return redirect("import_upload")


@login_required
def import_preview(request: HttpRequest, token: str) -> HttpResponse:
    policy.require(request.user, Action.MANAGE_PAYMENTS)
    pending, stored = _pending(request, token)
    if stored is None:
        return _already_taken(request, token)
    return render(
        request, "payments/import_preview.html", {"preview": _dated(pending), "token": token}
    )


def _dated(pending: dict[str, Any]) -> dict[str, Any]:
    """The session's figures with their dates as dates again, for the page to write out."""

    def day(text: str | None) -> dt.date | None:
        return dt.date.fromisoformat(text) if text else None

    return {
        **pending,
        "first_date": day(pending.get("first_date")),
        "last_date": day(pending.get("last_date")),
        "stale_before": day(pending.get("stale_before")),
        "near_matches": [
            {**near, "received_on": day(near.get("received_on"))}
            for near in pending.get("near_matches", [])
        ],
        "lists": _row_lists(pending, day),
    }


def _row_lists(pending: dict[str, Any], day: Any) -> list[dict[str, Any]]:
    """The dry run's rows by kind, each with its count, for the page to list."""
    titles = {
        "new": _("New payments"),
        "duplicate": _("Already imported (duplicates)"),
        "unmatched": _("Unmatched payers (to assign)"),
    }
    listed = pending.get("listed", {})
    return [
        {
            "kind": kind,
            "title": title,
            "count": pending.get(kind, 0),
            "rows": [{**row, "received_on": day(row["received_on"])} for row in listed[kind]],
        }
        for kind, title in titles.items()
        if listed.get(kind)
    ]


@login_required
@require_POST
def import_confirm(request: HttpRequest, token: str) -> HttpResponse:
    policy.require(request.user, Action.MANAGE_PAYMENTS)
    pending, stored = _pending(request, token)
    if stored is None:
        return _already_taken(request, token)
    _pending_forget(request, token)
    if "cancel" in request.POST:
        if not preview_upload_claim(stored):
            return _already_taken(request, token)
        messages.info(request, _("The import was cancelled; nothing was saved."))
        return redirect("import_upload")
    with tempfile.TemporaryFile() as spool:
        upload_spool(stored, spool)
        # Two clicks on "Import" (or a cancel in another tab) race for the file: one wins.
        if not preview_upload_claim(stored):
            return _already_taken(request, token)
        result = payments_import(
            file_name=pending["file_name"],
            data=spool,
            fmt=pending["fmt"],
            user=request.user,
            skip_lines=_lines_to_skip(request, pending),
        )
    if not result.written:
        messages.error(request, _("The file was rejected; nothing was saved."))
    else:
        imported = _("Imported %(new)d new payments.") % {"new": result.new}
        if result.dropped:
            imported += " " + _("%(dropped)d left out as repeats.") % {"dropped": result.dropped}
        messages.success(request, imported)
    if result.batch is None:
        return redirect("import_upload")
    return redirect("import_batch", pk=result.batch.pk)


@login_required
def import_batch(request: HttpRequest, pk: int) -> HttpResponse:
    policy.require(request.user, Action.MANAGE_PAYMENTS)
    # A page reads: an import whose process ended shows as failed, and the worker
    # records it so (payments.tasks.import_batches_settle_lost).
    stored = get_object_or_404(ImportBatch, pk=pk)
    batch = liveness.as_seen(stored)
    in_progress = batch.status in (ImportStatus.PENDING, ImportStatus.RUNNING)
    if request.htmx:
        # The page polls while the job runs; once it has ended, reload it whole.
        if not in_progress:
            return HttpResponseClientRefresh()
        return render(request, "payments/_import_progress.html", {"batch": batch})
    unmatched = batch.unmatched.filter(payment__isnull=True)
    # An import that failed whole, or whose worker died, keeps its file: it can run again.
    # A lost one keeps its file too: running it again records it failed first.
    lost = batch is not stored
    files = ImportUpload.objects if lost else uploads_to_run_again()
    can_retry = files.filter(batch=stored).exists()
    return render(
        request,
        "payments/import_batch.html",
        {
            "batch": batch,
            "in_progress": in_progress,
            "can_retry": can_retry,
            "unmatched": unmatched,
            "clients": list(_manageable_clients(request.user)),
        },
    )


@login_required
@require_POST
def import_batch_retry_view(request: HttpRequest, pk: int) -> HttpResponse:
    policy.require(request.user, Action.MANAGE_PAYMENTS)
    batch = import_batch_settle_if_lost(get_object_or_404(ImportBatch, pk=pk))
    try:
        again = import_batch_retry(user=request.user, batch=batch)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("import_batch", pk=batch.pk)
    messages.info(
        request,
        _("The stored file is being imported again. This page shows when it is done."),
    )
    return redirect("import_batch", pk=again.pk)


@login_required
def unmatched_list(request: HttpRequest) -> HttpResponse:
    policy.require(request.user, Action.MANAGE_PAYMENTS)
    unmatched = UnmatchedPayment.objects.filter(payment__isnull=True).select_related("batch")
    page = Paginator(unmatched, PAGE_SIZE).get_page(request.GET.get("page"))
    clients = list(_manageable_clients(request.user))
    for row in page:
        row.suggestion = suggest_client(row.payer_inn, row.payer_name, clients)
    return render(request, "payments/unmatched_list.html", {"page": page, "clients": clients})


@login_required
@require_POST
def unmatched_assign_view(request: HttpRequest, pk: int) -> HttpResponse:
    policy.require(request.user, Action.MANAGE_PAYMENTS)
    unmatched = get_object_or_404(UnmatchedPayment, pk=pk)
    form = AssignForm(request.POST, clients=_manageable_clients(request.user))
    if not form.is_valid():
        messages.error(request, _("Choose a client to assign the payment to."))
    else:
        try:
            unmatched_assign(
                user=request.user,
                unmatched=unmatched,
                client=form.cleaned_data["client"],
                reason=form.cleaned_data["reason"],
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(
                request,
                _("The payment is recorded for %(client)s.")
                % {"client": form.cleaned_data["client"].name},
            )
    back = request.POST.get("next", "")
    if url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}):
        return redirect(back)
    return redirect("unmatched_list")
