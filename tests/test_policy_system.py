"""The system actor: work a command or the worker does, granted only what that work needs,
recorded as no user and named "system" on the pages."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from accounts.policy import SYSTEM, Action, can, recorded_user
from accounts.templatetags.people import person
from compensation.models import BonusPeriod, PeriodState
from tests.factories import Cast
from tests.test_workflow_helpers import OCTOBER

NOVEMBER = dt.date(2026, 11, 1)
# Written by hand: what the system may do, whatever the department or period.
SYSTEM_MAY = {Action.MANAGE_PAYMENTS}


@pytest.fixture(autouse=True)
def _english(settings: object) -> None:
    settings.LANGUAGE_CODE = "en"


@pytest.mark.parametrize("action", list(Action))
def test_the_system_may_import_and_nothing_else(cast: Cast, action: Action) -> None:
    period = BonusPeriod.objects.create(
        department=cast.dept, month=OCTOBER, state=PeriodState.APPROVED, closed_at=timezone.now()
    )
    for obj in (None, cast.dept, period):
        assert can(SYSTEM, action, obj) is (action in SYSTEM_MAY), obj


def test_the_system_is_recorded_as_no_user_and_named_system() -> None:
    assert recorded_user(SYSTEM) is None
    assert person(SYSTEM) == "system"
    assert person(None) == "system"
