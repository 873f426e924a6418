"""Plain-text e-mails about a period's workflow, sent through Django's mail API.

Each e-mail tells of one step, read from its event row: the worker sends it
(``compensation.tasks``) after the step has committed, so nobody hears of a step that was
rolled back and the request never waits for the mail server. A mail server that fails
is logged, never turned into a failed approval: the step has been committed by then.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from typing import Any

from django.contrib.auth import get_user_model
from django.core.mail import EmailMessage, get_connection
from django.utils.translation import gettext as _

from accounts.models import Role
from compensation.models import BonusPeriod, PeriodEvent

logger = logging.getLogger(__name__)

# subject, body and recipients of one step's e-mail
Mail = tuple[str, str, list[str]]


def _addresses(users: Iterable[Any]) -> list[str]:
    return sorted({user.email for user in users if user.is_active and user.email})


def _in_role(role: Role) -> list[Any]:
    return list(get_user_model().objects.filter(groups__name=role.value))


def _head(period: BonusPeriod) -> list[Any]:
    head = period.head or period.department.head
    return [] if head is None else [head.user]


def _send(subject: str, body: str, recipients: list[str]) -> int:
    """One message per recipient, so nobody sees who else was told; returns how many."""
    messages = [EmailMessage(subject=subject, body=body, to=[address]) for address in recipients]
    if not messages:
        return 0
    try:
        return get_connection().send_messages(messages) or 0
    except Exception:
        logger.exception("Could not send %r to %s", subject, recipients)
        return 0


def _names(event: PeriodEvent) -> dict[str, str]:
    return {
        "department": event.period.department.name,
        "month": f"{event.period.month:%Y-%m}",
        "revision": str(event.revision),
    }


def _submitted(event: PeriodEvent) -> Mail:
    names = _names(event)
    subject = _("Bonus proposal for %(department)s, %(month)s, awaits approval") % names
    body = (
        _(
            "The head of %(department)s has submitted the bonus proposal for %(month)s "
            "(revision %(revision)s). Please approve it, edit it or return it."
        )
        % names
    )
    return subject, body, _addresses(_in_role(Role.DIRECTOR))


def _returned(event: PeriodEvent) -> Mail:
    names = _names(event)
    subject = _("Bonus proposal for %(department)s, %(month)s, was returned") % names
    body = _(
        "The commercial director returned the bonus proposal for %(month)s "
        "(revision %(revision)s) with this comment:\n\n%(comment)s"
    ) % {**names, "comment": event.comment}
    return subject, body, _addresses(_head(event.period))


def _approved(event: PeriodEvent) -> Mail:
    names = _names(event)
    subject = _("Bonus for %(department)s, %(month)s, approved") % names
    body = (
        _(
            "The bonus of %(department)s for %(month)s (revision %(revision)s) has been "
            "approved. The payroll can now be exported."
        )
        % names
    )
    recipients = _addresses([*_head(event.period), *_in_role(Role.ACCOUNTANT)])
    return subject, body, recipients


# The steps somebody else has to act on or hear of; the others send nothing.
_MAILS: dict[str, Callable[[PeriodEvent], Mail]] = {
    PeriodEvent.Action.SUBMIT: _submitted,
    PeriodEvent.Action.RETURN: _returned,
    PeriodEvent.Action.APPROVE: _approved,
}


def send_for_event(event: PeriodEvent) -> int:
    """Send the e-mails of one workflow step; returns how many went out."""
    compose = _MAILS.get(event.action)
    if compose is None:
        return 0
    return _send(*compose(event))
