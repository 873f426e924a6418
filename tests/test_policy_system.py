"""The system actor: work a command or the worker does, granted only what that work needs,
recorded as no user and named "system" on the pages."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client as HttpClient
from django.urls import reverse
from django.utils import timezone

from accounts.policy import SYSTEM, Action, can, recorded_user
from accounts.templatetags.people import person
from compensation import services
from compensation.models import BonusPeriod, MonthlyScheme, PeriodState
from tests.factories import Cast
from tests.test_workflow_helpers import OCTOBER, set_scheme

NOVEMBER = dt.date(2026, 11, 1)
# Written by hand: what the system may do, whatever the department or period.
SYSTEM_MAY = {Action.MANAGE_PAYMENTS, Action.COPY_SCHEME}


@pytest.fixture(autouse=True)
def _english(settings: object) -> None:
    settings.LANGUAGE_CODE = "en"


@pytest.mark.parametrize("action", list(Action))
def test_the_system_may_import_and_copy_a_scheme_and_nothing_else(
    cast: Cast, action: Action
) -> None:
    period = BonusPeriod.objects.create(
        department=cast.dept, month=OCTOBER, state=PeriodState.APPROVED, closed_at=timezone.now()
    )
    for obj in (None, cast.dept, period):
        assert can(SYSTEM, action, obj) is (action in SYSTEM_MAY), obj


def test_the_system_is_recorded_as_no_user_and_named_system() -> None:
    assert recorded_user(SYSTEM) is None
    assert person(SYSTEM) == "system"
    assert person(None) == "system"


def test_a_new_month_copies_the_scheme_as_the_system(cast: Cast) -> None:
    # given October's scheme, set by the director, which keeps awards from the team
    october = set_scheme(cast)
    MonthlyScheme.objects.filter(pk=october.pk).update(team_sees_adjustments=False)
    # when November is first needed
    november = services.scheme_for_month(department=cast.dept, month=NOVEMBER)
    # then it is October's copy, setting included, made by the system (no user recorded)
    assert november.plan == october.plan
    assert november.team_sees_adjustments is False
    assert november.history.latest().history_user is None
    assert [m.day for m in november.milestones.order_by("day")] == [15, 25]
    assert all(row.history_user is None for row in november.milestones.first().history.all())


def test_the_schemes_history_names_the_system_as_who(cast: Cast) -> None:
    # given October's scheme and November copied from it
    set_scheme(cast)
    services.scheme_for_month(department=cast.dept, month=NOVEMBER)
    # when the director opens November's scheme
    client = HttpClient(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(cast.director.user)
    text = client.get(reverse("scheme_edit", args=[cast.dept.pk, NOVEMBER])).content.decode()
    # then its history says the system made it
    assert "<td>system</td>" in text
    assert "Copied from the scheme of 2026-10" in text
