"""Who calls: an integration token (``Authorization: Bearer``) or a signed-in session.

Each endpoint names the policy's action it needs; the caller is admitted only if the
policy grants it, before the body is even read, so a refusal never depends on the input.
Whether the action applies to the record asked for is decided again, per record, inside.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from ninja.security import HttpBearer, SessionAuth
from ninja.throttling import SimpleRateThrottle

from accounts import policy
from accounts.policy import Action, Integration
from api.tokens import integration_for


def _admit(principal: Any, action: Action | None) -> Any:
    if principal is None:
        return None
    # No action: a list the policy's scoped queryset filters. Anyone it knows may ask,
    # and may find it empty (as the pages' lists do).
    admitted = policy.has_any_role(principal) if action is None else policy.can(principal, action)
    if not admitted:
        raise PermissionDenied
    return principal


class TokenAuth(HttpBearer):
    """An integration's token; the policy's ``Integration`` actor when it is valid."""

    def __init__(self, action: Action | None) -> None:
        self.action = action
        super().__init__()

    def authenticate(self, request: HttpRequest, token: str) -> Any:
        return _admit(integration_for(token), self.action)


class PolicySession(SessionAuth):
    """The browser session of a signed-in person (CSRF-checked for writes)."""

    def __init__(self, action: Action | None) -> None:
        self.action = action
        super().__init__(csrf=True)

    def authenticate(self, request: HttpRequest, key: str | None) -> Any:
        user = request.user
        return _admit(user if user.is_authenticated else None, self.action)


def allowed(action: Action | None) -> list[Any]:
    """The ``auth`` of an endpoint that needs ``action`` (None: a scoped list): a token
    first, then a session."""
    return [TokenAuth(action), PolicySession(action)]


def principal_key(principal: Any) -> str:
    """A stable name of the caller for rate limits and idempotency keys."""
    if isinstance(principal, Integration):
        return f"token:{principal.token_id}"
    return f"user:{principal.pk}"


class WriteThrottle(SimpleRateThrottle):
    """Writes per caller, ``settings.API_WRITE_RATE`` (e.g. ``"60/min"``), in the cache
    every web process shares."""

    scope = "write"

    def __init__(self) -> None:
        super().__init__(rate=settings.API_WRITE_RATE)

    def allow_request(self, request: HttpRequest) -> bool:
        # Read on each request: the setting is the operator's to change without a restart
        # of this object, which lives as long as the process.
        self.num_requests, self.duration = self.parse_rate(settings.API_WRITE_RATE)
        return super().allow_request(request)

    def get_cache_key(self, request: HttpRequest) -> str:
        return f"api_throttle_write_{principal_key(request.auth)}"  # type: ignore[attr-defined]
