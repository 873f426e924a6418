"""Plain-text e-mails about a period's workflow, sent through Django's mail API.

Services call these from ``transaction.on_commit``, so nobody hears of a step that was
rolled back. A mail server that fails is logged, never turned into a failed approval:
the step has already been committed by then.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import Any

from django.contrib.auth import get_user_model
from django.core.mail import EmailMessage, get_connection
from django.utils.translation import gettext as _

from accounts.models import Role
from compensation.models import BonusPeriod

logger = logging.getLogger(__name__)


def _addresses(users: Iterable[Any]) -> list[str]:
    return sorted({user.email for user in users if user.is_active and user.email})


def _in_role(role: Role) -> list[Any]:
    return list(get_user_model().objects.filter(groups__name=role.value))


def _head(period: BonusPeriod) -> list[Any]:
    head = period.head or period.department.head
    return [] if head is None else [head.user]


def _send(subject: str, body: str, recipients: list[str]) -> None:
    """One message per recipient, so nobody sees who else was told."""
    messages = [EmailMessage(subject=subject, body=body, to=[address]) for address in recipients]
    if not messages:
        return
    try:
        get_connection().send_messages(messages)
    except Exception:
        logger.exception("Could not send %r to %s", subject, recipients)


def _names(period: BonusPeriod) -> dict[str, str]:
    return {
        "department": period.department.name,
        "month": f"{period.month:%Y-%m}",
        "revision": str(period.revision),
    }


def proposal_submitted(period: BonusPeriod) -> None:
    names = _names(period)
    subject = _("Bonus proposal for %(department)s, %(month)s, awaits approval") % names
    body = (
        _(
            "The head of %(department)s has submitted the bonus proposal for %(month)s "
            "(revision %(revision)s). Please approve it, edit it or return it."
        )
        % names
    )
    _send(subject, body, _addresses(_in_role(Role.DIRECTOR)))


def proposal_returned(period: BonusPeriod, comment: str) -> None:
    names = _names(period)
    subject = _("Bonus proposal for %(department)s, %(month)s, was returned") % names
    body = _(
        "The commercial director returned the bonus proposal for %(month)s "
        "(revision %(revision)s) with this comment:\n\n%(comment)s"
    ) % {**names, "comment": comment}
    _send(subject, body, _addresses(_head(period)))


def period_approved(period: BonusPeriod) -> None:
    names = _names(period)
    subject = _("Bonus for %(department)s, %(month)s, approved") % names
    body = (
        _(
            "The bonus of %(department)s for %(month)s (revision %(revision)s) has been "
            "approved. The payroll can now be exported."
        )
        % names
    )
    recipients = _addresses([*_head(period), *_in_role(Role.ACCOUNTANT)])
    _send(subject, body, recipients)
