"""Notices: what a person is told once, by e-mail and on their start page.

Staff are told when their month is approved, when it is paid and when a correction
changes it (the worker, after the step has committed: ``compensation.tasks``); the head
when a gate is at risk (``compensation.gate_watch``, from a command run by cron).

Each notice is a :class:`Notice` row under a unique key (recipient, kind, department,
month, gate, revision): whoever inserts it first sends the mail, so a second run or a
second worker sends nothing. The row is the notice; the mail is written from it in the
recipient's language, and the start page writes it in the reader's.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from accounts.models import Department
from accounts.templatetags.money import format_money
from compensation.models import (
    Correction,
    Notice,
    NoticeKind,
    PayLine,
    PeriodEvent,
    Revision,
)
from compensation.notifications import Mail, language_of, send_mails
from core.months import day_label, month_label


def _names(notice: Notice) -> dict[str, str]:
    details = notice.details
    names = {
        "department": notice.department.name,
        "month": month_label(notice.month),
        "revision": str(notice.revision),
        "reason": details.get("reason", ""),
    }
    for key in ("bonus", "amount", "required", "collected", "expected", "worth", "gap"):
        if key in details:
            names[key] = format_money(Decimal(details[key]))
    for key in ("paid_on", "date"):
        if key in details:
            names[key] = day_label(dt.date.fromisoformat(details[key]))
    if "paid_in" in details:
        names["paid_in"] = month_label(dt.date.fromisoformat(details["paid_in"]))
    return names


def _approved(names: dict[str, str]) -> tuple[str, str]:
    return (
        _("Your bonus for %(month)s is approved") % names,
        _(
            "The bonus of %(department)s for %(month)s is approved (revision %(revision)s). "
            "Your bonus: %(bonus)s."
        )
        % names,
    )


def _paid(names: dict[str, str]) -> tuple[str, str]:
    return (
        _("Your bonus for %(month)s is paid") % names,
        _(
            "The payroll of %(department)s for %(month)s was paid on %(paid_on)s. "
            "Your bonus: %(bonus)s."
        )
        % names,
    )


def _corrected(names: dict[str, str]) -> tuple[str, str]:
    return (
        _("Your bonus for %(month)s was corrected") % names,
        _(
            "The bonus of %(department)s for %(month)s was corrected (revision %(revision)s): "
            "%(reason)s. The difference for you, %(amount)s, goes with the payroll for "
            "%(paid_in)s."
        )
        % names,
    )


def _gate(names: dict[str, str], basis: str) -> tuple[str, str]:
    title = _("%(department)s: the gate of %(date)s is at risk") % names
    if basis == "forecast":
        body = _(
            "By %(date)s at least %(required)s must be collected, or the tranche of %(worth)s "
            "is lost. Collected so far: %(collected)s; with what is expected by then, "
            "%(expected)s: %(gap)s is missing."
        )
    else:
        body = _(
            "By %(date)s at least %(required)s must be collected, or the tranche of %(worth)s "
            "is lost. Collected so far: %(collected)s; at this pace, %(expected)s by then: "
            "%(gap)s is missing."
        )
    return title, body % names


@dataclass(frozen=True)
class Told:
    """A notice as a person reads it: title, text and the page it is about (a path)."""

    notice: Notice
    title: str
    body: str
    path: str


def notice_text(notice: Notice) -> Told:
    """The notice written out in the active language."""
    names = _names(notice)
    if notice.kind == NoticeKind.GATE_AT_RISK:
        title, body = _gate(names, notice.details.get("basis", "forecast"))
        path = reverse("department_dashboard", args=[notice.department_id, notice.month])
        return Told(notice, title, body, path)
    compose = {
        NoticeKind.APPROVED: _approved,
        NoticeKind.PAID: _paid,
        NoticeKind.CORRECTED: _corrected,
    }[notice.kind]
    title, body = compose(names)
    return Told(notice, title, body, reverse("my_bonus_month", args=[notice.month]))


def notice_send(
    *,
    user: Any,
    kind: str,
    department: Department,
    month: dt.date,
    gate: int = 0,
    revision: int = 0,
    details: dict[str, str],
) -> int:
    """Record the notice and mail it, unless it was recorded before; how many mails went.

    The insert decides: ``get_or_create`` falls back to reading the row when another
    run's insert won, and then nothing is sent. A mail server that fails leaves the
    notice on the start page, unmailed (``mailed_at`` empty).
    """
    if not user.is_active:
        return 0
    with transaction.atomic():
        notice, created = Notice.objects.get_or_create(
            recipient=user,
            kind=kind,
            department=department,
            month=month,
            gate=gate,
            revision=revision,
            defaults={"details": details},
        )
    if not created or not user.email:
        return 0
    with translation.override(language_of(user)):
        told = notice_text(notice)
    body = f"{told.body}\n\n{settings.SITE_URL}{told.path}"
    sent = send_mails([Mail(to=user.email, subject=told.title, body=body)])
    if sent:
        Notice.objects.filter(pk=notice.pk).update(mailed_at=timezone.now())
    return sent


# --- the workflow's notices to staff -------------------------------------------------------


def _staff_lines(revision: Revision) -> Iterator[PayLine]:
    return revision.pay_lines.filter(is_head=False).select_related("employee__user")


def _corrects_paid(revision: Revision) -> bool:
    return revision.period.revisions.filter(
        number__lt=revision.number, paid_at__isnull=False
    ).exists()


def _on_approve(event: PeriodEvent, revision: Revision) -> Iterator[dict[str, Any]]:
    if not _corrects_paid(revision):
        for line in _staff_lines(revision):
            yield {
                "user": line.employee.user,
                "kind": NoticeKind.APPROVED,
                "details": {"bonus": f"{line.bonus:.2f}"},
            }
        return
    # A correction of a paid month tells whoever's pay it changes (the head too).
    corrections = Correction.objects.filter(revision=revision, carried_from__isnull=True)
    for correction in corrections.select_related("employee__user"):
        yield {
            "user": correction.employee.user,
            "kind": NoticeKind.CORRECTED,
            "details": {
                "amount": f"{correction.amount:.2f}",
                "paid_in": correction.paid_in.isoformat(),
                "reason": correction.reason,
            },
        }


def _on_pay(event: PeriodEvent, revision: Revision) -> Iterator[dict[str, Any]]:
    paid_on = event.details.get("paid_on") or timezone.localdate().isoformat()
    for line in _staff_lines(revision):
        yield {
            "user": line.employee.user,
            "kind": NoticeKind.PAID,
            "details": {"bonus": f"{line.bonus:.2f}", "paid_on": paid_on},
        }


_ON_EVENT = {PeriodEvent.Action.APPROVE: _on_approve, PeriodEvent.Action.PAY: _on_pay}


def send_for_event(event: PeriodEvent) -> int:
    """The notices of one workflow step to the people whose month it is; mails sent."""
    compose = _ON_EVENT.get(event.action)
    if compose is None:
        return 0
    period = event.period
    revision = period.revisions.select_related("period").get(number=event.revision)
    return sum(
        notice_send(
            department=period.department,
            month=period.month,
            revision=event.revision,
            **notice,
        )
        for notice in compose(event, revision)
    )
