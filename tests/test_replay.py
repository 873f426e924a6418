"""Try a scheme on the past: a draft replayed on the last twelve months, then adopted."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client as HttpClient
from django.urls import reverse
from django.utils import timezone

from compensation import services
from compensation.models import DayRule, MonthlyScheme, ObligationDue
from compensation.replay import ReplayMonth, replay_cash_gaps, replay_months
from core.months import next_month
from tests.factories import Cast, ClientFactory, PaymentFactory
from tests.test_workflow_helpers import OCTOBER, approved_october

NOVEMBER = dt.date(2026, 11, 1)


@pytest.fixture(autouse=True)
def _english(settings: Any) -> None:
    settings.LANGUAGE_CODE = "en"


def signed_in(user: Any) -> HttpClient:
    client = HttpClient(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(user)
    return client


def draft(**changes: str) -> dict[str, str]:
    """SPEC section 2's scheme as the draft form sends it, with ``changes``."""
    data = {
        "plan": "",
        "threshold": "40000000.00",
        "rate": "0.5",
        "head_share": "40",
        "milestones-TOTAL_FORMS": "2",
        "milestones-INITIAL_FORMS": "0",
        "milestones-MIN_NUM_FORMS": "0",
        "milestones-MAX_NUM_FORMS": "10",
        "milestones-0-day": "15",
        "milestones-0-share_of_plan": "50",
        "milestones-0-fraction": "1/3",
        "milestones-0-day_rule": DayRule.CALENDAR,
        "milestones-1-day": "25",
        "milestones-1-share_of_plan": "90",
        "milestones-1-fraction": "1/3",
        "milestones-1-day_rule": DayRule.CALENDAR,
    }
    data.update(changes)
    return data


def replay_url(cast: Cast) -> str:
    return reverse("scheme_replay", args=[cast.dept.pk])


def row_for(rows: list[ReplayMonth], month: dt.date) -> ReplayMonth:
    return next(row for row in rows if row.month == month)


def test_the_replay_covers_the_twelve_whole_months_before_today() -> None:
    months = replay_months(dt.date(2027, 1, 20))
    assert months[0] == dt.date(2026, 1, 1)
    assert months[-1] == dt.date(2026, 12, 1)
    assert len(months) == 12


@pytest.mark.django_db
def test_the_cash_gap_is_empty_without_obligations(cast: Cast) -> None:
    months = replay_months(dt.date(2027, 1, 20))
    assert replay_cash_gaps(months) == dict.fromkeys(months)


@pytest.mark.django_db
def test_the_cash_gap_beside_a_month_is_the_companys_as_it_happened(cast: Cast) -> None:
    # given October approved (55 M: 20 M on the 5th, 6 M on the 14th, ...) and 30 M owed
    # on October 10th
    approved_october(cast)
    ObligationDue.objects.create(due_on=dt.date(2026, 10, 10), amount=Decimal("30000000.00"))
    # when the director replays any draft
    response = signed_in(cast.director.user).get(replay_url(cast), draft(threshold="45000000.00"))
    # then October's gap is the company's actual one: 30 M owed by the 10th against 20 M
    # collected, 10 M deep; months without obligations show none
    rows = response.context["rows"]
    assert row_for(rows, OCTOBER).cash_gap == Decimal("10000000.00")
    assert all(row.cash_gap is None for row in rows if row.month != OCTOBER)


@pytest.mark.django_db
def test_a_higher_threshold_replayed_on_the_approved_october(cast: Cast) -> None:
    # given October approved as SPEC section 2 has it: 55 M collected, 75,000 paid
    approved_october(cast)
    # when the director replays the same scheme with a threshold of 45 M
    response = signed_in(cast.director.user).get(replay_url(cast), draft(threshold="45000000.00"))
    assert response.status_code == 200
    october = row_for(response.context["rows"], OCTOBER)
    # then October would have paid (55 M − 45 M) × 0.5 % = 50,000 against 75,000 paid
    assert october.collected == Decimal("55000000.00")
    assert october.plan == Decimal("50000000.00")
    assert october.replayed.earned == Decimal("50000.00")
    assert october.paid == Decimal("75000.00")
    assert october.difference == Decimal("-25000.00")
    assert [gate.met for gate in october.replayed.milestones] == [True, True]
    assert october.cash_gap is None
    page = response.content.decode()
    assert "people would have worked differently" in page
    assert '<svg class="chart"' in page


@pytest.mark.django_db
def test_a_gate_moved_to_the_previous_working_day_is_missed_in_the_replay(cast: Cast) -> None:
    approved_october(cast)
    # the 25th of October 2026 is a Sunday: the gate falls on Friday the 23rd, 26 M by then
    response = signed_in(cast.director.user).get(
        replay_url(cast), draft(**{"milestones-1-day_rule": DayRule.PREVIOUS_WORKING})
    )
    october = row_for(response.context["rows"], OCTOBER)
    second = october.replayed.milestones[1]
    assert (second.date, second.met) == (dt.date(2026, 10, 23), False)
    assert october.replayed.earned == Decimal("50000.00")


@pytest.mark.django_db
def test_an_open_month_is_replayed_on_its_daily_totals(cast: Cast) -> None:
    approved_october(cast)
    services.scheme_start(user=cast.director.user, department=cast.dept, month=NOVEMBER)
    client = ClientFactory(department=cast.dept, responsible=cast.masha)
    PaymentFactory(client=client, received_on=dt.date(2026, 11, 3), amount=Decimal("30000000.00"))
    PaymentFactory(client=client, received_on=dt.date(2026, 11, 20), amount=Decimal("20000000.00"))
    response = signed_in(cast.director.user).get(replay_url(cast), draft())
    november = row_for(response.context["rows"], NOVEMBER)
    # 50 M: 30 M by the 15th (≥ 25 M), 50 M by the 25th (≥ 45 M): the whole 50,000
    assert november.collected == Decimal("50000000.00")
    assert november.replayed.earned == Decimal("50000.00")
    assert november.paid is None
    # a month without a scheme has no plan to replay on
    earlier = row_for(response.context["rows"], dt.date(2026, 9, 1))
    assert (earlier.plan, earlier.replayed) == (None, None)


@pytest.mark.django_db
def test_a_draft_plan_replaces_each_months_own(cast: Cast) -> None:
    approved_october(cast)
    response = signed_in(cast.director.user).get(
        replay_url(cast), draft(plan="60000000.00", threshold="40000000.00")
    )
    october = row_for(response.context["rows"], OCTOBER)
    # 90 % of 60 M is 54 M: only 46 M by the 25th, the second third is lost
    assert october.plan == Decimal("60000000.00")
    assert [gate.met for gate in october.replayed.milestones] == [False, False]
    assert october.replayed.earned == Decimal("25000.00")


@pytest.mark.django_db
def test_the_first_look_replays_the_latest_scheme(cast: Cast) -> None:
    approved_october(cast)
    response = signed_in(cast.director.user).get(replay_url(cast))
    october = row_for(response.context["rows"], OCTOBER)
    assert october.replayed.earned == october.paid == Decimal("75000.00")


@pytest.mark.django_db
def test_a_bad_draft_is_named_by_field_and_nothing_is_replayed(cast: Cast) -> None:
    approved_october(cast)
    response = signed_in(cast.director.user).get(replay_url(cast), draft(rate="150"))
    assert response.context["rows"] == []
    assert response.context["form"].errors["rate"]
    response = signed_in(cast.director.user).get(
        replay_url(cast),
        draft(**{"milestones-0-fraction": "2/3", "milestones-1-fraction": "2/3"}),
    )
    # the engine's own rule, said above the draft
    assert response.context["rows"] == []
    assert response.context["form"].non_field_errors() == ["the fractions add up to more than 1"]


@pytest.mark.django_db
def test_the_replay_writes_nothing(cast: Cast) -> None:
    approved_october(cast)
    before = list(MonthlyScheme.objects.values_list("pk", "version"))
    signed_in(cast.director.user).get(replay_url(cast), draft(threshold="1.00"))
    assert list(MonthlyScheme.objects.values_list("pk", "version")) == before


@pytest.mark.django_db
def test_the_director_adopts_the_draft_for_a_coming_month(cast: Cast) -> None:
    approved_october(cast)
    coming = next_month(timezone.localdate().replace(day=1))
    data = draft(threshold="42000000.00", **{"milestones-1-day_rule": DayRule.NEXT_WORKING})
    data.update(month=coming.isoformat(), reason="Replayed: a fairer threshold")
    response = signed_in(cast.director.user).post(
        reverse("scheme_replay_adopt", args=[cast.dept.pk]), data
    )
    assert response.status_code == 302
    assert response.url == reverse("scheme_edit", args=[cast.dept.pk, coming])
    adopted = MonthlyScheme.objects.get(department=cast.dept, month=coming)
    # the month's plan is the latest scheme's; the terms are the draft's
    assert (adopted.plan, adopted.threshold) == (Decimal("50000000.00"), Decimal("42000000.00"))
    assert adopted.rate == "0.005"
    rules = list(adopted.milestones.order_by("day").values_list("day", "day_rule"))
    assert rules == [(15, DayRule.CALENDAR), (25, DayRule.NEXT_WORKING)]
    assert adopted.history.latest().history_change_reason == "Replayed: a fairer threshold"


@pytest.mark.django_db
def test_an_adopted_draft_keeps_the_latest_schemes_split_and_team_view(cast: Cast) -> None:
    # given October's scheme splits by presence and hides awards from the team
    approved_october(cast)
    MonthlyScheme.objects.filter(department=cast.dept).update(
        split="by_presence", team_sees_adjustments=False
    )
    coming = next_month(timezone.localdate().replace(day=1))
    data = draft(threshold="42000000.00")
    data.update(month=coming.isoformat(), reason="Replayed")
    # when a draft (which says neither) is adopted for a month without a scheme
    signed_in(cast.director.user).post(reverse("scheme_replay_adopt", args=[cast.dept.pk]), data)
    # then the new month keeps them, not the defaults
    adopted = MonthlyScheme.objects.get(department=cast.dept, month=coming)
    assert (adopted.split, adopted.team_sees_adjustments) == ("by_presence", False)


@pytest.mark.django_db
def test_a_past_month_cannot_adopt_a_draft(cast: Cast) -> None:
    approved_october(cast)
    data = draft(threshold="42000000.00")
    data.update(month=OCTOBER.isoformat(), reason="Too late")
    response = signed_in(cast.director.user).post(
        reverse("scheme_replay_adopt", args=[cast.dept.pk]), data, follow=True
    )
    assert MonthlyScheme.objects.get(department=cast.dept, month=OCTOBER).threshold == Decimal(
        "40000000.00"
    )
    assert "Select a valid choice" in response.content.decode()


@pytest.mark.django_db
def test_the_administrator_replays_but_is_not_offered_the_adoption(cast: Cast) -> None:
    approved_october(cast)
    response = signed_in(cast.admin).get(replay_url(cast), draft())
    assert response.status_code == 200
    assert response.context["adopt"] is None
    assert reverse("scheme_replay_adopt", args=[cast.dept.pk]) not in response.content.decode()


@pytest.mark.django_db
def test_the_replay_reads_in_a_fixed_number_of_queries(
    cast: Cast, django_assert_max_num_queries: Any
) -> None:
    approved_october(cast)
    http = signed_in(cast.director.user)
    url = replay_url(cast)
    query = draft(**{"milestones-1-day_rule": DayRule.NEXT_WORKING})
    http.get(url, query)
    # (14 for the replay itself, 4 for the company's cash gap beside it)
    with django_assert_max_num_queries(18) as small:
        assert http.get(url, query).status_code == 200
    # a year of payments, every day, and a scheme for every month
    client = ClientFactory(department=cast.dept, responsible=cast.masha)
    month = dt.date(2025, 12, 1)
    while month < OCTOBER:
        services.scheme_create(
            user=cast.director.user,
            department=cast.dept,
            month=month,
            plan="50000000.00",
            threshold="40000000.00",
            rate="0.005",
            head_share="0.40",
            milestones=[(15, "0.50", "1/3")],
            reason="history",
        )
        for day in range(1, 29, 3):
            PaymentFactory(client=client, received_on=month.replace(day=day))
        month = next_month(month)
    with django_assert_max_num_queries(18) as large:
        response = http.get(url, query)
    assert all(row.replayed is not None for row in response.context["rows"][:11])
    assert len(large.captured_queries) == len(small.captured_queries)
