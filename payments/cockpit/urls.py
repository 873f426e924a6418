from __future__ import annotations

from django.urls import path

from payments.cockpit import invoice_views, views

# The month converter is registered by compensation.urls, included before these.
urlpatterns = [
    path("invoices/new/", invoice_views.invoice_create, name="invoice_create"),
    path("invoices/import/", invoice_views.invoice_upload, name="invoice_upload"),
    path("invoices/import/confirm/", invoice_views.invoice_confirm, name="invoice_confirm"),
    path(
        "departments/<int:department_id>/<month:month>/owed/",
        views.outstanding,
        name="cockpit_outstanding",
    ),
    path(
        "departments/<int:department_id>/<month:month>/calls/",
        views.calls,
        name="cockpit_calls",
    ),
    path(
        "departments/<int:department_id>/<month:month>/calls/promise/",
        views.promise_create,
        name="cockpit_promise",
    ),
    path(
        "clients/<int:client_id>/promises/",
        views.promise_history_view,
        name="promise_history",
    ),
]
