"""The period's lifecycle table, written out here by hand (SPEC section 6), and the pages
that no longer create a scheme or a period by being looked at."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.test import Client as HttpClient
from django.urls import reverse

from accounts import policy
from compensation import lifecycle
from compensation.errors import WorkflowError
from compensation.models import BonusPeriod, MonthlyScheme, PeriodState
from tests.factories import Cast
from tests.test_workflow_helpers import OCTOBER, approved_october, pay_in, set_scheme

#  action            from                     to          whose
TABLE = {
    "close": ({"open"}, "closed", {"Department head", "Commercial director"}),
    "save_proposal": ({"closed"}, "closed", {"Department head"}),
    "submit": ({"closed"}, "proposed", {"Department head"}),
    "edit": ({"proposed"}, "proposed", {"Commercial director"}),
    "return": ({"proposed"}, "closed", {"Commercial director"}),
    "approve": ({"proposed"}, "approved", {"Commercial director"}),
    "reopen": ({"approved", "paid"}, "closed", {"Commercial director"}),
    "pay": ({"approved"}, "paid", {"Accountant"}),
}
STATES = ("open", "closed", "proposed", "approved", "paid")
NOVEMBER = dt.date(2026, 11, 1)


def test_the_table_is_the_one_of_the_spec() -> None:
    written = {
        action: (set(step.sources), step.target, set(step.roles))
        for action, step in lifecycle.TRANSITIONS.items()
    }
    assert written == TABLE


@pytest.mark.parametrize("state", STATES)
def test_each_state_allows_exactly_its_steps(state: str) -> None:
    expected = tuple(action for action, (sources, _to, _who) in TABLE.items() if state in sources)
    assert lifecycle.actions_from(state) == expected
    for action in TABLE:
        assert lifecycle.can(action, state) is (action in expected)


def test_the_targets() -> None:
    assert {action: lifecycle.target(action) for action in TABLE} == {
        action: to for action, (_from, to, _who) in TABLE.items()
    }


@pytest.mark.parametrize(
    ("state", "takes"),
    [
        (None, True),
        ("open", True),
        ("closed", False),
        ("proposed", False),
        ("approved", False),
        ("paid", False),
    ],
)
def test_a_month_takes_payments_while_it_runs(state: str | None, takes: bool) -> None:
    assert lifecycle.takes_payments(state) is takes


def test_a_month_without_a_period_can_only_be_closed() -> None:
    assert lifecycle.actions_from(None) == ("close",)


def test_a_step_the_state_does_not_allow_is_refused_with_the_state() -> None:
    with pytest.raises(WorkflowError) as refused:
        lifecycle.require("approve", BonusPeriod(state=PeriodState.PAID))
    assert refused.value.code == "wrong_state"
    assert refused.value.messages == ["This cannot be done while the period is “Paid”."]
    lifecycle.require("pay", BonusPeriod(state=PeriodState.APPROVED))


def test_an_unknown_step_is_a_programming_error() -> None:
    with pytest.raises(ValueError, match="unknown workflow action 'publish'"):
        lifecycle.can("publish", "open")


def test_the_policy_agrees_with_the_table_on_whose_step_it_is(cast: Cast) -> None:
    # given a period in each state the steps start from, and a person of each role
    people = {
        "Department head": cast.head.user,
        "Commercial director": cast.director.user,
        "Accountant": cast.accountant.user,
        "Staff member": cast.masha.user,
    }
    for action, (sources, _to, whose) in TABLE.items():
        for state in sources:
            period = BonusPeriod(department=cast.dept, month=OCTOBER, state=state)
            allowed = {
                role for role, user in people.items() if policy.may_now(user, action, period)
            }
            # then exactly the table's roles may take the step now
            assert allowed == whose, action
        # and nobody may take it from a state it does not start from
        other = next(state for state in STATES if state not in sources)
        period = BonusPeriod(department=cast.dept, month=OCTOBER, state=other)
        assert not any(policy.may_now(user, action, period) for user in people.values())


# --- the pages: looking creates nothing --------------------------------------------------


def signed_in(user: object) -> HttpClient:
    http = HttpClient(HTTP_ACCEPT_LANGUAGE="en")
    http.force_login(user)
    return http


@pytest.fixture(autouse=True)
def _english(settings: object) -> None:
    settings.LANGUAGE_CODE = "en"


def test_the_scheme_page_of_a_new_month_offers_to_start_it(cast: Cast) -> None:
    set_scheme(cast)
    http = signed_in(cast.director.user)
    url = reverse("scheme_edit", args=[cast.dept.pk, NOVEMBER])
    # when the director opens November, which has no scheme yet
    page = http.get(url).content.decode()
    # then the page says so and offers to start it; nothing is created by looking
    assert "November 2026 has no scheme yet." in page
    assert "Start November 2026 with October 2026's terms" in page
    assert not MonthlyScheme.objects.filter(month=NOVEMBER).exists()
    assert not BonusPeriod.objects.filter(month=NOVEMBER).exists()
    # when the director presses the button
    response = http.post(url, {"start": "1"})
    # then November starts with October's terms, with the director as its author
    assert response.status_code == 302
    november = MonthlyScheme.objects.get(department=cast.dept, month=NOVEMBER)
    assert november.plan == Decimal("50000000.00")
    assert november.history.latest().history_user == cast.director.user


def test_the_month_page_shows_the_close_preview_without_creating_the_period(cast: Cast) -> None:
    # given October with payments and a scheme, and no period yet
    set_scheme(cast)
    pay_in(cast)
    BonusPeriod.objects.filter(department=cast.dept, month=OCTOBER).delete()
    http = signed_in(cast.head.user)
    url = reverse("period_for_month", args=[cast.dept.pk, "2026-10"])
    # when the head opens the month's period
    response = http.get(url)
    # then the live figures are shown, and no period is created
    assert response.status_code == 200
    assert response.context["preview"].can_close
    assert "55,000,000.00" in response.content.decode()
    assert not BonusPeriod.objects.filter(department=cast.dept, month=OCTOBER).exists()
    # when the head closes it from there, the period is created and closed
    closed = http.post(url, {"expected_version": "1"})
    period = BonusPeriod.objects.get(department=cast.dept, month=OCTOBER)
    assert closed["Location"] == reverse("period_detail", args=[period.pk])
    assert (period.state, period.collected) == (PeriodState.CLOSED, Decimal("55000000.00"))


def test_closing_a_month_on_the_previous_terms_makes_them_its_own(cast: Cast) -> None:
    # given September's scheme, October's payments and no October scheme
    scheme = set_scheme(cast)
    MonthlyScheme.objects.filter(pk=scheme.pk).update(month=dt.date(2026, 9, 1))
    BonusPeriod.objects.filter(department=cast.dept, month=OCTOBER).delete()
    pay_in(cast)
    http = signed_in(cast.head.user)
    url = reverse("period_for_month", args=[cast.dept.pk, "2026-10"])
    assert http.get(url).context["preview"].can_close
    assert not MonthlyScheme.objects.filter(month=OCTOBER).exists()
    # when the head closes October
    http.post(url, {"expected_version": "1"})
    # then October keeps a copy of September's terms, made by the close
    october = MonthlyScheme.objects.get(department=cast.dept, month=OCTOBER)
    assert october.history.latest().history_user == cast.head.user
    period = BonusPeriod.objects.get(department=cast.dept, month=OCTOBER)
    assert period.frozen_scheme["id"] == october.pk


def test_an_approved_month_is_not_started_again(cast: Cast) -> None:
    approved_october(cast)
    http = signed_in(cast.director.user)
    response = http.post(reverse("scheme_edit", args=[cast.dept.pk, OCTOBER]), {"start": "1"})
    assert response.status_code == 200
    assert MonthlyScheme.objects.filter(month=OCTOBER).count() == 1
