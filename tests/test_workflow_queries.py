"""Close, submit and approve cost a fixed number of queries, however full the month is.

Timings are the benchmark's business (``benchmarks/steps.py close``); here the count is
pinned, for a month of a few payments and one of many, with a small and a larger staff.
Inside the test's transaction each step's own transaction is a savepoint (two of the
statements counted); the job queued on commit for the e-mails is not counted (one more
INSERT with the database task backend).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.contrib.auth import get_user_model

from accounts.models import Role
from compensation import services
from tests.factories import Cast, ClientFactory, PaymentFactory, person
from tests.test_workflow_helpers import OCTOBER, set_scheme

# The close holds the month against writes of payments: one advisory lock among them.
# Three of them read the days each member was present (calendar, memberships, absences).
CLOSE_QUERIES = 24
SUBMIT_QUERIES = 12
# The approval looks for corrections of earlier paid months due in this one: one query.
APPROVE_QUERIES = 15


def _month(cast: Cast, payments: int, extra_staff: int) -> None:
    set_scheme(cast)
    client = ClientFactory(department=cast.dept, responsible=cast.masha)
    # 55 M in all, so both gates are met whatever the number of payments
    amount = (Decimal("55000000.00") / payments).quantize(Decimal("0.01"))
    for n in range(payments):
        day = OCTOBER + dt.timedelta(days=n % 31)
        PaymentFactory(client=client, received_on=day, amount=amount)
    for n in range(extra_staff):
        person(f"extra{n}", f"Extra Person{n}", Role.STAFF, department=cast.dept, salary="20000.00")


def _fresh(user: Any) -> Any:
    """The user as a new request sees them: nothing about their roles cached yet."""
    return get_user_model().objects.get(pk=user.pk)


@pytest.mark.parametrize(("payments", "extra_staff"), [(4, 0), (400, 6)])
def test_it_closes_submits_and_approves_in_a_fixed_number_of_queries(
    cast: Cast, django_assert_num_queries: Any, payments: int, extra_staff: int
) -> None:
    # given October with few or many payments, and three or nine staff members
    _month(cast, payments, extra_staff)
    period = services.period_open(department=cast.dept, month=OCTOBER)
    head, director = _fresh(cast.head.user), _fresh(cast.director.user)

    # when the head closes and submits and the director approves, each costs a fixed count
    with django_assert_num_queries(CLOSE_QUERIES):
        period = services.period_close(user=head, period=period, expected_version=period.version)
    with django_assert_num_queries(SUBMIT_QUERIES):
        period = services.proposal_submit(user=head, period=period, expected_version=period.version)
    with django_assert_num_queries(APPROVE_QUERIES):
        period = services.period_approve(
            user=director, period=period, expected_version=period.version
        )

    # then every payment and every staff member counted
    assert period.payment_count == payments
    assert period.members.count() == 3 + extra_staff
    assert period.revisions.get().pay_lines.count() == 4 + extra_staff
