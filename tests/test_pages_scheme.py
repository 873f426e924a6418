"""The director's scheme page through Django's test client."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.test import Client as HttpClient
from django.urls import reverse

from compensation.forms import SchemeForm
from compensation.models import MonthlyScheme
from tests.factories import Cast
from tests.test_workflow_helpers import OCTOBER, closed_october, set_scheme

NBSP = "\N{NO-BREAK SPACE}"


@pytest.fixture(autouse=True)
def _english(settings: object) -> None:
    settings.LANGUAGE_CODE = "en"


def signed_in(user: object) -> HttpClient:
    client = HttpClient(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(user)
    return client


def scheme_url(cast: Cast) -> str:
    return reverse("scheme_edit", args=[cast.dept.pk, OCTOBER])


def form_data(**changes: str) -> dict[str, str]:
    """SPEC section 2's scheme as the form posts it, with ``changes``."""
    data = {
        "plan": "50000000.00",
        "threshold": "40000000.00",
        "rate": "0,5",
        "head_share": "40 %",
        "reason": "",
        "team_sees_adjustments": "on",
        "version": "1",  # the page's hidden field: the version it showed
        "milestones-TOTAL_FORMS": "4",
        "milestones-INITIAL_FORMS": "2",
        "milestones-MIN_NUM_FORMS": "0",
        "milestones-MAX_NUM_FORMS": "10",
        "milestones-0-day": "15",
        "milestones-0-share_of_plan": "50",
        "milestones-0-fraction": "1/3",
        "milestones-1-day": "25",
        "milestones-1-share_of_plan": "90",
        "milestones-1-fraction": "1/3",
    }
    data.update(changes)
    return data


def test_it_shows_the_scheme_against_the_naive_percent(cast: Cast) -> None:
    set_scheme(cast)
    response = signed_in(cast.director.user).get(scheme_url(cast))
    assert response.status_code == 200
    comparison = response.context["comparison"]
    # SPEC section 2: the flat 0.1 % pays 40,000 at break-even and 10,000 more up to plan
    assert comparison.at_threshold.naive == Decimal("40000.00")
    assert comparison.at_threshold.bonus == Decimal("0.00")
    assert comparison.last_stretch_naive == Decimal("10000.00")
    assert comparison.last_stretch_bonus == Decimal("50000.00")
    assert comparison.beyond_plan_bonus == Decimal("25000.00")
    page = response.content.decode()
    assert 'class="naive"' in page
    assert f"40,000.00{NBSP}₽" in page
    assert response.context["form"]["plan"].value() == Decimal("50000000.00")


def test_the_director_changes_the_plan_with_a_reason(cast: Cast) -> None:
    # given the October scheme
    scheme = set_scheme(cast)
    # when the director raises the plan, saying why
    response = signed_in(cast.director.user).post(
        scheme_url(cast), form_data(plan="60000000.00", reason="New key client signed")
    )
    # then it is saved, the milestones kept, and the history says who and why
    assert response.status_code == 302
    scheme.refresh_from_db()
    assert scheme.plan == Decimal("60000000.00")
    assert sorted(scheme.milestones.values_list("day", flat=True)) == [15, 25]
    latest = scheme.history.latest("history_date")
    assert latest.history_change_reason == "New key client signed"
    assert latest.history_user == cast.director.user
    # and the page's list of changes names her as people know her
    page = signed_in(cast.director.user).get(scheme_url(cast)).content.decode()
    assert "<td>Dina Kuznetsova</td>" in page


def test_a_change_made_on_an_older_page_is_refused_with_who_and_why(cast: Cast) -> None:
    # given the scheme open in two tabs, the page holding the version it shows
    scheme = set_scheme(cast)
    first, second = signed_in(cast.director.user), signed_in(cast.director.user)
    assert 'name="version" value="1"' in first.get(scheme_url(cast)).content.decode()
    # when one tab raises the plan, then the other, still showing version 1, lowers it
    first.post(scheme_url(cast), form_data(plan="60000000.00", reason="New key client"))
    response = second.post(
        scheme_url(cast), form_data(plan="45000000.00", reason="Lost a client"), follow=True
    )
    # then the second change is refused, saying whose change stands and why
    page = response.content.decode()
    name = cast.director.full_name
    assert f"{name} changed the scheme while you were editing it (“New key client”)" in page
    assert "Your change is not saved" in page
    scheme.refresh_from_db()
    assert (scheme.plan, scheme.version) == (Decimal("60000000.00"), 2)
    assert scheme.history.latest("history_date").history_change_reason == "New key client"
    # and the page shows the scheme as it now stands, to be changed again if need be
    assert response.context["form"]["plan"].value() == Decimal("60000000.00")
    assert response.context["form"]["version"].value() == 2


def test_the_version_is_written_as_a_plain_number_in_russian_too(cast: Cast) -> None:
    scheme = set_scheme(cast)
    MonthlyScheme.objects.filter(pk=scheme.pk).update(version=12345)
    http = HttpClient(HTTP_ACCEPT_LANGUAGE="ru")
    http.force_login(cast.director.user)
    page = http.get(scheme_url(cast)).content.decode()
    assert 'name="version" value="12345"' in page


def test_a_milestone_is_added_in_a_blank_row(cast: Cast) -> None:
    scheme = set_scheme(cast)
    signed_in(cast.director.user).post(
        scheme_url(cast),
        form_data(
            reason="A gate at the 5th",
            **{
                "milestones-2-day": "5",
                "milestones-2-share_of_plan": "10",
                "milestones-2-fraction": "1/6",
                "milestones-1-fraction": "1/6",
            },
        ),
    )
    assert sorted(scheme.milestones.values_list("day", flat=True)) == [5, 15, 25]


def test_a_bad_rate_is_refused_next_to_the_rate_field(cast: Cast) -> None:
    scheme = set_scheme(cast)
    versions = scheme.history.count()
    response = signed_in(cast.director.user).post(
        scheme_url(cast), form_data(rate="200", reason="Typo")
    )
    assert response.status_code == 200
    refusal = "Enter a percent from 0 to 100."
    assert refusal in " ".join(response.context["form"].errors["rate"])
    page = response.content.decode()
    assert page.index(refusal) > page.index('name="rate"')
    assert page.index(refusal) < page.index('name="head_share"')
    scheme.refresh_from_db()
    assert scheme.rate == "0.005"
    assert scheme.history.count() == versions


def test_a_change_without_a_reason_is_refused(cast: Cast) -> None:
    scheme = set_scheme(cast)
    response = signed_in(cast.director.user).post(scheme_url(cast), form_data(plan="1.00"))
    assert "reason" in response.context["form"].errors
    scheme.refresh_from_db()
    assert scheme.plan == Decimal("50000000.00")


def test_the_first_scheme_is_set_on_the_same_page(cast: Cast) -> None:
    http = signed_in(cast.director.user)
    page = http.get(scheme_url(cast)).content.decode()
    assert "no bonus scheme yet" in page
    response = http.post(scheme_url(cast), form_data(reason="First scheme"))
    assert response.status_code == 302
    assert MonthlyScheme.objects.get(department=cast.dept, month=OCTOBER).rate == "0.005"


@pytest.mark.parametrize("who", ["head", "masha", "accountant"])
def test_only_the_director_may_open_it(cast: Cast, who: str) -> None:
    set_scheme(cast)
    http = signed_in(getattr(cast, who).user)
    assert http.get(scheme_url(cast)).status_code == 403
    assert http.post(scheme_url(cast), form_data(plan="1.00", reason="x")).status_code == 403
    assert MonthlyScheme.objects.get().plan == Decimal("50000000.00")


def test_a_closed_month_shows_the_scheme_read_only(cast: Cast) -> None:
    closed_october(cast)
    http = signed_in(cast.director.user)
    page = http.get(scheme_url(cast)).content.decode()
    assert "can no longer change" in page
    assert 'name="plan"' not in page
    http.post(scheme_url(cast), form_data(plan="1.00", reason="Too late"))
    assert MonthlyScheme.objects.get().plan == Decimal("50000000.00")


def test_the_number_of_queries_is_fixed(cast: Cast, django_assert_max_num_queries: object) -> None:
    set_scheme(cast)
    http = signed_in(cast.director.user)
    with django_assert_max_num_queries(20) as few:
        http.get(scheme_url(cast))
    # more history and more milestones change nothing
    for plan in ("51000000.00", "52000000.00", "53000000.00"):
        http.post(
            scheme_url(cast),
            form_data(
                plan=plan,
                reason="Again",
                **{
                    "milestones-2-day": "28",
                    "milestones-2-share_of_plan": "95",
                    "milestones-2-fraction": "0",
                },
            ),
        )
    with django_assert_max_num_queries(20) as more:
        http.get(scheme_url(cast))
    assert len(more.captured_queries) == len(few.captured_queries)


def test_a_russian_decimal_comma_in_the_rate_is_read() -> None:
    # given the director types the rate as Russian users write it
    form = SchemeForm(
        data={
            "plan": "50000000",
            "threshold": "40000000",
            "rate": "0,5 %",
            "head_share": "40,0",
            "reason": "Comma",
        }
    )
    # then the form hands the engine the exact fractions
    assert form.is_valid(), form.errors
    assert (form.cleaned_data["rate"], form.cleaned_data["head_share"]) == (
        Decimal("0.005"),
        Decimal("0.4"),
    )


def test_a_threshold_not_below_the_plan_is_saved_only_when_confirmed(cast: Cast) -> None:
    # given October's scheme, and the director types a threshold above the plan
    scheme = set_scheme(cast)
    http = signed_in(cast.director.user)
    data = form_data(threshold="60000000.00", reason="A month expected to pay nothing")

    # when saved as it is, it is refused at the threshold, with the box to confirm it
    warned = http.post(scheme_url(cast), data)
    assert warned.status_code == 200
    warning = " ".join(warned.context["form"].errors["threshold"])
    assert "pays no bonus even if the plan is met" in warning
    page = warned.content.decode()
    assert 'type="checkbox" name="threshold_confirmed"' in page
    scheme.refresh_from_db()
    assert scheme.threshold == Decimal("40000000.00")

    # and once the director ticks "save anyway", it is saved
    saved = http.post(scheme_url(cast), {**data, "threshold_confirmed": "on"})
    assert saved.status_code == 302
    scheme.refresh_from_db()
    assert scheme.threshold == Decimal("60000000.00")


def test_a_threshold_below_the_plan_asks_nothing(cast: Cast) -> None:
    set_scheme(cast)
    page = signed_in(cast.director.user).get(scheme_url(cast)).content.decode()
    assert 'type="checkbox" name="threshold_confirmed"' not in page
