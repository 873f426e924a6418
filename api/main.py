"""The HTTP API, version 1: ``/api/v1/``, its OpenAPI document and its documentation page
(Swagger UI, served from this server's static files)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from ninja import NinjaAPI

from api import problems
from api.endpoints import reads, writes

api = NinjaAPI(
    title="Team bonus API",
    version="1",
    description=(
        "Payments, invoices and absences in; collections, periods and statements out. "
        "See docs/api.md."
    ),
    urls_namespace="api",
    docs_url="/docs",
    # The schema and its page are for people signed in (integrators read docs/api.md).
    docs_decorator=login_required,
)
problems.install(api)
api.add_router("/", writes.router)
api.add_router("/", reads.router)
