"""Error pages in the user's language, with the site's layout and a way back.

The 500 page is rendered with the site's layout when the request still allows it, and
falls back to ``500.html`` (no context, no database) when rendering itself fails: the
error may be the database being away.
"""

from __future__ import annotations

import logging
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _

logger = logging.getLogger(__name__)


def _back_url(request: HttpRequest) -> str | None:
    referer = request.headers.get("Referer", "")
    if referer and url_has_allowed_host_and_scheme(
        referer, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return referer
    return None


def _page(request: HttpRequest, status: int, title: str, text: str) -> HttpResponse:
    context = {
        "status_code": status,
        "error_title": title,
        "error_text": text,
        "back_url": _back_url(request),
    }
    return render(request, "errors/_error.html", context, status=status)


def forbidden(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _page(
        request,
        403,
        _("Access denied"),
        _("Your role does not open this page. If you think it should, ask an administrator."),
    )


def not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _page(
        request,
        404,
        _("Page not found"),
        _("Nothing is at this address: the link may be old or mistyped."),
    )


def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _page(
        request,
        400,
        _("Bad request"),
        _("The request could not be understood. Go back and try again."),
    )


def server_error(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
    try:
        return _page(
            request,
            500,
            _("Something went wrong"),
            _(
                "The page could not be shown because of an error on our side. Nothing you "
                "entered was saved by this request. The error has been logged; please try "
                "again in a minute."
            ),
        )
    except Exception:
        # The layout needs the session, the user and the navigation: the database.
        logger.exception("The 500 page could not be rendered with the layout")
        return HttpResponse(render_to_string("500.html"), status=500)
