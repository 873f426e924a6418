"""Admin for clients, payments, import batches, unmatched payments, invoices and promises.

Payments are never deleted here: a wrong one is voided with a reason (``payment_void``).
Payments are imported on the payments' import page (the payment list here links to it)
or from the import batches page, through the same pipeline as the ``import_payments``
command; this admin exports them.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.template import RequestContext, Template
from django.template.defaultfilters import filesizeformat
from django.urls import URLPattern, path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from import_export.admin import ExportMixin, ImportExportModelAdmin
from import_export.forms import ImportForm
from simple_history.admin import SimpleHistoryAdmin

from accounts.admin import PolicyAdminMixin
from accounts.policy import Action, can
from payments.importing import format_report, payments_import
from payments.importing.readers import AUTO, READERS
from payments.models import (
    Client,
    ClientAssignment,
    ImportBatch,
    Invoice,
    Payment,
    Promise,
    UnmatchedPayment,
)
from payments.resources import ClientResource, PaymentResource
from payments.services import import_batch_mark_stopped
from payments.tasks import import_in_background


class BoundedImportForm(ImportForm):
    """django-import-export's import screen, for files up to the background limit.

    Its row path holds every row in memory and runs in the web request, a few queries a
    row: a larger file would outlast the request. ``elsewhere`` says what to do instead.
    """

    elsewhere = gettext_lazy("Split it into smaller files.")

    def clean_import_file(self) -> Any:
        upload = self.cleaned_data["import_file"]
        if upload.size > settings.IMPORT_BACKGROUND_BYTES:
            too_large = _("This file is %(size)s; this screen takes files up to %(limit)s.") % {
                "size": filesizeformat(upload.size),
                "limit": filesizeformat(settings.IMPORT_BACKGROUND_BYTES),
            }
            raise ValidationError(f"{too_large} {self.elsewhere}")
        return upload


class ClientAssignmentInline(PolicyAdminMixin, admin.TabularInline):
    """The hand-over history, read only: a hand-over goes through ``client_reassign``
    (the client's hand-over page), which also moves who is responsible now and re-credits
    the payments of its dates; editing rows here would do neither."""

    model = ClientAssignment
    extra = 0
    fields = readonly_fields = ("employee", "started_on", "ended_on", "reason", "assigned_by")
    can_delete = False

    def has_add_permission(self, request: Any, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: Any, obj: Any = None) -> bool:
        return False


@admin.register(Client)
class ClientAdmin(PolicyAdminMixin, ImportExportModelAdmin, SimpleHistoryAdmin):
    resource_classes = [ClientResource]
    import_form_class = BoundedImportForm
    list_display = ("name", "inn", "department", "responsible")
    list_filter = ("department",)
    search_fields = ("name", "inn")
    list_select_related = ("department", "responsible")
    inlines = [ClientAssignmentInline]
    # Who is responsible follows the hand-over history: changed on the hand-over page.
    readonly_fields = ("responsible", "handover")

    @admin.display(description=gettext_lazy("Hand over"))
    def handover(self, client: Client) -> str:
        if client.pk is None:
            return "—"
        url = reverse("client_handover", args=[client.pk])
        return format_html('<a href="{}">{}</a>', url, _("Hand the client over"))


@admin.register(Payment)
class PaymentAdmin(PolicyAdminMixin, ExportMixin, SimpleHistoryAdmin):
    resource_classes = [PaymentResource]
    # Links to the payments' import page: one import, with its preview and repeats.
    import_export_change_list_template = "admin/payments/payment/change_list.html"
    list_display = ("received_on", "client", "amount", "department", "source", "is_void")
    list_filter = ("department", "source", ("voided_at", admin.EmptyFieldListFilter))
    search_fields = ("client__name", "client__inn", "payer_inn", "payer_name", "source_ref")
    date_hierarchy = "received_on"
    list_select_related = ("client", "department")
    raw_id_fields = ("client", "import_batch")
    # "recorded by" is shown as the recorder: for an imported payment, its batch's creator.
    exclude = ("recorded_by",)
    readonly_fields = (
        "recorder",
        "recorded_at",
        "import_batch",
        "voided_at",
        "voided_by",
        "void_reason",
    )

    @admin.display(description=gettext_lazy("recorded by"))
    def recorder(self, payment: Payment) -> Any:
        # An imported payment's recorder is whoever imported its batch.
        return payment.recorder or "—"

    @admin.display(boolean=True, description=gettext_lazy("void"))
    def is_void(self, payment: Payment) -> bool:
        return payment.is_void

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    # Payments are entered, voided and imported through the services (the payments
    # pages and the import pipeline), which check closed months and hold their lock; an
    # edit here would change a month's collections behind its frozen figures.
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class ImportFileForm(forms.Form):
    file = forms.FileField(label=gettext_lazy("file"))
    format = forms.ChoiceField(
        label=gettext_lazy("format"),
        choices=[(AUTO, gettext_lazy("Detect")), *[(f, f) for f in READERS]],
    )
    dry_run = forms.BooleanField(label=gettext_lazy("dry run: check only"), required=False)

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        upload = data.get("file")
        if upload and data.get("dry_run") and upload.size > settings.IMPORT_BACKGROUND_BYTES:
            self.add_error(
                "dry_run",
                _(
                    "A file above %(limit)s is imported in the background, at once: a "
                    "file with any error saves nothing. Uncheck the dry run, or check the "
                    "file with manage.py import_payments --dry-run."
                )
                % {"limit": filesizeformat(settings.IMPORT_BACKGROUND_BYTES)},
            )
        return data


_IMPORT_PAGE = Template(
    """{% extends "admin/base_site.html" %}{% block content %}
<form method="post" enctype="multipart/form-data">{% csrf_token %}{{ form.as_p }}
<input type="submit" value="{{ submit }}"></form>
{% if report %}<pre>{{ report }}</pre>{% endif %}{% endblock %}"""
)


@admin.register(ImportBatch)
class ImportBatchAdmin(PolicyAdminMixin, admin.ModelAdmin):
    list_display = (
        "created_at",
        "file_name",
        "format",
        "status",
        "new_count",
        "duplicate_count",
        "unmatched_count",
        "rejected_count",
        "created_by",
    )
    list_filter = ("status", "format")
    search_fields = ("file_name", "sha256")
    actions = ["mark_stopped"]

    @admin.action(description=gettext_lazy("Mark as stopped (its import process has died)"))
    def mark_stopped(self, request: HttpRequest, queryset: QuerySet) -> None:
        for batch in queryset:
            try:
                import_batch_mark_stopped(user=request.user, batch=batch)
            except ValidationError as error:
                messages.error(request, f"{batch.file_name}: {' '.join(error.messages)}")
            else:
                messages.success(
                    request, _("%(file)s is marked as stopped.") % {"file": batch.file_name}
                )

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def get_urls(self) -> list[URLPattern]:
        view = self.admin_site.admin_view(self.import_file_view)
        return [path("import-file/", view, name="payments_import_file"), *super().get_urls()]

    def import_file_view(self, request: HttpRequest) -> HttpResponse:
        """Upload a statement or spreadsheet; the same pipeline as ``import_payments``."""
        if not can(request.user, Action.MANAGE_PAYMENTS):
            return HttpResponse(status=403)
        form = ImportFileForm(request.POST or None, request.FILES or None)
        report = ""
        if request.method == "POST" and form.is_valid():
            upload = form.cleaned_data["file"]
            if upload.size > settings.IMPORT_BACKGROUND_BYTES:
                # Not in the web request: the worker takes it, as on the payments' pages.
                batch = import_in_background(
                    upload=upload, fmt=form.cleaned_data["format"], user=request.user
                )
                messages.info(
                    request,
                    _("The file is large: it is being imported in the background."),
                )
                return HttpResponseRedirect(reverse("import_batch", args=[batch.pk]))
            result = payments_import(
                file_name=upload.name,
                data=upload,
                fmt=form.cleaned_data["format"],
                user=request.user,
                dry_run=form.cleaned_data["dry_run"],
            )
            summary = _(
                "new: %(new)d, duplicates: %(dup)d, unmatched: %(un)d, rejected: %(rej)d"
            ) % {
                "new": result.new,
                "dup": result.duplicate,
                "un": result.unmatched,
                "rej": result.rejected,
            }
            if result.written:
                messages.success(request, _("Imported. ") + summary)
                return HttpResponseRedirect(reverse("admin:payments_importbatch_changelist"))
            report = summary + "\n" + format_report(result)
        context = {
            **self.admin_site.each_context(request),
            "title": _("Import payments"),
            "form": form,
            "report": report,
            "submit": _("Import"),
        }
        return HttpResponse(_IMPORT_PAGE.render(RequestContext(request, context)))


@admin.register(UnmatchedPayment)
class UnmatchedPaymentAdmin(PolicyAdminMixin, admin.ModelAdmin):
    list_display = ("received_on", "amount", "payer_name", "payer_inn", "source", "payment")
    list_filter = ("source", ("payment", admin.EmptyFieldListFilter))
    search_fields = ("payer_name", "payer_inn", "payer_account", "purpose")
    readonly_fields = [f.name for f in UnmatchedPayment._meta.fields]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


# --- the collections cockpit: corrected by hand, each change kept in the history ----------


@admin.register(Invoice)
class InvoiceAdmin(PolicyAdminMixin, SimpleHistoryAdmin):
    list_display = ("number", "client", "month", "issued_on", "due_on", "amount", "import_batch")
    list_filter = ("month", "client__department")
    search_fields = ("number", "client__name", "client__inn")
    date_hierarchy = "issued_on"
    list_select_related = ("client", "import_batch")
    raw_id_fields = ("client",)
    # The month billed is the invoice date's; where it came from is the record's.
    readonly_fields = ("month", "import_batch", "recorded_by", "recorded_at")

    def save_model(self, request: HttpRequest, obj: Invoice, form: Any, change: bool) -> None:
        obj.month = obj.issued_on.replace(day=1)
        if not change:
            obj.recorded_by = request.user
        super().save_model(request, obj, form, change)


class PromiseAdminForm(forms.ModelForm):
    class Meta:
        model = Promise
        fields = ("client", "invoice", "called_on", "promised_on", "amount", "note")

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        client, invoice = data.get("client"), data.get("invoice")
        if client and invoice and invoice.client_id != client.pk:
            self.add_error("invoice", _("The invoice is another client's."))
        called, promised = data.get("called_on"), data.get("promised_on")
        if called and promised and promised < called:
            self.add_error("promised_on", _("A promise is to pay on or after the call."))
        return data


@admin.register(Promise)
class PromiseAdmin(PolicyAdminMixin, SimpleHistoryAdmin):
    form = PromiseAdminForm
    list_display = ("client", "called_on", "promised_on", "amount", "invoice", "recorded_by")
    list_filter = ("client__department",)
    search_fields = ("client__name", "client__inn", "note")
    date_hierarchy = "called_on"
    list_select_related = ("client", "invoice", "recorded_by")
    raw_id_fields = ("client", "invoice")
    readonly_fields = ("recorded_by", "recorded_at")

    def save_model(self, request: HttpRequest, obj: Promise, form: Any, change: bool) -> None:
        if not change:
            obj.recorded_by = request.user
        super().save_model(request, obj, form, change)
