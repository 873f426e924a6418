"""Errors as RFC 9457 problem details (``application/problem+json``).

Every refusal of the API answers in this one shape: ``type`` (a URN naming the kind of
problem), ``title``, ``status`` and ``detail``, and where a row or a field is at fault,
``row`` and ``field`` (the first of them) and ``errors`` (every one, each naming its row
and field).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, JsonResponse
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, Throttled, ValidationError

from core.rows import RowError

CONTENT_TYPE = "application/problem+json"


class Problem(Exception):
    """A refusal the endpoint decides: answered as problem details, nothing written."""

    def __init__(
        self,
        status: int,
        kind: str,
        title: str,
        detail: str,
        errors: Iterable[RowError] = (),
        **extra: Any,
    ) -> None:
        super().__init__(detail)
        self.status, self.kind, self.title, self.detail = status, kind, title, detail
        self.errors = list(errors)
        self.extra = extra


def problem_body(problem: Problem) -> dict[str, Any]:
    body: dict[str, Any] = {
        "type": f"urn:teambonus:problem:{problem.kind}",
        "title": problem.title,
        "status": problem.status,
        "detail": problem.detail,
    }
    if problem.errors:
        body["row"] = problem.errors[0].line
        body["field"] = problem.errors[0].field
        body["errors"] = [
            {"row": e.line, "field": e.field, "detail": e.message} for e in problem.errors
        ]
    body.update(problem.extra)
    return body


def problem_response(problem: Problem) -> JsonResponse:
    return JsonResponse(problem_body(problem), status=problem.status, content_type=CONTENT_TYPE)


def _validation_errors(errors: list[dict[str, Any]]) -> list[RowError]:
    """Pydantic's locations (``body``, ``payments``, 3, ``amount``) as a row and a field:
    rows are counted from 1, as in a file."""
    found = []
    for error in errors:
        place = [part for part in error.get("loc", ()) if part not in ("body", "payload")]
        numbers = [part for part in place if isinstance(part, int)]
        names = [str(part) for part in place if not isinstance(part, int)]
        row = numbers[-1] + 1 if numbers else 0
        found.append(RowError(row, names[-1] if names else "body", str(error.get("msg", ""))))
    return found


def install(api: NinjaAPI) -> None:
    """Every error the API can meet, answered as problem details."""

    @api.exception_handler(Problem)
    def _problem(request: HttpRequest, exc: Problem) -> JsonResponse:
        return problem_response(exc)

    @api.exception_handler(ValidationError)
    def _invalid(request: HttpRequest, exc: ValidationError) -> JsonResponse:
        errors = _validation_errors(exc.errors)
        return problem_response(
            Problem(422, "invalid", _("The request is not valid."), _first(errors), errors)
        )

    @api.exception_handler(AuthenticationError)
    def _unauthenticated(request: HttpRequest, exc: Exception) -> JsonResponse:
        response = problem_response(
            Problem(
                401,
                "unauthenticated",
                _("Sign in or present a token."),
                _("Send an API token as “Authorization: Bearer <token>”, or sign in."),
            )
        )
        response["WWW-Authenticate"] = "Bearer"
        return response

    @api.exception_handler(PermissionDenied)
    def _forbidden(request: HttpRequest, exc: Exception) -> JsonResponse:
        return problem_response(
            Problem(403, "forbidden", _("Not allowed."), _("You may not do this."))
        )

    @api.exception_handler(Http404)
    def _not_found(request: HttpRequest, exc: Exception) -> JsonResponse:
        return problem_response(
            Problem(404, "not-found", _("Not found."), _("There is no such record for you."))
        )

    @api.exception_handler(Throttled)
    def _throttled(request: HttpRequest, exc: Exception) -> JsonResponse:
        return problem_response(
            Problem(
                429,
                "too-many-requests",
                _("Too many requests."),
                _("Too many writes in a short time; wait and send the request again."),
            )
        )

    @api.exception_handler(HttpError)
    def _http_error(request: HttpRequest, exc: HttpError) -> JsonResponse:
        # Raised by the framework: a body that is not JSON (400), a failed CSRF check.
        titles = {400: _("The request is not valid."), 403: _("Not allowed.")}
        kinds = {400: "invalid", 403: "forbidden"}
        status = exc.status_code
        return problem_response(
            Problem(status, kinds.get(status, "http"), titles.get(status, str(exc)), str(exc))
        )


def _first(errors: list[RowError]) -> str:
    if not errors:
        return _("The request is not valid.")
    error = errors[0]
    return _("Row %(row)d, %(field)s: %(message)s") % {
        "row": error.line,
        "field": error.field,
        "message": error.message,
    }
