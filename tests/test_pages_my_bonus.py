"""My bonus through Django's test client: the chain, one's own pay, and nobody else's."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth.models import Group
from django.test import Client as HttpClient
from django.urls import reverse
from django.utils import timezone

from accounts.models import Role
from compensation import services
from tests.factories import Cast, ClientFactory, PaymentFactory, UserFactory
from tests.test_workflow_helpers import (
    OCTOBER,
    approved_october,
    closed_october,
    pay_in,
    set_scheme,
)

NBSP = "\N{NO-BREAK SPACE}"
NOVEMBER = dt.date(2026, 11, 1)


@pytest.fixture(autouse=True)
def _english(settings: object) -> None:
    settings.LANGUAGE_CODE = "en"


def signed_in(user: object, language: str = "en") -> HttpClient:
    client = HttpClient(HTTP_ACCEPT_LANGUAGE=language)
    client.force_login(user)
    return client


def october_page(user: object, language: str = "en") -> str:
    response = signed_in(user, language).get(reverse("my_bonus_month", args=[OCTOBER]))
    assert response.status_code == 200
    return response.content.decode()


def rub(amount: str) -> str:
    return f"{amount}{NBSP}₽"


def test_masha_sees_the_whole_chain_and_her_own_bonus(cast: Cast) -> None:
    # given the seed's October approved: Masha +15,000, Vasya −6,000
    approved_october(cast)
    # when Masha opens her October
    page = october_page(cast.masha.user)
    # then the chain has SPEC section 2's figures
    for figure in ("55,000,000.00", "40,000,000.00", "15,000,000.00", "75,000.00"):
        assert rub(figure) in page
    assert "× 0.5% =" in page
    assert rub("30,000.00") + " to the head" in page
    assert rub("45,000.00") + " staff pool" in page
    assert rub("12,000.00") + " equal share" in page
    # and her own bonus and pay
    assert rub("27,000.00") in page
    assert rub("47,000.00") in page
    # and the team's award and deduction with their reasons
    assert "Closed the two hardest clients" in page
    assert "Missed the client calls of his week" in page


def test_masha_sees_nobody_elses_pay(cast: Cast) -> None:
    approved_october(cast)
    response = signed_in(cast.masha.user).get(reverse("my_bonus_month", args=[OCTOBER]))
    page = response.content.decode()
    # no per-person pay table: Olya (no award, no deduction) is not even named
    assert "Olya" not in page
    assert 'id="my-pay"' in page
    assert page.count('id="team-adjustments"') == 1
    # Vasya's and Olya's pay (base + bonus) appear nowhere, nor the head's
    for pay in ("26,000.00", "32,000.00", "70,000.00"):
        assert pay not in page
    # and the page was given no one else's lines to draw from
    assert response.context["bonus"].mine.pay == response.context["bonus"].mine.base_salary + (
        response.context["bonus"].mine.bonus
    )
    assert "pay_lines" not in response.context


def test_the_page_is_in_russian_by_default(cast: Cast, settings: object) -> None:
    settings.LANGUAGE_CODE = "ru"
    approved_october(cast)
    page = october_page(cast.masha.user, "ru")
    assert f"27{NBSP}000,00{NBSP}₽" in page


def test_the_head_sees_the_chain_end_with_the_head_share(cast: Cast) -> None:
    approved_october(cast)
    page = october_page(cast.head.user)
    assert rub("30,000.00") in page
    assert rub("70,000.00") in page  # 40,000 base + 30,000
    assert "equal share</strong>" not in page
    # the head's page shows no staff member's bonus either
    assert rub("27,000.00") not in page


def test_an_open_month_is_provisional_without_awards(cast: Cast) -> None:
    set_scheme(cast, NOVEMBER)
    pay_in(cast, ((dt.date(2026, 11, 3), "45000000.00"),))
    response = signed_in(cast.masha.user).get(reverse("my_bonus_month", args=[NOVEMBER]))
    page = response.content.decode()
    assert response.context["bonus"].stage == "live"
    assert "Provisional." in page
    assert "Awards and deductions are decided after the month is closed" in page
    assert 'id="team-adjustments"' not in page


def test_a_closed_month_awaits_approval(cast: Cast) -> None:
    closed_october(cast)
    page = october_page(cast.vasya.user)
    assert "Not yet approved." in page
    # the staff pool of 45,000 shared equally, before any award or deduction
    assert rub("15,000.00") + " equal share" in page
    assert 'id="team-adjustments"' not in page


def test_a_reopened_month_still_shows_the_approved_revision(cast: Cast) -> None:
    period = approved_october(cast)
    services.period_reopen(
        user=cast.director.user,
        period=period,
        expected_version=period.version,
        reason="A payment was booked to the wrong month",
    )
    page = october_page(cast.masha.user)
    assert rub("27,000.00") in page
    assert "A correction (revision 2) is in progress" in page


def test_the_start_page_opens_the_latest_approved_month(cast: Cast) -> None:
    approved_october(cast)
    response = signed_in(cast.masha.user).get(reverse("my_bonus"))
    assert response["Location"] == reverse("my_bonus_month", args=[OCTOBER])
    # and with nothing approved yet, this month so far
    this_month = timezone.localdate().replace(day=1)
    response = signed_in(cast.sergey.user).get(reverse("my_bonus"))
    assert response["Location"] == reverse("my_bonus_month", args=[this_month])


def test_past_months_are_listed(cast: Cast) -> None:
    approved_october(cast)
    response = signed_in(cast.masha.user).get(reverse("my_bonus_month", args=[NOVEMBER]))
    assert reverse("my_bonus_month", args=[OCTOBER]) in response.content.decode()


def test_a_director_without_an_employee_record_is_refused(cast: Cast) -> None:
    user = UserFactory(username="boss")
    user.groups.add(Group.objects.get(name=Role.DIRECTOR.value))
    assert signed_in(user).get(reverse("my_bonus")).status_code == 403
    assert signed_in(user).get(reverse("my_bonus_month", args=[OCTOBER])).status_code == 403


@pytest.mark.parametrize("who", ["director", "accountant"])
def test_roles_without_a_bonus_share_are_refused(cast: Cast, who: str) -> None:
    http = signed_in(getattr(cast, who).user)
    assert http.get(reverse("my_bonus_month", args=[OCTOBER])).status_code == 403


def test_the_number_of_queries_is_fixed(cast: Cast, django_assert_max_num_queries: object) -> None:
    approved_october(cast)
    http = signed_in(cast.masha.user)
    # (an approved month asks the team rule: Masha's membership and the scheme's setting;
    # the list of her months reads her periods and her approved months; her corrections;
    # her questions on the month and whether she may ask one)
    with django_assert_max_num_queries(18) as approved:
        http.get(reverse("my_bonus_month", args=[OCTOBER]))
    # an open month, with a few payments and with many (and three reads of her days
    # present: the calendar, her memberships, her absences)
    set_scheme(cast, NOVEMBER)
    client = ClientFactory(department=cast.dept, responsible=cast.masha)
    PaymentFactory.create_batch(5, client=client, received_on=dt.date(2026, 11, 2))
    with django_assert_max_num_queries(21) as few:
        http.get(reverse("my_bonus_month", args=[NOVEMBER]))
    for day in range(1, 301):
        PaymentFactory(client=client, received_on=dt.date(2026, 11, 1 + day % 30))
    with django_assert_max_num_queries(21) as many:
        http.get(reverse("my_bonus_month", args=[NOVEMBER]))
    assert len(many.captured_queries) == len(few.captured_queries)
    assert len(approved.captured_queries) <= 18
