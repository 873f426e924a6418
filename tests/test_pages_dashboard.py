"""The collections dashboard through Django's test client."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.test import Client as HttpClient
from django.urls import reverse
from django.utils import timezone

from compensation.explain import bonus_at_plan
from tests.factories import Cast, ClientFactory, PaymentFactory
from tests.test_workflow_helpers import OCTOBER, closed_october, pay_in, set_scheme

NBSP = "\N{NO-BREAK SPACE}"


@pytest.fixture(autouse=True)
def _english(settings: object) -> None:
    settings.LANGUAGE_CODE = "en"


def signed_in(user: object) -> HttpClient:
    client = HttpClient(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(user)
    return client


def october_url(cast: Cast) -> str:
    return reverse("department_dashboard", args=[cast.dept.pk, OCTOBER])


def test_it_shows_the_seed_october_with_both_milestones_met(cast: Cast) -> None:
    # given SPEC section 2's scheme and 55 M collected, both gates in time
    set_scheme(cast)
    pay_in(cast)
    # when Masha opens her department's October
    response = signed_in(cast.masha.user).get(october_url(cast))
    # then the figures are those of SPEC section 2
    assert response.status_code == 200
    page = response.content.decode()
    assert "55,000,000.00" in page
    assert f"110.0{NBSP}%" in page
    progress = response.context["progress"]
    assert [m.status for m in progress.milestones] == ["met", "met"]
    assert page.count("✓ Met") == 2
    assert response.context["live"].earned == Decimal("75000.00")
    assert f"75,000.00{NBSP}₽" in page
    # and at plan the bonus would be SPEC's 50,000
    assert response.context["at_plan"].earned == Decimal("50000.00")
    assert f"50,000.00{NBSP}₽" in page
    # and the chart is an SVG with a title, the two lines and labelled markers
    assert '<svg class="chart"' in page
    assert "<title " in page
    assert 'class="actual"' in page
    assert 'class="plan"' in page
    assert page.count("marker marker-met") == 2


def test_a_missed_milestone_is_marked_missed_with_what_was_lacking(cast: Cast) -> None:
    # given only 20 M by the 15th (25 M required), the rest later
    set_scheme(cast)
    pay_in(cast, ((dt.date(2026, 10, 5), "20000000.00"), (dt.date(2026, 10, 20), "35000000.00")))
    response = signed_in(cast.head.user).get(october_url(cast))
    first, second = response.context["progress"].milestones
    assert (first.status, first.still_needed) == ("missed", Decimal("5000000.00"))
    assert second.status == "met"
    assert "marker marker-missed" in response.content.decode()


def test_staff_of_another_department_get_404(cast: Cast) -> None:
    set_scheme(cast)
    assert signed_in(cast.sergey.user).get(october_url(cast)).status_code == 404


def test_the_start_page_goes_to_the_users_department_this_month(cast: Cast) -> None:
    response = signed_in(cast.masha.user).get(reverse("dashboard"))
    this_month = timezone.localdate().replace(day=1)
    assert response["Location"] == reverse("department_dashboard", args=[cast.dept.pk, this_month])


def test_the_switcher_picks_a_visible_department_and_month(cast: Cast) -> None:
    http = signed_in(cast.director.user)
    response = http.get(reverse("dashboard"), {"department": cast.other.pk, "month": "2026-10"})
    assert response["Location"] == reverse("department_dashboard", args=[cast.other.pk, OCTOBER])


def test_a_month_without_a_scheme_says_so_and_offers_the_director_to_set_it(cast: Cast) -> None:
    scheme_url = reverse("scheme_edit", args=[cast.dept.pk, OCTOBER])
    director_page = signed_in(cast.director.user).get(october_url(cast)).content.decode()
    assert "There is no bonus scheme for this month yet" in director_page
    assert scheme_url in director_page
    staff_page = signed_in(cast.masha.user).get(october_url(cast)).content.decode()
    assert "There is no bonus scheme for this month yet" in staff_page
    assert scheme_url not in staff_page


def test_a_closed_month_links_to_its_period(cast: Cast) -> None:
    period = closed_october(cast)
    page = signed_in(cast.masha.user).get(october_url(cast)).content.decode()
    assert reverse("period_detail", args=[period.pk]) in page


def test_the_head_is_offered_to_close_an_ended_open_month(cast: Cast) -> None:
    set_scheme(cast)
    pay_in(cast)
    close_url = reverse("period_for_month", args=[cast.dept.pk, OCTOBER])
    assert close_url in signed_in(cast.head.user).get(october_url(cast)).content.decode()
    assert close_url not in signed_in(cast.masha.user).get(october_url(cast)).content.decode()


def test_the_number_of_queries_does_not_grow_with_the_payments(
    cast: Cast, django_assert_max_num_queries: object
) -> None:
    set_scheme(cast)
    http = signed_in(cast.masha.user)
    clients = [
        ClientFactory(department=cast.dept, responsible=person)
        for person in (cast.masha, cast.vasya, cast.olya)
        for _ in range(10)
    ]
    for index in range(5):
        PaymentFactory(client=clients[index], received_on=dt.date(2026, 10, 1 + index))
    # 20: the 20th asks whether the user may see what clients still owe.
    with django_assert_max_num_queries(20) as small:
        assert http.get(october_url(cast)).status_code == 200
    for index in range(295):
        PaymentFactory(
            client=clients[index % len(clients)], received_on=dt.date(2026, 10, 1 + index % 31)
        )
    with django_assert_max_num_queries(20) as large:
        response = http.get(october_url(cast))
    assert response.context["summary"].payment_count == 300
    assert len(response.context["top_clients"]) == 10
    assert len(large.captured_queries) == len(small.captured_queries)


def test_bonus_at_plan_is_spec_sections_50_000(cast: Cast) -> None:
    # given SPEC section 2's scheme
    scheme = set_scheme(cast)
    # when the plan is collected exactly, every gate in time, among three staff
    result = bonus_at_plan(scheme, staff=("masha", "vasya", "olya"))
    # then the bonus is 50,000: head 20,000, each staff member 10,000
    assert result.collected == Decimal("50000000.00")
    assert all(m.met for m in result.milestones)
    assert result.earned == Decimal("50000.00")
    assert result.head == Decimal("20000.00")
    assert result.equal_share == Decimal("10000.00")


def test_the_accountant_sees_collections_but_no_bonus_before_approval(cast: Cast) -> None:
    # given October closed but not yet approved
    closed_october(cast)
    http = HttpClient(HTTP_ACCEPT_LANGUAGE="en")
    http.force_login(cast.accountant.user)
    # when the accountant opens the department's October
    response = http.get(reverse("department_dashboard", args=[cast.dept.pk, "2026-10"]))
    # then collections are there, the bonus is not
    assert response.status_code == 200
    assert response.context["summary"].collected == Decimal("55000000.00")
    assert "live" not in response.context
    assert response.context["bonus_hidden"] is True
