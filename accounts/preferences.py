"""A person's preferences that outlive a session: the language their e-mails are in."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import transaction

from accounts.models import Employee


@transaction.atomic
def language_remember(*, user: Any, language: str) -> None:
    """Keep ``language`` as the user's language for e-mails (an unknown one is ignored).

    A preference, not a personnel record: updated without a history row.
    """
    if language not in dict(settings.LANGUAGES) or not user.is_authenticated:
        return
    Employee.objects.filter(user=user).exclude(language=language).update(language=language)
