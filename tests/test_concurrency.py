"""Two directors approve the same period at the same moment: exactly one wins.

Needs real row locks, so it runs on PostgreSQL only; SQLite has no SELECT ... FOR UPDATE
and serialises writers on the whole file instead.
"""

from __future__ import annotations

import threading
import time
from typing import Any
from unittest import mock

import pytest
from django.db import connection

from accounts.models import Role
from compensation import services
from compensation.errors import PeriodChanged
from compensation.models import BonusPeriod, PayLine, PeriodEvent, PeriodState
from compensation.services import review
from tests.factories import build_cast, person
from tests.test_workflow_helpers import proposed_october

pytestmark = [
    # Committed data is needed across threads; the serialised rollback brings back the
    # role groups that the data migration made, for the tests that run after this one.
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def _slow(calculate: Any) -> Any:
    """Hold the lock a while, so the second approval really has to wait for it."""

    def slowly(*args: Any, **kwargs: Any) -> Any:
        time.sleep(0.3)
        return calculate(*args, **kwargs)

    return slowly


def test_two_concurrent_approvals_exactly_one_wins() -> None:
    # given a proposed period and two commercial directors looking at the same version
    cast = build_cast()
    boris = person("boris", "Boris Lebedev", Role.DIRECTOR)
    period = proposed_october(cast)
    version = period.version
    start = threading.Barrier(2)
    outcomes: list[str] = []

    def approve(user: Any) -> None:
        try:
            stale = BonusPeriod.objects.get(pk=period.pk)
            start.wait()
            services.period_approve(user=user, period=stale, expected_version=version)
            outcomes.append("approved")
        except PeriodChanged:
            outcomes.append("changed")
        finally:
            connection.close()

    # when both approve at once, each on its own database connection
    with mock.patch.object(review, "period_result", _slow(review.period_result)):
        threads = [
            threading.Thread(target=approve, args=(user,))
            for user in (cast.director.user, boris.user)
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=30)

    # then one approval is stored and the other is told to reload
    assert sorted(outcomes) == ["approved", "changed"]
    period.refresh_from_db()
    assert (period.state, period.version) == (PeriodState.APPROVED, version + 1)
    assert PeriodEvent.objects.filter(period=period, action="approve").count() == 1
    assert PayLine.objects.filter(revision__period=period).count() == 4
