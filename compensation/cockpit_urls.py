from __future__ import annotations

from django.urls import path

from compensation.views import dashboard

# The month converter is registered by compensation.urls, included before these.
urlpatterns = [
    path(
        "departments/<int:department_id>/<month:month>/what-if/",
        dashboard.what_if_view,
        name="what_if",
    ),
]
