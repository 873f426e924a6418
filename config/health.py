"""``/healthz``: the process is up and serving, nothing more (no database, no session).

For load balancers and container health checks; the benchmark uses it as the bare view.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET


@require_GET
@never_cache
def healthz(request: HttpRequest) -> HttpResponse:
    return HttpResponse("ok", content_type="text/plain")
