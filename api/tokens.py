"""Integration tokens: made with a secret shown once, stored as its hash, revoked by an
administrator, and turned into the policy's ``Integration`` actor on each request."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Iterable
from typing import Any

from django.db import transaction
from django.utils import timezone

from accounts import policy
from accounts.models import Department
from accounts.policy import Action, Integration
from api.models import ApiToken

PREFIX_BYTES = 6  # 8 characters: names the token in lists and logs, finds it on a request
SECRET_BYTES = 32  # 256 bits: no need for a slow hash, so a plain SHA-256 is kept


def _hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def issue_secret(token: ApiToken) -> str:
    """Give an unsaved token its secret, ``<prefix>.<random>``: the only time it is seen."""
    token.prefix = secrets.token_urlsafe(PREFIX_BYTES)
    secret = f"{token.prefix}.{secrets.token_urlsafe(SECRET_BYTES)}"
    token.secret_hash = _hash(secret)
    return secret


@transaction.atomic
def api_token_create(
    *, user: Any, name: str, scope: str, departments: Iterable[Department]
) -> tuple[ApiToken, str]:
    """A new token and its secret (see ``issue_secret``)."""
    policy.require(user, Action.ADMINISTER)
    token = ApiToken(name=name, scope=scope, created_by=user)
    secret = issue_secret(token)
    token.save()
    token.departments.set(departments)
    return token, secret


def api_token_revoke(*, user: Any, token: ApiToken) -> None:
    policy.require(user, Action.ADMINISTER)
    ApiToken.objects.filter(pk=token.pk, revoked_at=None).update(revoked_at=timezone.now())


def integration_for(secret: str) -> Integration | None:
    """The actor a presented secret stands for, or None (unknown, wrong or revoked)."""
    prefix, dot, _rest = secret.partition(".")
    if not dot:
        return None
    token = ApiToken.objects.filter(prefix=prefix, revoked_at=None).first()
    if token is None or not hmac.compare_digest(token.secret_hash, _hash(secret)):
        return None
    return Integration(
        token_id=token.pk,
        name=token.name,
        scope=token.scope,
        department_ids=token.departments.values_list("pk", flat=True),
    )


def token_used(integration: Integration) -> None:
    """Record a write made with the token. Reads are not recorded: a GET writes nothing."""
    ApiToken.objects.filter(pk=integration.token_id).update(last_used_at=timezone.now())
