"""``Idempotency-Key``: a bulk write sent twice with the same key is done once.

The first answer is kept under (caller, key) with a hash of the request; the same key
with the same body gets that answer again and writes nothing; the same key with another
body is refused (422), since the caller has mixed up two writes.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from typing import Any

from django.db import IntegrityError, transaction
from django.http import HttpRequest, JsonResponse
from django.utils.translation import gettext as _

from api.auth import principal_key
from api.models import IdempotentRequest
from api.problems import CONTENT_TYPE, Problem, problem_body

HEADER = "Idempotency-Key"
KEY_MAX = 200


def _hash(endpoint: str, payload: Any) -> str:
    text = json.dumps([endpoint, payload], sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()


def _replay(stored: IdempotentRequest, request_hash: str) -> JsonResponse:
    if stored.request_hash != request_hash:
        raise Problem(
            422,
            "idempotency-key-reused",
            _("The idempotency key was used for another request."),
            _("Send a new %(header)s for a different body.") % {"header": HEADER},
            field=HEADER,
        )
    content_type = CONTENT_TYPE if stored.status >= 400 else "application/json"
    response = JsonResponse(stored.body, status=stored.status, content_type=content_type)
    response["Idempotent-Replayed"] = "true"
    return response


def _key(request: HttpRequest) -> str | None:
    key = request.headers.get(HEADER)
    if key is None:
        return None
    key = key.strip()
    if not key or len(key) > KEY_MAX:
        raise Problem(
            422,
            "invalid",
            _("The idempotency key is not valid."),
            _("%(header)s must be 1 to %(max)d characters.") % {"header": HEADER, "max": KEY_MAX},
            field=HEADER,
        )
    return key


def idempotent(
    request: HttpRequest, endpoint: str, payload: Any, write: Callable[[], tuple[int, Any]]
) -> JsonResponse:
    """Run ``write`` (giving a status and a JSON body, or raising ``Problem``) once per key."""
    key = _key(request)
    principal = principal_key(request.auth)  # type: ignore[attr-defined]
    request_hash = _hash(endpoint, payload)
    if key is not None:
        stored = IdempotentRequest.objects.filter(principal=principal, key=key).first()
        if stored is not None:
            return _replay(stored, request_hash)
    try:
        status, body = write()
    except Problem as problem:
        status, body = problem.status, problem_body(problem)
    if key is not None:
        try:
            with transaction.atomic():
                IdempotentRequest.objects.create(
                    principal=principal,
                    key=key,
                    endpoint=endpoint,
                    request_hash=request_hash,
                    status=status,
                    body=body,
                )
        except IntegrityError:
            # The same key sent twice at once: the first to finish has kept its answer.
            # The pipeline's de-duplication kept the two writes from adding a row twice.
            stored = IdempotentRequest.objects.get(principal=principal, key=key)
            return _replay(stored, request_hash)
    content_type = CONTENT_TYPE if status >= 400 else "application/json"
    return JsonResponse(body, status=status, content_type=content_type)
