from __future__ import annotations

from django.urls import path

from accounts import absence_views, views

urlpatterns = [
    path("", views.home, name="home"),
    path("absences/", absence_views.absence_list, name="absence_list"),
    path("absences/import/", absence_views.absence_import, name="absence_import"),
]
