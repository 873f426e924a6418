"""A year of plans: twelve months' plans and thresholds in one grid, all or nothing."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client as HttpClient
from django.urls import reverse
from hypothesis import given
from hypothesis import strategies as st

from compensation import services
from compensation.models import DayRule, MonthlyScheme
from compensation.planning import grown_by
from tests.factories import Cast
from tests.test_workflow_helpers import OCTOBER, closed_october

LAST_OCTOBER = dt.date(2025, 10, 1)
NOVEMBER = dt.date(2026, 11, 1)
MARCH = dt.date(2027, 3, 1)


@pytest.fixture(autouse=True)
def _english(settings: Any) -> None:
    settings.LANGUAGE_CODE = "en"


def signed_in(user: Any) -> HttpClient:
    client = HttpClient(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(user)
    return client


def grid_url(cast: Cast, month: dt.date = OCTOBER, **query: str) -> str:
    url = reverse("year_plans", args=[cast.dept.pk, month])
    return url + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")


def scheme(cast: Cast, month: dt.date, plan: str, threshold: str) -> MonthlyScheme:
    return services.scheme_create(
        user=cast.director.user,
        department=cast.dept,
        month=month,
        plan=plan,
        threshold=threshold,
        rate="0.005",
        head_share="0.40",
        milestones=[(15, "0.50", "1/3", DayRule.NEXT_WORKING), (25, "0.90", "1/3")],
        reason="set",
    )


def grid_data(response: Any, reason: str = "Seasonal plans", **cells: str) -> dict[str, str]:
    """The grid as the page posts it, with ``cells`` ("3-plan": "…") changed."""
    grid = response.context["grid"]
    data = {f"plans-{key}": str(value) for key, value in grid.management_form.initial.items()}
    for index, form in enumerate(grid.forms):
        for name in ("plan", "threshold", "version"):
            value = form.initial.get(name)
            data[f"plans-{index}-{name}"] = "" if value is None else str(value)
    data.update({f"plans-{key}": value for key, value in cells.items()})
    data["reason"] = reason
    return data


@given(
    st.decimals(min_value=Decimal("0.01"), max_value=Decimal("9999999999.99"), places=2),
    st.decimals(min_value=Decimal("-50"), max_value=Decimal("50"), places=2),
)
def test_a_grown_amount_is_exact_to_the_kopeck(amount: Decimal, percent: Decimal) -> None:
    grown = grown_by(amount, percent)
    assert grown == grown.quantize(Decimal("0.01"))
    # never further than half a kopeck from the exact figure
    exact = amount * (100 + percent) / 100
    assert abs(grown - exact) <= Decimal("0.005")


def test_copy_rounds_half_up() -> None:
    assert grown_by(Decimal("45454545.45"), Decimal("10")) == Decimal("50000000.00")
    assert grown_by(Decimal("0.05"), Decimal("10")) == Decimal("0.06")  # 0.055 → 0.06


@pytest.mark.django_db
def test_the_grid_copies_last_year_plus_ten_percent_into_open_months_only(cast: Cast) -> None:
    # given last year's October and November, and this October closed
    scheme(cast, LAST_OCTOBER, "40000000.00", "30000000.00")
    scheme(cast, dt.date(2025, 11, 1), "45454545.45", "36363636.36")
    closed_october(cast)
    # when the director asks for last year's plans +10 %
    response = signed_in(cast.director.user).get(grid_url(cast, percent="10"))
    rows = response.context["rows"]
    assert [m.month for m, _form in rows][:2] == [OCTOBER, NOVEMBER]
    assert len(rows) == 12
    october, november = rows[0], rows[1]
    # then the closed October keeps its own terms and is shown read-only
    assert october[0].frozen
    assert october[1].initial["plan"] == Decimal("50000000.00")
    assert october[1].fields["plan"].disabled
    # and November takes last November's plan +10 %, to the kopeck
    assert november[1].initial["plan"] == Decimal("50000000.00")
    assert november[1].initial["threshold"] == Decimal("40000000.00")
    assert not MonthlyScheme.objects.filter(month=NOVEMBER).exists()


@pytest.mark.django_db
def test_saving_the_grid_sets_the_changed_months_through_the_scheme_services(cast: Cast) -> None:
    scheme(cast, dt.date(2025, 11, 1), "45454545.45", "36363636.36")
    closed_october(cast)
    client = signed_in(cast.director.user)
    page = client.get(grid_url(cast, percent="10"))
    data = grid_data(
        page, **{"0-plan": "1.00", "5-plan": "70000000.00", "5-threshold": "55000000.00"}
    )
    response = client.post(grid_url(cast), data)
    assert response.status_code == 302
    # the closed October is never changed, whatever was posted for it
    assert MonthlyScheme.objects.get(department=cast.dept, month=OCTOBER).plan == Decimal(
        "50000000.00"
    )
    november = MonthlyScheme.objects.get(department=cast.dept, month=NOVEMBER)
    assert (november.plan, november.threshold) == (Decimal("50000000.00"), Decimal("40000000.00"))
    # a month without a scheme takes the other terms of the latest earlier one (October's)
    assert november.rate == "0.005"
    assert list(november.milestones.order_by("day").values_list("day", flat=True)) == [15, 25]
    march = MonthlyScheme.objects.get(department=cast.dept, month=MARCH)
    assert (march.plan, march.threshold) == (Decimal("70000000.00"), Decimal("55000000.00"))
    assert march.history.latest().history_change_reason == "Seasonal plans"
    # months left blank get no scheme
    assert not MonthlyScheme.objects.filter(
        department=cast.dept, month=dt.date(2027, 6, 1)
    ).exists()


@pytest.mark.django_db
def test_an_unchanged_month_keeps_its_version(cast: Cast) -> None:
    november = scheme(cast, NOVEMBER, "50000000.00", "40000000.00")
    client = signed_in(cast.director.user)
    page = client.get(grid_url(cast))
    client.post(grid_url(cast), grid_data(page, **{"2-plan": "60000000.00", "2-threshold": "1"}))
    november.refresh_from_db()
    assert november.version == 1
    assert MonthlyScheme.objects.get(month=dt.date(2026, 12, 1)).plan == Decimal("60000000.00")


@pytest.mark.django_db
def test_a_missing_threshold_is_named_by_month_and_nothing_is_saved(cast: Cast) -> None:
    scheme(cast, NOVEMBER, "50000000.00", "40000000.00")
    client = signed_in(cast.director.user)
    page = client.get(grid_url(cast))
    data = grid_data(page, **{"1-plan": "55000000.00", "5-plan": "60000000.00", "5-threshold": ""})
    response = client.post(grid_url(cast), data)
    assert response.status_code == 200
    assert (
        "March 2027, Threshold, ₽: Enter the threshold as well."
        in response.context["error_summary"]
    )
    assert MonthlyScheme.objects.get(month=NOVEMBER).plan == Decimal("50000000.00")


@pytest.mark.django_db
def test_an_engine_refusal_in_one_month_rolls_back_every_month(cast: Cast) -> None:
    # November is valid, March's threshold is above the maximum amount the engine takes
    scheme(cast, NOVEMBER, "50000000.00", "40000000.00")
    client = signed_in(cast.director.user)
    page = client.get(grid_url(cast))
    data = grid_data(
        page, **{"1-plan": "55000000.00", "5-plan": "60000000.00", "5-threshold": "0.001"}
    )
    response = client.post(grid_url(cast), data)
    assert response.status_code == 200
    assert any(line.startswith("March 2027") for line in response.context["error_summary"])
    assert MonthlyScheme.objects.get(month=NOVEMBER).plan == Decimal("50000000.00")
    assert not MonthlyScheme.objects.filter(month=MARCH).exists()


@pytest.mark.django_db
def test_a_service_refusal_is_named_by_month(cast: Cast) -> None:
    # a department without any scheme: the grid cannot invent the other terms
    client = signed_in(cast.director.user)
    page = client.get(grid_url(cast))
    data = grid_data(page, **{"1-plan": "55000000.00", "1-threshold": "40000000.00"})
    response = client.post(grid_url(cast), data)
    assert response.status_code == 200
    summary = response.context["error_summary"]
    assert summary == [
        "November 2026: The department has no scheme yet: set its first one on the scheme page."
    ]
    assert not MonthlyScheme.objects.exists()


@pytest.mark.django_db
def test_the_reason_is_required(cast: Cast) -> None:
    scheme(cast, NOVEMBER, "50000000.00", "40000000.00")
    client = signed_in(cast.director.user)
    page = client.get(grid_url(cast))
    response = client.post(grid_url(cast), grid_data(page, reason="", **{"1-plan": "1.00"}))
    assert response.status_code == 200
    assert response.context["reason"].errors["reason"]
    assert MonthlyScheme.objects.get(month=NOVEMBER).plan == Decimal("50000000.00")


@pytest.mark.django_db
def test_the_administrator_reads_the_grid_and_cannot_save_it(cast: Cast) -> None:
    scheme(cast, NOVEMBER, "50000000.00", "40000000.00")
    client = signed_in(cast.admin)
    page = client.get(grid_url(cast))
    assert page.status_code == 200
    assert not page.context["can_edit"]
    assert "Save the plans" not in page.content.decode()
    assert client.post(grid_url(cast), grid_data(page, **{"1-plan": "1.00"})).status_code == 403


@pytest.mark.django_db
@pytest.mark.parametrize("years", [1, 3])
def test_the_grid_reads_in_a_fixed_number_of_queries(
    cast: Cast, years: int, django_assert_max_num_queries: Any
) -> None:
    # more months with schemes and more closed periods do not add queries
    for offset in range(12 * years):
        month = dt.date(2023 + (offset // 12), offset % 12 + 1, 1)
        scheme(cast, month, "50000000.00", "40000000.00")
    client = signed_in(cast.director.user)
    client.get(grid_url(cast))  # warm the session and the user's roles
    # the page's own five (department, schemes, their milestones, the calendar, the
    # periods) besides the session, the user, the roles and the navigation's
    with django_assert_max_num_queries(10):
        assert client.get(grid_url(cast, percent="5")).status_code == 200


@pytest.mark.django_db
def test_the_grid_shows_the_days_each_months_gates_fall_on(cast: Cast) -> None:
    # November 2026: the 15th is a Sunday, and the gate moves to the next working day
    scheme(cast, NOVEMBER, "50000000.00", "40000000.00")
    response = signed_in(cast.director.user).get(grid_url(cast))
    november = response.context["rows"][1][0]
    assert november.gate_dates == (dt.date(2026, 11, 16), dt.date(2026, 11, 25))
    assert response.context["rows"][2][0].gate_dates == ()
    assert "16 November, 25 November" in response.content.decode()
