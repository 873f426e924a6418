"""The start page shows what needs each role now; the navigation counts it, in few queries."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.db import connection
from django.test import Client as HttpClient
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from compensation import services
from tests.factories import Cast, DepartmentFactory, person
from tests.test_workflow_helpers import (
    OCTOBER,
    SPEC_MILESTONES,
    approved_october,
    closed_october,
    proposed_october,
)

NOVEMBER = dt.date(2026, 11, 1)


@pytest.fixture(autouse=True)
def _english(settings: object) -> None:
    settings.LANGUAGE_CODE = "en"


def start(user: object) -> str:
    client = HttpClient(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(user)
    response = client.get(reverse("home"))
    assert response.status_code == 200
    return response.content.decode()


def nav_count(page: str, url: str) -> int | None:
    """The counter beside a navigation link, None where it has none."""
    link = re.search(rf'href="{re.escape(url)}">[^<]*(<span class="badge[^>]*>(\d+))?', page)
    assert link, f"no navigation link to {url}"
    return int(link.group(2)) if link.group(2) else None


def november_scheme(cast: Cast, department: object = None) -> None:
    services.scheme_create(
        user=cast.director.user,
        department=department or cast.dept,
        month=NOVEMBER,
        plan="50000000.00",
        threshold="40000000.00",
        rate="0.005",
        head_share="0.40",
        milestones=SPEC_MILESTONES,
        reason="November",
    )


def test_the_head_sees_the_month_to_close_and_a_returned_proposal(cast: Cast) -> None:
    # given October proposed and returned with a comment, November's scheme set and ended
    period = proposed_october(cast)
    services.period_return(
        user=cast.director.user,
        period=period,
        expected_version=period.version,
        comment="Say why Vasya loses 6,000",
    )
    november_scheme(cast)
    # when the head opens the start page
    page = start(cast.head.user)
    # then both wait for him there, and the navigation counts two
    assert reverse("proposal", args=[period.pk]) in page
    assert "returned" in page
    assert "Say why Vasya loses 6,000" in page
    assert reverse("period_for_month", args=[cast.dept.pk, NOVEMBER]) in page
    assert "Close November 2026 (Client department)" in page
    assert nav_count(page, reverse("period_list")) == 2
    # and the page does not also say that nothing waits
    assert "Nothing waits for you" not in page


def test_a_closed_month_is_no_longer_offered_for_closing(cast: Cast) -> None:
    closed_october(cast)
    page = start(cast.head.user)
    assert reverse("period_for_month", args=[cast.dept.pk, OCTOBER]) not in page
    assert "returned" not in page  # closed, never returned: just to propose
    assert nav_count(page, reverse("period_list")) == 1


def test_the_director_sees_the_proposals_waiting(cast: Cast) -> None:
    period = proposed_october(cast)
    page = start(cast.director.user)
    assert "1 proposal waits for your decision" in page
    assert reverse("review", args=[period.pk]) in page
    assert nav_count(page, reverse("period_list")) == 1
    # and once approved, nothing waits
    services.period_approve(user=cast.director.user, period=period, expected_version=period.version)
    page = start(cast.director.user)
    assert "Nothing waits for you" in page
    assert nav_count(page, reverse("period_list")) is None


def test_the_accountant_sees_the_approved_periods_to_pay(cast: Cast) -> None:
    period = approved_october(cast)
    page = start(cast.accountant.user)
    assert "1 approved period to export and pay" in page
    assert reverse("period_detail", args=[period.pk]) in page
    assert nav_count(page, reverse("payroll")) == 1
    services.period_mark_paid(
        user=cast.accountant.user, period=period, expected_version=period.version
    )
    assert nav_count(start(cast.accountant.user), reverse("payroll")) is None


def test_staff_see_their_latest_statement_and_no_one_elses_work(cast: Cast) -> None:
    approved_october(cast)
    page = start(cast.masha.user)
    assert "My statement for October 2026" in page
    assert reverse("my_bonus_month", args=[OCTOBER]) in page
    assert "Nothing waits for you" not in page  # staff have no duties to be free of
    assert 'id="to-review"' not in page
    assert 'id="to-pay"' not in page


def test_staff_reach_a_closed_month_before_approval(cast: Cast) -> None:
    # given October closed, not yet approved: no statement, but the month is listed
    closed_october(cast)
    client = HttpClient(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(cast.masha.user)
    page = client.get(reverse("my_bonus_month", args=[NOVEMBER])).content.decode()
    assert reverse("my_bonus_month", args=[OCTOBER]) in page


def _queries(user: object) -> int:
    client = HttpClient(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(user)
    client.get(reverse("period_list"))  # warm the session
    with CaptureQueriesContext(connection) as queries:
        assert client.get(reverse("period_list")).status_code == 200
    return len(queries)


@pytest.mark.parametrize("role", ["head", "director", "accountant"])
def test_the_counters_cost_the_same_queries_however_much_waits(cast: Cast, role: str) -> None:
    user = {
        "head": cast.head.user,
        "director": cast.director.user,
        "accountant": cast.accountant.user,
    }[role]
    # given one period of each kind
    approved_october(cast)
    november_scheme(cast)
    before = _queries(user)
    # when more departments have months waiting
    for number in range(3):
        department = DepartmentFactory(name=f"Branch {number}")
        department.head = cast.head
        department.save()
        november_scheme(cast, department)
        person(f"staff{number}", f"Staff {number}", department=department)
    # then the page, counters included, costs the same number of queries
    assert _queries(user) == before


def test_my_bonus_leads_with_the_paid_figure_and_the_dashboard_reads_settled(cast: Cast) -> None:
    # given October approved and paid: Masha's bonus is 12,000 + 15,000 = 27,000
    period = approved_october(cast)
    services.period_mark_paid(
        user=cast.accountant.user, period=period, expected_version=period.version
    )
    client = HttpClient(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(cast.masha.user)
    page = client.get(reverse("my_bonus_month", args=[OCTOBER])).content.decode()
    # then the figure comes first, before the chain, with the month's chart
    headline = page.index('id="to-be-paid"')
    assert headline < page.index('id="chain-heading"')
    assert "Bonus paid" in page[headline : headline + 400]
    assert "27,000.00" in page[headline : headline + 600]
    assert 'id="month-chart-title"' in page
    # and the dashboard shows what the pay lines paid, not the bonus "as it stands"
    dashboard = client.get(
        reverse("department_dashboard", args=[cast.dept.pk, OCTOBER])
    ).content.decode()
    assert 'id="bonus-settled"' in dashboard
    assert "Bonus paid" in dashboard
    assert "75,000.00" in dashboard  # 30,000 to the head + 45,000 to the three staff
    assert "Bonus as it stands" not in dashboard
    assert "At plan" not in dashboard


def test_a_sign_in_without_a_role_is_told_to_ask_for_one(cast: Cast) -> None:
    from django.contrib.auth.models import User

    nobody = User.objects.create_user("nobody", password="x-Long-enough-2026")
    http = HttpClient(HTTP_ACCEPT_LANGUAGE="en")
    http.force_login(nobody)
    text = http.get(reverse("home")).content.decode()
    assert "Your account has no role in the bonus scheme yet." in text
    # and someone with a role is not told so
    http.force_login(cast.masha.user)
    assert "has no role" not in http.get(reverse("home")).content.decode()
