"""A month split by presence: days present frozen at close, the worked example paid."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.test import Client as WebClient
from django.urls import reverse

from accounts.absences import absence_record
from compensation import services
from compensation.models import PayLine
from compensation.selectors import period_result
from core.calendar import month_working_days
from tests.factories import PASSWORD, Cast
from tests.test_workflow_helpers import OCTOBER, SPEC_MILESTONES, pay_in, seed_lines


def _by_presence_october(cast: Cast) -> None:
    services.scheme_create(
        user=cast.director.user,
        department=cast.dept,
        month=OCTOBER,
        plan="50000000.00",
        threshold="40000000.00",
        rate="0.005",
        head_share="0.40",
        milestones=SPEC_MILESTONES,
        split="by_presence",
    )
    pay_in(cast)


def test_olya_away_twelve_working_days_gets_ten_twenty_seconds_of_a_share(cast: Cast) -> None:
    # given October (22 working days) split by presence, Olya away its first 12 of them
    working = month_working_days(OCTOBER)
    assert len(working) == 22
    _by_presence_october(cast)
    absence_record(
        user=cast.head.user,
        employee=cast.olya,
        kind="sick_leave",
        started_on=OCTOBER,
        ended_on=working[11],
    )

    # when the month is closed, proposed as in SPEC section 2 and approved
    period = services.period_open(department=cast.dept, month=OCTOBER)
    period = services.period_close(
        user=cast.head.user, period=period, expected_version=period.version
    )
    frozen = {m.employee: (m.days_present, m.working_days) for m in period.members.all()}
    period = services.proposal_save(
        user=cast.head.user, period=period, expected_version=period.version, lines=seed_lines(cast)
    )
    period = services.proposal_submit(
        user=cast.head.user, period=period, expected_version=period.version
    )
    period = services.period_approve(
        user=cast.director.user, period=period, expected_version=period.version
    )

    # then the days were frozen, and the shares are the worked example's; the staff are in
    # name order here (Masha, Olya, Vasya), so the tied second leftover kopeck is Olya's
    assert frozen == {cast.masha: (22, 22), cast.vasya: (22, 22), cast.olya: (10, 22)}
    assert period.frozen_scheme["split"] == "by_presence"
    bonuses = dict(PayLine.objects.filter(revision__period=period).values_list("employee", "bonus"))
    assert bonuses[cast.masha.pk] == Decimal("29666.67")
    assert bonuses[cast.olya.pk] == Decimal("6666.67")
    assert bonuses[cast.vasya.pk] == Decimal("8666.66")


def test_an_absence_recorded_after_close_changes_nothing(cast: Cast) -> None:
    # given a closed by-presence month with everybody present
    _by_presence_october(cast)
    period = services.period_open(department=cast.dept, month=OCTOBER)
    period = services.period_close(
        user=cast.head.user, period=period, expected_version=period.version
    )
    before = [line.equal_share for line in period_result(period).staff]

    # when an absence of that month is recorded afterwards
    absence_record(
        user=cast.admin,
        employee=cast.vasya,
        kind="vacation",
        started_on=dt.date(2026, 10, 5),
        ended_on=dt.date(2026, 10, 9),
    )

    # then the closed month's figures stay as frozen
    assert [line.equal_share for line in period_result(period).staff] == before
    assert before == [Decimal("15000.00")] * 3


def test_my_bonus_shows_how_the_share_follows_from_the_days(cast: Cast) -> None:
    # given October split by presence, Olya away 12 of its 22 working days, closed
    working = month_working_days(OCTOBER)
    _by_presence_october(cast)
    absence_record(
        user=cast.head.user,
        employee=cast.olya,
        kind="sick_leave",
        started_on=OCTOBER,
        ended_on=working[11],
    )
    period = services.period_open(department=cast.dept, month=OCTOBER)
    services.period_close(user=cast.head.user, period=period, expected_version=period.version)
    browser = WebClient()
    browser.login(username=cast.olya.user.username, password=PASSWORD)

    # when Olya opens her bonus for October
    page = browser.get(reverse("my_bonus_month", args=["2026-10"])).content.decode()

    # then she sees her days and the arithmetic of her share: 45,000 x (10/22) / (2 + 10/22)
    assert 'id="my-presence"' in page
    assert "You were present 10 of 22 working days." in page
    assert "2.4545" in page


def test_my_bonus_of_an_open_equal_month_shows_the_days_present_too(cast: Cast) -> None:
    # given October still open, split equally, Olya away its first 12 working days
    working = month_working_days(OCTOBER)
    services.scheme_create(
        user=cast.director.user,
        department=cast.dept,
        month=OCTOBER,
        plan="50000000.00",
        threshold="40000000.00",
        rate="0.005",
        head_share="0.40",
        milestones=SPEC_MILESTONES,
        split="equal",
    )
    pay_in(cast)
    absence_record(
        user=cast.head.user,
        employee=cast.olya,
        kind="sick_leave",
        started_on=OCTOBER,
        ended_on=working[11],
    )
    browser = WebClient()
    browser.login(username=cast.olya.user.username, password=PASSWORD)

    # when Olya opens her bonus for October
    page = browser.get(reverse("my_bonus_month", args=["2026-10"])).content.decode()

    # then she sees her days present, and no by-presence arithmetic: the split is equal
    assert 'id="my-presence"' in page
    assert "You were present 10 of 22 working days." in page
    assert "The remainder is split by days present" not in page
