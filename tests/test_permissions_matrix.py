"""Who may do what: every role × every action × own or other department.

The expectations come from the explicit table below, not from the policy code: a change
to the policy that is not also made here fails these tests.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from accounts.policy import (
    SYSTEM,
    Action,
    Integration,
    can,
    employee_of,
    visible_import_previews,
    visible_pay_lines,
)
from compensation import services
from compensation.models import BonusPeriod, PeriodState
from payments.models import ImportUpload
from tests.factories import Cast
from tests.test_workflow_helpers import (
    OCTOBER,
    approved_october,
    closed_october,
    pay_in,
    proposed_october,
    set_scheme,
)

OWN, OTHER = "own", "other"
BOTH = frozenset({OWN, OTHER})
ONLY_OWN = frozenset({OWN})
# The accountant's period rights hold only once the period is approved (or paid).
APPROVED_ONLY = "approved only"
# The team's: their own department's period, once approved (or paid).
OWN_APPROVED = "own, approved only"

# action → role → the departments where it is allowed; a missing role is refused.
EXPECTED: dict[Action, dict[str, Any]] = {
    Action.VIEW_DEPARTMENT: {
        "staff": ONLY_OWN,
        "head": ONLY_OWN,
        "director": BOTH,
        "accountant": BOTH,
        "admin": BOTH,
        "read_token": ONLY_OWN,
        "write_token": ONLY_OWN,
    },
    Action.VIEW_PAYMENTS: {
        "staff": ONLY_OWN,
        "head": ONLY_OWN,
        "director": BOTH,
        "accountant": BOTH,
        "admin": BOTH,
        "read_token": ONLY_OWN,
        "write_token": ONLY_OWN,
    },
    # The system imports payments from the command line and the worker; an integration
    # with the write scope brings in its own departments' (through the HTTP API).
    Action.MANAGE_PAYMENTS: {
        "accountant": BOTH,
        "admin": BOTH,
        "system": BOTH,
        "write_token": ONLY_OWN,
    },
    Action.EDIT_SCHEME: {"director": BOTH},
    # the year's plans grid and the replay (reads; saving is EDIT_SCHEME's)
    Action.PLAN_SCHEMES: {"director": BOTH, "admin": BOTH},
    Action.CLOSE_PERIOD: {"head": ONLY_OWN, "director": BOTH},
    Action.PROPOSE: {"head": ONLY_OWN},
    Action.REVIEW: {"director": BOTH},
    Action.REOPEN: {"director": BOTH},
    Action.VIEW_PERIOD: {
        "staff": ONLY_OWN,
        "head": ONLY_OWN,
        "director": BOTH,
        "accountant": APPROVED_ONLY,
        "admin": BOTH,
        "read_token": ONLY_OWN,
        "write_token": ONLY_OWN,
    },
    # An integration (a payroll system) reads its departments' approved pay, as the
    # accountant does.
    Action.VIEW_PAY_LINES: {
        "head": ONLY_OWN,
        "director": BOTH,
        "accountant": APPROVED_ONLY,
        "read_token": OWN_APPROVED,
        "write_token": OWN_APPROVED,
    },
    # Awards and deductions with their reasons: the team sees them once approved.
    Action.VIEW_ADJUSTMENTS: {
        "staff": OWN_APPROVED,
        "head": ONLY_OWN,
        "director": BOTH,
        "accountant": APPROVED_ONLY,
    },
    # Neither looks at a department: one's own bonus, and the payroll list.
    Action.VIEW_OWN_BONUS: {"staff": BOTH, "head": BOTH},
    Action.VIEW_PAYROLL: {"accountant": BOTH},
    Action.EXPORT_PAYROLL: {"accountant": APPROVED_ONLY},
    Action.MARK_PAID: {"accountant": APPROVED_ONLY},
    Action.ADMINISTER: {"admin": BOTH},
    # Who is away and who covers their clients: the head for their department.
    Action.MANAGE_ABSENCES: {"head": ONLY_OWN, "admin": BOTH, "write_token": ONLY_OWN},
    Action.VIEW_OUTSTANDING: {
        "staff": ONLY_OWN,
        "head": ONLY_OWN,
        "director": BOTH,
        "accountant": BOTH,
        "admin": BOTH,
        "read_token": ONLY_OWN,
        "write_token": ONLY_OWN,
    },
    Action.RECORD_PROMISE: {"staff": ONLY_OWN, "head": ONLY_OWN},
    # Questions on a statement, asked of a department's month (per question, the asker
    # too: tests/test_questions.py).
    Action.ASK_QUESTION: {"staff": ONLY_OWN},
    Action.VIEW_QUESTION: {"head": ONLY_OWN, "director": BOTH},
    Action.ANSWER_QUESTION: {"head": ONLY_OWN, "director": BOTH},
    Action.FORWARD_QUESTION: {"head": ONLY_OWN},
    # Only the asker closes or reopens a question: a month has no asker.
    Action.CLOSE_QUESTION: {},
    # One payroll file for every department: the accountant's, whatever the period.
    Action.EXPORT_COMPANY_PAYROLL: {"accountant": BOTH},
    # The company's cash and every department: the director's; a head sees their own
    # department's year.
    Action.VIEW_COMPANY: {"director": BOTH, "admin": BOTH},
    Action.VIEW_DEPARTMENT_YEAR: {"head": ONLY_OWN, "director": BOTH},
    Action.MANAGE_OBLIGATIONS: {"director": BOTH, "admin": BOTH},
    # Asked of a client, never of a period: nobody here (tests/test_promise_history.py
    # holds its table by client: the responsible, the cover, the head, the director).
    Action.VIEW_PROMISES: {},
}
PEOPLE = ["staff", "head", "director", "accountant", "admin"]
# Integrations: API tokens of the cast's department, one to read, one to write.
TOKENS = ["read_token", "write_token"]
ROLES = [*PEOPLE, "system", *TOKENS]
STATES = [PeriodState.CLOSED, PeriodState.APPROVED]


def expected(action: Action, role: str, scope: str, state: str) -> bool:
    allowed = EXPECTED[action].get(role, frozenset())
    approved = state in (PeriodState.APPROVED, PeriodState.PAID)
    if allowed == APPROVED_ONLY:
        return approved
    if allowed == OWN_APPROVED:
        return approved and scope == OWN
    return scope in allowed


def user_of(cast: Cast, role: str) -> Any:
    people = {
        "staff": cast.masha.user,
        "head": cast.head.user,
        "director": cast.director.user,
        "accountant": cast.accountant.user,
    }
    if role == "system":
        return SYSTEM
    if role in TOKENS:
        return Integration(
            token_id=0, name=role, scope=role.split("_")[0], department_ids=[cast.dept.pk]
        )
    return cast.admin if role == "admin" else people[role]


def test_the_table_covers_every_action() -> None:
    assert set(EXPECTED) == set(Action)


@pytest.mark.parametrize("state", STATES)
@pytest.mark.parametrize("scope", [OWN, OTHER])
@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("action", list(Action))
def test_policy_matrix(cast: Cast, action: Action, role: str, scope: str, state: str) -> None:
    department = cast.dept if scope == OWN else cast.other
    period = BonusPeriod.objects.create(
        department=department, month=OCTOBER, state=state, closed_at=timezone.now()
    )

    assert can(user_of(cast, role), action, period) is expected(action, role, scope, state)


@pytest.mark.parametrize("action", list(Action))
def test_anonymous_and_inactive_users_may_do_nothing(cast: Cast, action: Action) -> None:
    period = BonusPeriod.objects.create(
        department=cast.dept, month=OCTOBER, state=PeriodState.APPROVED, closed_at=timezone.now()
    )
    inactive = cast.director.user
    inactive.is_active = False

    assert not can(AnonymousUser(), action, period)
    assert not can(inactive, action, period)


# --- the services refuse the same people ------------------------------------------------

Step = Callable[[Cast, Any], BonusPeriod]


def _close(cast: Cast, user: Any) -> BonusPeriod:
    set_scheme(cast)
    pay_in(cast)
    period = services.period_open(department=cast.dept, month=OCTOBER)
    return services.period_close(user=user, period=period, expected_version=period.version)


def _propose(cast: Cast, user: Any) -> BonusPeriod:
    period = closed_october(cast)
    return services.proposal_submit(user=user, period=period, expected_version=period.version)


def _approve(cast: Cast, user: Any) -> BonusPeriod:
    period = proposed_october(cast)
    return services.period_approve(user=user, period=period, expected_version=period.version)


def _return(cast: Cast, user: Any) -> BonusPeriod:
    period = proposed_october(cast)
    return services.period_return(
        user=user, period=period, expected_version=period.version, comment="Again"
    )


def _reopen(cast: Cast, user: Any) -> BonusPeriod:
    period = approved_october(cast)
    return services.period_reopen(
        user=user, period=period, expected_version=period.version, reason="Fix"
    )


def _mark_paid(cast: Cast, user: Any) -> BonusPeriod:
    period = approved_october(cast)
    return services.period_mark_paid(user=user, period=period, expected_version=period.version)


# step → the roles that may take it on the own department's period
SERVICES: dict[str, tuple[Step, set[str]]] = {
    "close": (_close, {"head", "director"}),
    "propose": (_propose, {"head"}),
    "approve": (_approve, {"director"}),
    "return": (_return, {"director"}),
    "reopen": (_reopen, {"director"}),
    "mark_paid": (_mark_paid, {"accountant"}),
}
SERVICE_ROLES = [*ROLES, "other_head", "other_staff"]


@pytest.mark.parametrize("role", SERVICE_ROLES)
@pytest.mark.parametrize("step", list(SERVICES))
def test_service_matrix(cast: Cast, step: str, role: str) -> None:
    run, allowed = SERVICES[step]
    others = {"other_head": cast.other_head.user, "other_staff": cast.sergey.user}
    user = others[role] if role in others else user_of(cast, role)

    if role in allowed:
        assert run(cast, user).version > 1
    else:
        with pytest.raises(PermissionDenied):
            run(cast, user)


@pytest.mark.parametrize("role", [*ROLES, "vasya"])
def test_visible_pay_lines_agree_with_the_policy(cast: Cast, role: str) -> None:
    # given the approved October: pay lines of the head and the three staff
    period = approved_october(cast)
    user = cast.vasya.user if role == "vasya" else user_of(cast, role)
    own = employee_of(user)

    # then the scoped queryset holds exactly the lines the policy lets the user see
    visible = set(visible_pay_lines(user))
    for line in period.revisions.get().pay_lines.all():
        allowed = can(user, Action.VIEW_PAY_LINES, period) or line.employee == own
        assert (line in visible) is allowed, (role, line.employee)


@pytest.mark.parametrize("role", PEOPLE)
def test_visible_import_previews_are_the_users_own_while_they_manage_payments(
    cast: Cast, role: str
) -> None:
    # given a waiting preview for each role's user (however it came to be)
    users = {name: user_of(cast, name) for name in PEOPLE}
    previews = {
        name: ImportUpload.objects.create(
            token=uuid.uuid4(), created_by=user, requested_format="auto", size=1
        )
        for name, user in users.items()
    }
    user = users[role]

    # then a user sees their own, and only while the policy lets them manage payments
    visible = set(visible_import_previews(user))
    expected_own = {previews[role]} if can(user, Action.MANAGE_PAYMENTS) else set()
    assert visible == expected_own
    assert (visible != set()) is (role in {"accountant", "admin"})
