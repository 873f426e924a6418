"""Four eyes, returning a proposal to the head, and reopening an approved period."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.contrib.auth.models import Group
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError

from accounts.models import Role
from accounts.policy import visible_pay_lines
from compensation import services
from compensation.errors import WorkflowError
from compensation.models import BonusPeriod, PeriodEvent, PeriodState, ProposalLine
from tests.factories import Cast, person
from tests.test_workflow_helpers import approved_october, proposed_october

D = Decimal


def bonuses(period: BonusPeriod, number: int) -> dict[str, Decimal]:
    revision = period.revisions.get(number=number)
    return {
        line.employee.user.username: line.bonus
        for line in revision.pay_lines.select_related("employee__user")
    }


SEED_BONUSES = {
    "ivan": D("30000.00"),
    "masha": D("27000.00"),
    "vasya": D("6000.00"),
    "olya": D("12000.00"),
}


def test_it_never_lets_the_proposer_approve_even_with_both_roles(cast: Cast) -> None:
    # given Ivan is the head and also a commercial director
    cast.head.user.groups.add(Group.objects.get(name=Role.DIRECTOR.value))
    period = proposed_october(cast)

    # when he tries to approve his own proposal
    with pytest.raises(WorkflowError, match="another commercial director"):
        services.period_approve(user=cast.head.user, period=period, expected_version=period.version)

    # then nothing changed, and Dina may approve it
    period.refresh_from_db()
    assert period.state == PeriodState.PROPOSED
    period = services.period_approve(
        user=cast.director.user, period=period, expected_version=period.version
    )
    assert period.revisions.get().approved_by == cast.director.user


def test_it_returns_a_proposal_and_takes_the_resubmission(
    cast: Cast, django_capture_on_commit_callbacks
) -> None:
    # given a submitted proposal the director has edited
    period = proposed_october(cast)
    period = services.proposal_edit(
        user=cast.director.user,
        period=period,
        expected_version=period.version,
        employee=cast.masha,
        award="5000",
        deduction="0",
        reason="Too generous",
    )

    # when the director returns it with a comment
    with pytest.raises(ValidationError):
        services.period_return(
            user=cast.director.user, period=period, expected_version=period.version, comment=" "
        )
    with django_capture_on_commit_callbacks(execute=True):
        period = services.period_return(
            user=cast.director.user,
            period=period,
            expected_version=period.version,
            comment="Masha's award is too high; 10,000 at most.",
        )

    # then the head has it back, with their own figures and the comment by e-mail
    assert period.state == PeriodState.CLOSED
    masha = ProposalLine.objects.get(revision__period=period, employee=cast.masha)
    assert (masha.proposed_award, masha.approved_award) == (D("15000.00"), None)
    returned = period.events.get(action=PeriodEvent.Action.RETURN)
    assert returned.comment == "Masha's award is too high; 10,000 at most."
    assert returned.details["withdrawn_edits"][0]["award"] == "5000.00"
    assert mail.outbox[-1].to == ["ivan@example.com"]
    assert "10,000 at most" in mail.outbox[-1].body

    # and when the head lowers the award and resubmits, the director can approve
    period = services.proposal_save(
        user=cast.head.user,
        period=period,
        expected_version=period.version,
        lines={cast.masha.pk: ("10000.00", "0", "Two hard clients, as agreed")},
    )
    period = services.proposal_submit(
        user=cast.head.user, period=period, expected_version=period.version
    )
    period = services.period_approve(
        user=cast.director.user, period=period, expected_version=period.version
    )
    # (45,000 − 10,000 + 6,000) / 3 = 13,666.66 r 2 kopecks: Masha and Olya get one more
    assert bonuses(period, 1) == {
        "ivan": D("30000.00"),
        "masha": D("23666.67"),
        "olya": D("13666.67"),
        "vasya": D("7666.66"),
    }


def test_it_reopens_as_revision_2_and_keeps_revision_1(cast: Cast) -> None:
    # given an approved October
    period = approved_october(cast)
    first = period.revisions.get(number=1)
    first_result = first.result

    # when the director reopens it and the head drops Vasya's deduction
    with pytest.raises(ValidationError):
        services.period_reopen(
            user=cast.director.user, period=period, expected_version=period.version, reason=""
        )
    period = services.period_reopen(
        user=cast.director.user,
        period=period,
        expected_version=period.version,
        reason="Vasya was on sick leave that week",
    )
    assert (period.state, period.revision) == (PeriodState.CLOSED, 2)
    period = services.proposal_save(
        user=cast.head.user,
        period=period,
        expected_version=period.version,
        lines={cast.vasya.pk: ("0", "0", "")},
    )
    period = services.proposal_submit(
        user=cast.head.user, period=period, expected_version=period.version
    )
    period = services.period_approve(
        user=cast.director.user, period=period, expected_version=period.version
    )

    # then revision 2 has the new figures and revision 1 is untouched
    assert bonuses(period, 2) == {
        "ivan": D("30000.00"),
        "masha": D("25000.00"),
        "vasya": D("10000.00"),
        "olya": D("10000.00"),
    }
    assert bonuses(period, 1) == SEED_BONUSES
    first.refresh_from_db()
    assert first.result == first_result
    assert first.approved_by == cast.director.user
    second = period.revisions.get(number=2)
    assert second.reopen_reason == "Vasya was on sick leave that week"
    masha = second.proposal.get(employee=cast.masha)
    assert (masha.proposed_award, masha.reason) == (
        D("15000.00"),
        "Closed the two hardest clients",
    )
    # the accountant still reads the earlier approved revision
    lines = visible_pay_lines(cast.accountant.user)
    assert lines.filter(revision=first).count() == 4


def test_only_a_director_reopens_a_paid_period(cast: Cast) -> None:
    period = approved_october(cast)
    period = services.period_mark_paid(
        user=cast.accountant.user, period=period, expected_version=period.version
    )

    with pytest.raises(PermissionDenied):
        services.period_reopen(
            user=cast.accountant.user,
            period=period,
            expected_version=period.version,
            reason="Too late",
        )


def test_it_lets_only_a_director_reopen(cast: Cast) -> None:
    period = approved_october(cast)

    with pytest.raises(PermissionDenied):
        services.period_reopen(
            user=cast.head.user, period=period, expected_version=period.version, reason="Mine"
        )


def test_it_lets_a_second_director_approve_what_the_first_returned(cast: Cast) -> None:
    # a director who did not propose may approve, even after another one returned it
    second = person("boris", "Boris Lebedev", Role.DIRECTOR)
    period = proposed_october(cast)
    period = services.period_return(
        user=cast.director.user, period=period, expected_version=period.version, comment="Why?"
    )
    period = services.proposal_submit(
        user=cast.head.user, period=period, expected_version=period.version
    )

    period = services.period_approve(
        user=second.user, period=period, expected_version=period.version
    )

    assert bonuses(period, 1) == SEED_BONUSES
