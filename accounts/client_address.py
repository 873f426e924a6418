"""The address a request came from, as the sign-in lockout (django-axes) keys on it.

Behind proxies, ``REMOTE_ADDR`` is the nearest proxy's address for every user, so a
lockout keyed on it would lock a username out from everywhere. Each trusted proxy
appends the address it received the request from to ``X-Forwarded-For``; with
``TRUSTED_PROXY_COUNT`` proxies in front of the application, the client's address is
that many entries from the right. Entries further left were written by the client and
are never believed.
"""

from __future__ import annotations

import ipaddress

from django.conf import settings
from django.http import HttpRequest


def client_address(request: HttpRequest) -> str | None:
    direct = request.META.get("REMOTE_ADDR") or None
    proxies = settings.TRUSTED_PROXY_COUNT
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    if proxies <= 0 or not forwarded:
        return direct
    entries = [entry.strip() for entry in forwarded.split(",")]
    # Fewer entries than proxies: the furthest one is still a trusted proxy's.
    candidate = entries[-min(proxies, len(entries))]
    try:
        return str(ipaddress.ip_address(candidate))
    except ValueError:
        return direct
