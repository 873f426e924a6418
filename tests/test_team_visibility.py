"""What the team sees: approved awards and deductions with their reasons, never a proposal
still being decided, never anyone else's pay; the month's scheme can keep the awards and
deductions from the team. Asserted on the text of the pages staff open."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.test import Client as HttpClient
from django.urls import reverse

from accounts.models import BaseSalary
from compensation import services
from compensation.models import BonusPeriod, MonthlyScheme
from tests.factories import Cast
from tests.test_pages_scheme import form_data
from tests.test_workflow_helpers import (
    OCTOBER,
    approved_october,
    pay_in,
    seed_lines,
    set_scheme,
)

NBSP = "\N{NO-BREAK SPACE}"
VASYA_REASON = "Missed the client calls of his week"
MASHA_REASON = "Closed the two hardest clients"
# Vasya's own base salary, unlike anyone else's in the cast.
VASYA_SALARY = "23,456.00"


@pytest.fixture(autouse=True)
def _english(settings: object) -> None:
    settings.LANGUAGE_CODE = "en"


def page(user: object, url: str) -> str:
    client = HttpClient(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(user)
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


def period_page(user: object, period: BonusPeriod) -> str:
    return page(user, reverse("period_detail", args=[period.pk]))


def my_october(user: object) -> str:
    return page(user, reverse("my_bonus_month", args=[OCTOBER]))


def rub(amount: str) -> str:
    return f"{amount}{NBSP}₽"


def vasya_earns_his_own_salary(cast: Cast) -> None:
    BaseSalary.objects.create(
        employee=cast.vasya, amount=Decimal("23456.00"), effective_from=dt.date(2026, 9, 1)
    )


def proposed(cast: Cast, *, team_sees: bool = True) -> BonusPeriod:
    """October closed and the seed's proposal submitted (Masha +15,000, Vasya −6,000)."""
    scheme = set_scheme(cast)
    if not team_sees:
        services.scheme_update(
            user=cast.director.user,
            scheme=scheme,
            plan=scheme.plan,
            threshold=scheme.threshold,
            rate=scheme.rate,
            head_share=scheme.head_share,
            milestones=[(15, "0.50", "1/3"), (25, "0.90", "1/3")],
            reason="Awards stay between the head and the director this month",
            expected_version=scheme.version,
            team_sees_adjustments=False,
        )
    pay_in(cast)
    period = services.period_open(department=cast.dept, month=OCTOBER)
    period = services.period_close(
        user=cast.head.user, period=period, expected_version=period.version
    )
    period = services.proposal_save(
        user=cast.head.user,
        period=period,
        expected_version=period.version,
        lines=seed_lines(cast),
    )
    return services.proposal_submit(
        user=cast.head.user, period=period, expected_version=period.version
    )


def approve(cast: Cast, period: BonusPeriod) -> BonusPeriod:
    return services.period_approve(
        user=cast.director.user, period=period, expected_version=period.version
    )


def test_masha_does_not_see_a_proposal_still_being_decided(cast: Cast) -> None:
    # given October proposed, not yet approved
    period = proposed(cast)
    # when Masha opens the period and her October
    for text in (period_page(cast.masha.user, period), my_october(cast.masha.user)):
        # then neither Vasya's deduction nor Masha's award, nor their reasons, show
        assert VASYA_REASON not in text
        assert MASHA_REASON not in text
        assert "Vasya" not in text
    # and the period's team figures leave the proposal out: the staff pool of 45,000
    # shared by three, not the 12,000 it would be with the proposal counted
    text = period_page(cast.masha.user, period)
    assert rub("15,000.00") in text
    assert rub("12,000.00") not in text


def test_the_head_and_the_director_see_the_proposal_as_it_stands(cast: Cast) -> None:
    period = proposed(cast)
    for user in (cast.head.user, cast.director.user):
        text = period_page(user, period)
        assert VASYA_REASON in text
        assert rub("12,000.00") in text


def test_masha_sees_the_approved_awards_and_deductions_with_their_reasons(cast: Cast) -> None:
    # given October approved
    period = approve(cast, proposed(cast))
    # then Masha sees Vasya's deduction and its reason on the period and on her October
    for text in (period_page(cast.masha.user, period), my_october(cast.masha.user)):
        assert VASYA_REASON in text
        assert MASHA_REASON in text
        assert "Vasya Sidorov" in text
    # and the approved equal share in the team figures
    assert rub("12,000.00") in period_page(cast.masha.user, period)


def test_the_scheme_can_keep_the_awards_and_deductions_from_the_team(cast: Cast) -> None:
    # given a scheme that keeps them from the team, and October approved under it
    period = approve(cast, proposed(cast, team_sees=False))
    # then Masha sees neither the lines nor the reasons, only the totals
    for text in (period_page(cast.masha.user, period), my_october(cast.masha.user)):
        assert VASYA_REASON not in text
        assert MASHA_REASON not in text
        assert "Vasya" not in text
    october = my_october(cast.masha.user)
    assert "keeps the awards and deductions from the team" in october
    assert "15,000.00 awards + " in october.replace(NBSP + "₽", "")
    # while the head and the director still see them
    assert VASYA_REASON in period_page(cast.head.user, period)
    assert VASYA_REASON in period_page(cast.director.user, period)


def test_a_correction_after_a_reopen_is_not_shown_but_the_approved_one_stands(
    cast: Cast,
) -> None:
    # given October approved, then reopened for a correction
    period = approve(cast, proposed(cast))
    period = services.period_reopen(
        user=cast.director.user,
        period=period,
        expected_version=period.version,
        reason="Vasya's deduction was for the wrong week",
    )
    # then the period page (the correction's) shows Masha no lines
    assert VASYA_REASON not in period_page(cast.masha.user, period)
    # and her October still shows the approved revision's, which stands
    assert VASYA_REASON in my_october(cast.masha.user)


def test_masha_never_sees_vasyas_base_salary_or_pay(cast: Cast) -> None:
    # given Vasya on a base salary of his own, and October approved
    vasya_earns_his_own_salary(cast)
    period = approve(cast, proposed(cast))
    line = period.revisions.get().pay_lines.get(employee=cast.vasya)
    assert f"{line.base_salary:,.2f}" == VASYA_SALARY
    vasya_pay = f"{line.total:,.2f}"
    # then no page Masha may open names his base salary or his total pay
    urls = [
        reverse("period_detail", args=[period.pk]),
        reverse("period_history", args=[period.pk]),
        reverse("my_bonus_month", args=[OCTOBER]),
        reverse("department_dashboard", args=[cast.dept.pk, OCTOBER]),
    ]
    for url in urls:
        text = page(cast.masha.user, url)
        assert VASYA_SALARY not in text, url
        assert vasya_pay not in text, url
    # while the director's period page lists it
    assert VASYA_SALARY in period_page(cast.director.user, period)


def test_the_director_turns_it_off_on_the_scheme_form(cast: Cast) -> None:
    # given the seed scheme (the team sees them by default)
    set_scheme(cast)
    url = reverse("scheme_edit", args=[cast.dept.pk, OCTOBER])
    client = HttpClient(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(cast.director.user)
    assert 'name="team_sees_adjustments"' in client.get(url).content.decode()
    assert MonthlyScheme.objects.get(department=cast.dept).team_sees_adjustments
    # when the director saves it with the box unticked (an unticked box is not posted)
    unticked = form_data(reason="Private this month")
    del unticked["team_sees_adjustments"]
    client.post(url, unticked)
    # then the scheme keeps them from the team, and ticking it again shows them
    assert not MonthlyScheme.objects.get(department=cast.dept).team_sees_adjustments
    client.post(url, form_data(reason="Open again", version="2", team_sees_adjustments="on"))
    assert MonthlyScheme.objects.get(department=cast.dept).team_sees_adjustments


def test_the_seed_approval_is_seen_by_every_member_of_the_team(cast: Cast) -> None:
    period = approved_october(cast)
    for member in (cast.masha, cast.vasya, cast.olya):
        assert VASYA_REASON in period_page(member.user, period)
    # and by nobody from another department
    client = HttpClient()
    client.force_login(cast.sergey.user)
    assert client.get(reverse("period_detail", args=[period.pk])).status_code == 404
