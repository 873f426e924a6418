"""A short per-user cache for the busiest read-only pages (dashboard, my bonus).

Under load most requests are the same people reloading the same page. The key holds
the session (so one person's page is never served to another, and a new sign-in gets
fresh CSRF tokens), the language and the full path; the entry lives
``PAGE_CACHE_SECONDS`` (0 turns it off). A page is never cached while it carries a
one-off message, and only successful GETs are kept. Pages stay in the process's own
memory (the ``pages`` cache): the session and the user are checked on every request
before the cache is read, so a session ended anywhere gets no page here either.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.core.cache import caches
from django.http import HttpRequest, HttpResponse
from django.utils.translation import get_language

View = Callable[..., HttpResponse]


def _key(request: HttpRequest) -> str | None:
    session = getattr(request, "session", None)
    if session is None or not session.session_key or not request.user.is_authenticated:
        return None
    return (
        f"page:{session.session_key}:{request.user.pk}:{get_language()}:{request.get_full_path()}"
    )


def cached_per_user(view: View) -> View:
    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        seconds = settings.PAGE_CACHE_SECONDS
        key = _key(request) if seconds and request.method == "GET" else None
        if key is None or len(messages.get_messages(request)):
            return view(request, *args, **kwargs)
        pages = caches["pages"]
        response = pages.get(key)
        if response is None:
            response = view(request, *args, **kwargs)
            if response.status_code == 200:
                pages.set(key, response, seconds)
        return response

    return wrapper
