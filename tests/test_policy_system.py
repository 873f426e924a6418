"""The system actor: work a command or the worker does, granted only what that work needs,
recorded as no user and named "system" on the pages."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

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


def test_the_command_imports_as_the_system_and_records_no_user(cast: Cast) -> None:
    # given the client of the fixture statement
    from django.core.management import call_command

    from payments.models import ImportBatch, ImportStatus, Payment
    from tests.factories import ClientFactory

    ClientFactory(inn="7701000019", department=cast.dept)
    fixture = Path(__file__).parent / "fixtures" / "statement-1c-utf8.txt"

    # when an operator imports it from the shell without --user
    call_command("import_payments", str(fixture), stdout=io.StringIO())

    # then it was imported as the system: allowed, and recorded as nobody
    batch = ImportBatch.objects.get()
    assert batch.status == ImportStatus.DONE
    assert batch.created_by is None
    assert Payment.objects.filter(import_batch=batch).count() == 1  # Alfa's; others unmatched


def test_a_staff_member_cannot_import_even_through_the_pipeline(cast: Cast) -> None:
    from django.core.exceptions import PermissionDenied

    from payments.importing import payments_import

    with pytest.raises(PermissionDenied):
        payments_import(file_name="x.csv", data=b"date,amount\n", user=cast.masha.user)
