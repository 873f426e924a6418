"""A person dismisses a notice from their start page (its mail, if any, has gone)."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone

from accounts.policy import visible_notices
from compensation.models import Notice


@transaction.atomic
def notice_dismiss(*, user: Any, notice: Notice) -> None:
    """Mark the user's own notice read; anyone else's is refused as not found."""
    visible_notices(user).filter(pk=notice.pk, dismissed_at__isnull=True).update(
        dismissed_at=timezone.now()
    )
