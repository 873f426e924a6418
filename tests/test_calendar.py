"""The company's working-day calendar: the week, holidays, transfers, an administrator's edits."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from hypothesis import given
from hypothesis import strategies as st

from core.calendar import calendar_seed, month_working_days, working_days
from core.models import CalendarDay
from tests.factories import Cast


@given(st.dates(min_value=dt.date(2000, 1, 1), max_value=dt.date(2100, 12, 1)))
def test_without_exceptions_a_month_works_monday_to_friday(day: dt.date) -> None:
    first = day.replace(day=1)
    last = (first + dt.timedelta(days=31)).replace(day=1) - dt.timedelta(days=1)
    days = working_days(first, last, {})
    assert all(d.weekday() < 5 for d in days)
    every_day = [first + dt.timedelta(days=n) for n in range((last - first).days + 1)]
    assert len(days) == sum(1 for d in every_day if d.weekday() < 5)


def test_exceptions_turn_a_weekday_off_and_a_saturday_on() -> None:
    first, last = dt.date(2025, 11, 1), dt.date(2025, 11, 9)
    exceptions = {
        dt.date(2025, 11, 1): True,
        dt.date(2025, 11, 3): False,
        dt.date(2025, 11, 4): False,
    }
    assert working_days(first, last, exceptions) == [
        dt.date(2025, 11, 1),
        dt.date(2025, 11, 5),
        dt.date(2025, 11, 6),
        dt.date(2025, 11, 7),
    ]


@pytest.mark.django_db
def test_the_seeded_calendar_knows_russias_holidays_and_transfers() -> None:
    # January 2026: the New Year holidays to the 8th and the 9th (moved from the 3rd)
    january = month_working_days(dt.date(2026, 1, 1))
    assert january[0] == dt.date(2026, 1, 12)
    assert len(january) == 15
    # November 2025: Saturday the 1st worked, Monday the 3rd and Tuesday the 4th off
    november = month_working_days(dt.date(2025, 11, 1))
    assert november[0] == dt.date(2025, 11, 1)
    assert dt.date(2025, 11, 3) not in november
    assert dt.date(2025, 11, 4) not in november
    assert len(november) == 19
    # an ordinary month: December 2026 has 22 working days, the 31st off
    december = month_working_days(dt.date(2026, 12, 1))
    assert len(december) == 22
    assert dt.date(2026, 12, 31) not in december


@pytest.mark.django_db
def test_an_administrators_edit_changes_the_month_and_survives_a_seed() -> None:
    # given the company does not work on Wednesday 30 December 2026
    CalendarDay.objects.create(day=dt.date(2026, 12, 30), is_working=False, name="Company day")
    assert len(month_working_days(dt.date(2026, 12, 1))) == 21

    # when the years are seeded again
    added = calendar_seed(years=[2026])

    # then nothing is added twice and the edit stands
    assert added == 0
    assert CalendarDay.objects.get(day=dt.date(2026, 12, 30)).is_working is False
    assert len(month_working_days(dt.date(2026, 12, 1))) == 21


@pytest.mark.django_db
def test_a_later_year_is_seeded_by_the_command(capsys: pytest.CaptureFixture[str]) -> None:
    assert not CalendarDay.objects.filter(day__year=2031).exists()
    call_command("seed_calendar", "2031")
    added = CalendarDay.objects.filter(day__year=2031).count()
    assert added >= 10
    assert f"{added} days added" in capsys.readouterr().out
    assert CalendarDay.objects.get(day=dt.date(2031, 1, 1)).is_working is False


@pytest.mark.django_db
def test_an_administrator_edits_a_day_in_the_admin_and_staff_cannot(cast: Cast) -> None:
    day = CalendarDay.objects.get(day=dt.date(2026, 12, 31))
    url = reverse("admin:core_calendarday_change", args=[day.pk])

    # given a staff member, the admin's calendar is closed
    staff = Client()
    staff.force_login(cast.masha.user)
    assert staff.post(url, {"day": "2026-12-31", "is_working": "on"}).status_code in (302, 403)
    day.refresh_from_db()
    assert day.is_working is False

    # when the administrator makes the 31st a working day
    admin_http = Client()
    admin_http.force_login(cast.admin)
    response = admin_http.post(url, {"day": "2026-12-31", "is_working": "on", "name": "Worked"})

    # then the month counts it, and who changed it is recorded
    assert response.status_code == 302
    day.refresh_from_db()
    assert day.is_working is True
    assert day.edited_by == cast.admin
    assert dt.date(2026, 12, 31) in month_working_days(dt.date(2026, 12, 1))
