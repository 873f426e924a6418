from __future__ import annotations

from django.urls import path

from payments import absence_views, cover_views, views

urlpatterns = [
    path("", views.payment_list, name="payment_list"),
    path("new/", views.payment_create, name="payment_create"),
    path("<id:pk>/void/", views.payment_void_view, name="payment_void"),
    path("import/", views.import_upload, name="import_upload"),
    path("import/<slug:token>/", views.import_preview, name="import_preview"),
    path("import/<slug:token>/confirm/", views.import_confirm, name="import_confirm"),
    path("batches/<id:pk>/", views.import_batch, name="import_batch"),
    path("batches/<id:pk>/retry/", views.import_batch_retry_view, name="import_batch_retry"),
    path("unmatched/", views.unmatched_list, name="unmatched_list"),
    path("unmatched/<id:pk>/assign/", views.unmatched_assign_view, name="unmatched_assign"),
    path("absences/<id:pk>/cover/", cover_views.absence_cover_view, name="absence_cover"),
    path("absences/<id:pk>/edit/", absence_views.absence_edit, name="absence_edit"),
    path("absences/<id:pk>/delete/", absence_views.absence_delete_view, name="absence_delete"),
    path("clients/<id:pk>/handover/", cover_views.client_handover, name="client_handover"),
]
