"""Gates on working days: a gate's day moves off a day off when its rule says so."""

from __future__ import annotations

import datetime as dt
import io
import itertools
import json
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.management import call_command
from django.test import Client as HttpClient
from django.urls import reverse
from hypothesis import given
from hypothesis import strategies as st

from compensation import services
from compensation.gates import resolve_days
from compensation.models import DayRule, MonthlyScheme
from compensation.selectors import live_result
from core.calendar import (
    CALENDAR_DAY,
    DAY_RULES,
    NEXT_WORKING,
    PREVIOUS_WORKING,
    is_working,
    month_bounds,
)
from core.models import CalendarDay
from tests.factories import Cast
from tests.test_workflow_helpers import OCTOBER, SEED_PAYMENTS, pay_in

JANUARY_2027 = dt.date(2027, 1, 1)
# Russia's New Year holidays of 2027: the 1st to the 8th; the 9th and 10th are a weekend.
NEW_YEAR_2027 = {dt.date(2027, 1, day): False for day in range(1, 9)}
AUGUST_2026 = dt.date(2026, 8, 1)  # the 15th is a Saturday


def test_calendar_days_are_kept_as_set_whatever_the_calendar() -> None:
    gates = [(5, CALENDAR_DAY), (15, CALENDAR_DAY), (31, CALENDAR_DAY)]
    assert resolve_days(gates, JANUARY_2027, NEW_YEAR_2027) == (5, 15, 31)


def test_january_2027_a_gate_on_the_5th_moves_to_the_first_working_day() -> None:
    gates = [(5, NEXT_WORKING), (25, CALENDAR_DAY)]
    assert resolve_days(gates, JANUARY_2027, NEW_YEAR_2027) == (11, 25)


def test_january_2027_no_working_day_before_the_5th_keeps_it() -> None:
    # Nothing before the 5th in January is worked: the gate stays where it was set.
    gates = [(5, PREVIOUS_WORKING)]
    assert resolve_days(gates, JANUARY_2027, NEW_YEAR_2027) == (5,)


def test_a_saturday_gate_moves_back_to_friday_or_on_to_monday() -> None:
    assert resolve_days([(15, PREVIOUS_WORKING)], AUGUST_2026, {}) == (14,)
    assert resolve_days([(15, NEXT_WORKING)], AUGUST_2026, {}) == (17,)
    # a Saturday worked by the calendar (a transferred day) is not moved
    assert resolve_days([(15, NEXT_WORKING)], AUGUST_2026, {dt.date(2026, 8, 15): True}) == (15,)


def test_a_gate_never_moves_onto_or_past_its_neighbour() -> None:
    # the 15th (Sat) moving on would reach Monday the 17th, past the next gate's 16th
    gates = [(15, NEXT_WORKING), (16, CALENDAR_DAY)]
    assert resolve_days(gates, AUGUST_2026, {}) == (15, 16)


def test_a_gate_past_the_month_end_moves_from_the_last_day() -> None:
    # February 2026 ends on Saturday the 28th; a gate "by the 31st" moves back to the 27th
    assert resolve_days([(31, PREVIOUS_WORKING)], dt.date(2026, 2, 1), {}) == (27,)
    assert resolve_days([(31, NEXT_WORKING)], dt.date(2026, 2, 1), {}) == (31,)


@st.composite
def month_and_gates(draw: st.DrawFn) -> tuple[dt.date, list[tuple[int, str]], dict]:
    month = draw(st.dates(dt.date(2020, 1, 1), dt.date(2035, 12, 1))).replace(day=1)
    first, last = month_bounds(month)
    days = sorted(draw(st.sets(st.integers(1, 31), max_size=5)))
    gates = [(day, draw(st.sampled_from(DAY_RULES))) for day in days]
    offs = draw(st.sets(st.integers(0, last.day - 1), max_size=12))
    exceptions = {first + dt.timedelta(days=n): draw(st.booleans()) for n in offs}
    return month, gates, exceptions


@given(month_and_gates())
def test_resolved_gates_stay_in_order_in_the_month_and_land_on_working_days(
    case: tuple[dt.date, list[tuple[int, str]], dict],
) -> None:
    month, gates, exceptions = case
    last = month_bounds(month)[1]
    resolved = resolve_days(gates, month, exceptions)
    assert len(resolved) == len(gates)
    assert all(earlier < later for earlier, later in itertools.pairwise(resolved))
    for (day, rule), got in zip(gates, resolved, strict=True):
        if rule == CALENDAR_DAY:
            assert got == day
        elif got != day:
            moved = last.replace(day=got)
            # moved only onto a worked day, in the rule's direction, inside the month
            assert is_working(moved, exceptions)
            set_on = min(day, last.day)
            assert (got < set_on) if rule == PREVIOUS_WORKING else (got > set_on)


# --- through the scheme, the close, the pages and the command ---------------------------


def _scheme(cast: Cast, rule: str, month: dt.date = OCTOBER) -> MonthlyScheme:
    return services.scheme_create(
        user=cast.director.user,
        department=cast.dept,
        month=month,
        plan="50000000.00",
        threshold="40000000.00",
        rate="0.005",
        head_share="0.40",
        # October 2026: the 25th is a Sunday
        milestones=[(15, "0.50", "1/3"), (25, "0.90", "1/3", rule)],
        reason="Gates on working days",
    )


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("rule", "day", "met", "earned"),
    [
        # 46 M by the 25th (20 M on Saturday the 24th): the calendar day is met
        (DayRule.CALENDAR, 25, True, Decimal("75000.00")),
        # Friday the 23rd: only 26 M by then, the second third is lost
        (DayRule.PREVIOUS_WORKING, 23, False, Decimal("50000.00")),
        (DayRule.NEXT_WORKING, 26, True, Decimal("75000.00")),
    ],
)
def test_the_close_freezes_the_resolved_day_and_the_engine_uses_it(
    cast: Cast, rule: str, day: int, met: bool, earned: Decimal
) -> None:
    # given October with SPEC's payments and the second gate's rule
    _scheme(cast, rule)
    pay_in(cast, SEED_PAYMENTS)
    # then the live figures already count by the resolved day
    live = live_result(cast.dept, OCTOBER)
    assert (live.milestones[1].day, live.milestones[1].met) == (day, met)
    assert live.earned == earned
    # when the month is closed
    period = services.period_open(department=cast.dept, month=OCTOBER)
    period = services.period_close(
        user=cast.head.user, period=period, expected_version=period.version
    )
    # then the frozen scheme records the day the gate fell on (and what it was set for)
    gate = period.frozen_scheme["milestones"][1]
    assert gate["day"] == day
    if rule != DayRule.CALENDAR:
        assert (gate["set_day"], gate["day_rule"]) == (25, rule)
    else:
        assert "set_day" not in gate


@pytest.mark.django_db
def test_a_changed_calendar_after_the_close_does_not_move_a_frozen_gate(cast: Cast) -> None:
    _scheme(cast, DayRule.NEXT_WORKING)
    pay_in(cast, SEED_PAYMENTS)
    period = services.period_open(department=cast.dept, month=OCTOBER)
    period = services.period_close(
        user=cast.head.user, period=period, expected_version=period.version
    )
    # Monday the 26th declared a holiday later: the closed month keeps the 26th
    CalendarDay.objects.create(day=dt.date(2026, 10, 26), is_working=False, name="later")
    from compensation.selectors import frozen_input

    scheme = frozen_input(period, awards={}, deductions={}).scheme
    assert [m.day for m in scheme.milestones] == [15, 26]


@pytest.mark.django_db
def test_the_scheme_page_shows_the_dates_the_gates_fall_on(cast: Cast) -> None:
    _scheme(cast, DayRule.PREVIOUS_WORKING)
    client = HttpClient(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(cast.director.user)
    response = client.get(reverse("scheme_edit", args=[cast.dept.pk, OCTOBER]))
    gates = response.context["gate_dates"]
    assert [(g["day"], g["date"], g["moved"]) for g in gates] == [
        (15, dt.date(2026, 10, 15), False),
        (25, dt.date(2026, 10, 23), True),
    ]
    page = response.content.decode()
    assert "Friday, 23 October" in page
    assert "The previous working day" in page


@pytest.mark.django_db
def test_the_scheme_form_saves_the_rule(cast: Cast) -> None:
    from tests.test_pages_scheme import form_data

    client = HttpClient(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(cast.director.user)
    data = form_data(**{"milestones-1-day_rule": NEXT_WORKING, "reason": "First scheme"})
    response = client.post(reverse("scheme_edit", args=[cast.dept.pk, OCTOBER]), data)
    assert response.status_code == 302
    scheme = MonthlyScheme.objects.get(department=cast.dept, month=OCTOBER)
    rules = list(scheme.milestones.order_by("day").values_list("day", "day_rule"))
    assert rules == [(15, CALENDAR_DAY), (25, NEXT_WORKING)]


@pytest.mark.django_db
def test_the_close_copies_the_rule_into_a_month_without_its_own_scheme(cast: Cast) -> None:
    _scheme(cast, DayRule.NEXT_WORKING, month=dt.date(2026, 9, 1))
    pay_in(cast, SEED_PAYMENTS)
    period = services.period_open(department=cast.dept, month=OCTOBER)
    period = services.period_close(
        user=cast.head.user, period=period, expected_version=period.version
    )
    assert period.frozen_scheme["milestones"][1]["day"] == 26


@pytest.mark.django_db
def test_bonus_preview_moves_a_gate_by_the_company_calendar(tmp_path: Path) -> None:
    for day in range(1, 9):
        CalendarDay.objects.update_or_create(
            day=dt.date(2027, 1, day), defaults={"is_working": False}
        )
    scenario = {
        "scheme": {
            "plan": "50000000.00",
            "threshold": "40000000.00",
            "rate": "0.005",
            "head_share": "0.40",
            "milestones": [
                {"day": 5, "share_of_plan": "0.50", "fraction": "1/3", "day_rule": NEXT_WORKING},
                {"day": 25, "share_of_plan": "0.90", "fraction": "1/3"},
            ],
        },
        "month": "2027-01",
        # 30 M arrives on Monday the 11th: met by the first working day, not by the 5th
        "payments": [
            {"date": "2027-01-11", "amount": "30000000.00"},
            {"date": "2027-01-20", "amount": "20000000.00"},
        ],
        "staff": ["Masha", "Vasya", "Olya"],
    }
    source = tmp_path / "january.json"
    source.write_text(json.dumps(scenario), "utf-8")
    out = io.StringIO()
    call_command("bonus_preview", str(source), stdout=out)
    result = json.loads(out.getvalue())
    first = result["milestones"][0]
    assert (first["day"], first["date"], first["met"]) == (11, "2027-01-11", True)
    assert result["earned"] == "50000.00"


def test_a_scenario_with_an_unknown_rule_is_refused_by_field() -> None:
    from compensation.engine import BonusInputError
    from compensation.scenario import parse_scenario

    scenario = {
        "scheme": {
            "plan": "1.00",
            "threshold": "0",
            "rate": "0",
            "head_share": "0",
            "milestones": [{"day": 5, "share_of_plan": "0", "fraction": "0", "day_rule": "x"}],
        },
        "month": "2027-01",
        "staff": ["A"],
    }
    with pytest.raises(BonusInputError) as error:
        parse_scenario(scenario)
    assert error.value.field == "scheme.milestones[0].day_rule"


@pytest.mark.django_db
def test_the_database_refuses_an_unknown_rule(cast: Cast) -> None:
    from django.db import IntegrityError, transaction

    from compensation.models import SchemeMilestone

    scheme = _scheme(cast, DayRule.CALENDAR)
    with pytest.raises(IntegrityError), transaction.atomic():
        SchemeMilestone.objects.create(
            scheme=scheme, day=20, share_of_plan="0.5", fraction="0", day_rule="someday"
        )


@pytest.mark.django_db
def test_a_closed_months_page_shows_the_gate_days_frozen_at_close(cast: Cast) -> None:
    _scheme(cast, DayRule.NEXT_WORKING)
    pay_in(cast, SEED_PAYMENTS)
    period = services.period_open(department=cast.dept, month=OCTOBER)
    services.period_close(user=cast.head.user, period=period, expected_version=period.version)
    # Monday the 26th declared a holiday after the close: the page keeps the 26th
    CalendarDay.objects.create(day=dt.date(2026, 10, 26), is_working=False, name="later")
    client = HttpClient(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(cast.director.user)
    response = client.get(reverse("scheme_edit", args=[cast.dept.pk, OCTOBER]))
    gates = response.context["gate_dates"]
    assert [(g["day"], g["date"], g["moved"]) for g in gates] == [
        (15, dt.date(2026, 10, 15), False),
        (25, dt.date(2026, 10, 26), True),
    ]
    assert "Monday, 26 October" in response.content.decode()
