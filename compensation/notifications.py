"""Plain-text e-mails about a period's workflow, sent through Django's mail API.

Each e-mail tells of one step, read from its event row: the worker sends it
(``compensation.tasks``) after the step has committed, so nobody hears of a step that was
rolled back and the request never waits for the mail server. A mail server that fails
is logged, never turned into a failed approval: the step has been committed by then.

Each role is told what the step means to it, in its own language, with a link to the page
where it acts: the director the proposal to review, the head the proposal returned or the
approved period, the accountant the payroll to export. What staff are told of their own
month (approved, paid, corrected) are notices (``compensation.notices``), sent by the same
job and through the same mail helpers.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ObjectDoesNotExist
from django.core.mail import EmailMessage, get_connection
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from accounts.models import Employee, Role
from accounts.templatetags.money import format_money
from compensation.models import BonusPeriod, PeriodEvent
from core.months import month_label

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Mail:
    """One message to one person."""

    to: str
    subject: str
    body: str


# What one role is told of one step: (event, recipient) → subject and body, written in
# the recipient's language (the caller activates it).
Compose = Callable[[PeriodEvent], tuple[str, str]]


def link(name: str, *args: Any) -> str:
    """An absolute link for an e-mail: ``settings.SITE_URL`` and the page's path."""
    return f"{settings.SITE_URL}{reverse(name, args=args)}"


def language_of(user: Any) -> str:
    """The language the person reads in: theirs if stored (``Employee.language``, set when
    they switch the site's language), else the site's."""
    try:
        stored = user.employee.language
    except (AttributeError, ObjectDoesNotExist):
        stored = ""
    return stored or settings.LANGUAGE_CODE


def _active(users: Iterable[Any]) -> list[Any]:
    seen: dict[str, Any] = {}
    for user in users:
        if user.is_active and user.email:
            seen.setdefault(user.email, user)
    return [seen[address] for address in sorted(seen)]


def _in_role(role: Role) -> list[Any]:
    return list(get_user_model().objects.filter(groups__name=role.value).select_related("employee"))


def _head(period: BonusPeriod) -> list[Any]:
    head = period.head or period.department.head
    return [] if head is None else [head.user]


def _names(event: PeriodEvent) -> dict[str, str]:
    return {
        "department": event.period.department.name,
        "month": month_label(event.period.month),
        "revision": str(event.revision),
    }


def _to_director(event: PeriodEvent) -> tuple[str, str]:
    names = {**_names(event), "link": link("review", event.period_id)}
    subject = _("%(department)s: the bonus proposal for %(month)s awaits your review") % names
    body = (
        _(
            "The head of %(department)s has submitted the bonus proposal for %(month)s "
            "(revision %(revision)s). Please approve it, edit it or return it:\n\n%(link)s"
        )
        % names
    )
    return subject, body


def _to_head_returned(event: PeriodEvent) -> tuple[str, str]:
    names = {**_names(event), "link": link("proposal", event.period_id)}
    subject = _("%(department)s: the bonus proposal for %(month)s was returned") % names
    body = _(
        "The commercial director returned the bonus proposal for %(month)s "
        "(revision %(revision)s) with this comment:\n\n%(comment)s\n\n"
        "Correct it and submit it again:\n\n%(link)s"
    ) % {**names, "comment": event.comment}
    return subject, body


def _edits(event: PeriodEvent) -> list[str]:
    """The director's edits to this revision before approving it, one line each."""
    changes = [
        change
        for edit in event.period.events.filter(
            action=PeriodEvent.Action.EDIT, revision=event.revision
        ).order_by("at", "id")
        for change in edit.details.get("changes", [])
    ]
    codes = {change["employee"] for change in changes}
    names = dict(
        Employee.objects.filter(personnel_number__in=codes).values_list(
            "personnel_number", "full_name"
        )
    )
    return [
        _(
            "%(name)s: award %(old_award)s → %(new_award)s, deduction %(old_deduction)s → "
            "%(new_deduction)s (%(reason)s)"
        )
        % {
            "name": names.get(change["employee"], change["employee"]),
            "old_award": format_money(change["old"]["award"]),
            "new_award": format_money(change["new"]["award"]),
            "old_deduction": format_money(change["old"]["deduction"]),
            "new_deduction": format_money(change["new"]["deduction"]),
            "reason": change.get("reason", ""),
        }
        for change in changes
    ]


def _to_head_approved(event: PeriodEvent) -> tuple[str, str]:
    names = {**_names(event), "link": link("period_detail", event.period_id)}
    subject = _("%(department)s: the bonus for %(month)s is approved") % names
    body = (
        _(
            "The commercial director approved the bonus of %(department)s for %(month)s "
            "(revision %(revision)s)."
        )
        % names
    )
    edits = _edits(event)
    if edits:
        body += "\n\n" + _("The director changed the proposal before approving it:")
        body += "\n" + "\n".join(f"- {line}" for line in edits)
    else:
        body += " " + _("It was approved as you proposed it.")
    body += "\n\n" + names["link"]
    return subject, body


def _to_accountant(event: PeriodEvent) -> tuple[str, str]:
    names = {**_names(event), "link": link("payroll")}
    subject = _("%(department)s: the bonus for %(month)s is ready to export") % names
    body = (
        _(
            "The bonus of %(department)s for %(month)s (revision %(revision)s) has been "
            "approved. Its payroll can now be exported:\n\n%(link)s"
        )
        % names
    )
    return subject, body


# Who hears of which step, and what each is told; other steps send nothing.
_MAILS: dict[str, list[tuple[Callable[[BonusPeriod], list[Any]], Compose]]] = {
    PeriodEvent.Action.SUBMIT: [(lambda period: _in_role(Role.DIRECTOR), _to_director)],
    PeriodEvent.Action.RETURN: [(_head, _to_head_returned)],
    PeriodEvent.Action.APPROVE: [
        (_head, _to_head_approved),
        (lambda period: _in_role(Role.ACCOUNTANT), _to_accountant),
    ],
}


def mails_for_event(event: PeriodEvent) -> list[Mail]:
    """The e-mails of one workflow step: one per person, in that person's language.

    Somebody in two roles (a head who is also the accountant) gets each role's message.
    """
    mails = []
    for recipients, compose in _MAILS.get(event.action, []):
        for user in _active(recipients(event.period)):
            with translation.override(language_of(user)):
                subject, body = compose(event)
            mails.append(Mail(to=user.email, subject=subject, body=body))
    return mails


def send_mails(mails: list[Mail]) -> int:
    """One message per recipient, so nobody sees who else was told; returns how many."""
    messages = [EmailMessage(subject=m.subject, body=m.body, to=[m.to]) for m in mails]
    if not messages:
        return 0
    try:
        return get_connection().send_messages(messages) or 0
    except Exception:
        logger.exception("Could not send %r", [(m.subject, m.to) for m in mails])
        return 0


def send_for_event(event: PeriodEvent) -> int:
    """Send the e-mails of one workflow step; returns how many went out."""
    return send_mails(mails_for_event(event))
