"""The services behind the workflow pages' journeys: send what is typed, pay on a day."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone, translation

from compensation import services
from compensation.models import PeriodEvent, PeriodState
from compensation.notes import review_notes
from tests.factories import Cast
from tests.test_workflow_helpers import approved_october, closed_october, seed_lines

pytestmark = pytest.mark.django_db


def test_submit_with_lines_saves_them_first_in_the_same_step(cast: Cast) -> None:
    period = closed_october(cast)
    period = services.proposal_submit(
        user=cast.head.user,
        period=period,
        expected_version=period.version,
        lines=seed_lines(cast),
        comment="See Vasya",
    )
    assert period.state == PeriodState.PROPOSED
    line = period.revisions.get().proposal.get(employee=cast.masha)
    assert line.proposed_award == Decimal("15000.00")
    assert review_notes(period).head.comment == "See Vasya"


def test_submit_with_a_refused_line_sends_and_saves_nothing(cast: Cast) -> None:
    period = closed_october(cast)
    lines = {cast.vasya.pk: ("0", "40000", "Too much")}
    with translation.override("ru"), pytest.raises(ValidationError) as refused:
        services.proposal_submit(
            user=cast.head.user, period=period, expected_version=period.version, lines=lines
        )
    message = refused.value.message_dict[f"deduction_{cast.vasya.pk}"][0]
    assert message.startswith("Депремирование 40\N{NO-BREAK SPACE}000,00\N{NO-BREAK SPACE}₽")
    period.refresh_from_db()
    assert period.state == PeriodState.CLOSED
    assert period.revisions.get().proposal.get(employee=cast.vasya).proposed_deduction == 0


def test_a_return_is_the_pending_comment_until_the_head_submits_again(cast: Cast) -> None:
    period = closed_october(cast)
    period = services.proposal_submit(
        user=cast.head.user, period=period, expected_version=period.version, comment="Note"
    )
    period = services.period_return(
        user=cast.director.user, period=period, expected_version=period.version, comment="Why?"
    )
    assert review_notes(period).return_pending.comment == "Why?"
    period = services.proposal_submit(
        user=cast.head.user, period=period, expected_version=period.version
    )
    notes = review_notes(period)
    assert notes.return_pending is None
    assert (notes.head.comment, notes.director.comment) == ("Note", "Why?")


@pytest.mark.parametrize("days", [1, -400])
def test_a_payment_day_in_the_future_or_before_approval_is_refused(cast: Cast, days: int) -> None:
    period = approved_october(cast)
    with pytest.raises(ValidationError) as refused:
        services.period_mark_paid(
            user=cast.accountant.user,
            period=period,
            expected_version=period.version,
            paid_on=timezone.localdate() + dt.timedelta(days=days),
        )
    assert "paid_on" in refused.value.message_dict
    period.refresh_from_db()
    assert period.state == PeriodState.APPROVED
    assert not period.events.filter(action=PeriodEvent.Action.PAY).exists()


def test_a_long_reason_is_kept_whole(cast: Cast) -> None:
    period = closed_october(cast)
    reason = "Line one.\n" + "x" * 1500
    services.proposal_save(
        user=cast.head.user,
        period=period,
        expected_version=period.version,
        lines={cast.masha.pk: ("100", "0", reason)},
    )
    line = period.revisions.get().proposal.get(employee=cast.masha)
    assert line.reason == reason
    assert len(line.history.first().history_change_reason) == 100
