"""The director's pages: the cash gap, every department's month, a year, my year."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import openpyxl
import pytest
from django.db import connection
from django.test import Client as HttpClient
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from compensation.company_cash import company_cash_gap, departments_at_glance
from compensation.models import MonthlyObligation, ObligationDue
from payments.models import Invoice
from tests.factories import Cast, ClientFactory, DepartmentFactory, PaymentFactory
from tests.test_workflow_helpers import OCTOBER, approved_october, pay_in, set_scheme

D = Decimal
NBSP = "\N{NO-BREAK SPACE}"


@pytest.fixture(autouse=True)
def _english(settings: object) -> None:
    settings.LANGUAGE_CODE = "en"


def signed_in(user: object) -> HttpClient:
    client = HttpClient(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(user)
    return client


def october(day: int) -> dt.date:
    return dt.date(2026, 10, day)


def owe_in_october(total: str = "44000000.00") -> None:
    # October 2026 has 22 working days: 44 M owed is 2 M each working day.
    MonthlyObligation.objects.create(month=OCTOBER, total=D(total))


# --- the cash gap ---------------------------------------------------------------------------


def test_the_deepest_gap_of_a_past_month_is_owed_beyond_collected(cast: Cast) -> None:
    # given 2 M owed each working day and SPEC's October (20 M on the 5th, 6 M on the
    # 14th, 20 M on the 24th, 9 M on the 30th)
    owe_in_october()
    pay_in(cast)
    # when the director opens October's cash gap
    response = signed_in(cast.director.user).get(reverse("cash_gap", args=[OCTOBER]))
    # then the deepest gap is on Friday the 23rd: 17 working days owed (34 M), 26 M in
    assert response.status_code == 200
    gap = response.context["data"].current.gap
    assert (gap.deepest, gap.deepest_day) == (D("8000000.00"), october(23))
    assert (gap.collected, gap.obligations) == (D("55000000.00"), D("44000000.00"))
    assert response.context["data"].forecast is None
    page = response.content.decode()
    assert f"8,000,000.00{NBSP}₽" in page
    assert 'class="owed"' in page
    assert 'class="actual"' in page
    assert 'id="gap-days"' in page


def test_a_schedule_of_due_dates_replaces_the_even_spread(cast: Cast) -> None:
    owe_in_october()
    ObligationDue.objects.create(due_on=october(1), amount=D("30000000.00"))
    pay_in(cast)

    data = company_cash_gap(OCTOBER, today=dt.date(2026, 12, 1))

    # 30 M owed on the 1st, nothing in until the 5th: the deepest gap is on the 1st.
    assert (data.current.gap.deepest, data.current.gap.deepest_day) == (
        D("30000000.00"),
        october(1),
    )
    assert data.current.gap.obligations == D("30000000.00")


def test_the_running_month_has_a_forecast_apart_from_what_was_collected(cast: Cast) -> None:
    # given October runs, 20 M in on the 5th and an open invoice of 30 M due on the 20th
    owe_in_october()
    pay_in(cast, ((october(5), "20000000.00"),))
    client = ClientFactory(department=cast.dept, responsible=cast.masha)
    Invoice.objects.create(
        client=client,
        number="10-1",
        month=OCTOBER,
        issued_on=october(1),
        due_on=october(20),
        amount=D("30000000.00"),
    )
    today = october(12)

    data = company_cash_gap(OCTOBER, today=today)

    # collected stops today; the forecast carries on with the 30 M on the 20th
    assert data.current.gap.days[-1].date == today
    assert data.current.gap.collected == D("20000000.00")
    assert data.forecast is not None
    assert data.forecast.collected == D("50000000.00")
    # by Monday the 19th 13 working days are owed (26 M) against 20 M: the deepest
    assert (data.forecast.deepest, data.forecast.deepest_day) == (D("6000000.00"), october(19))


def test_the_trend_shows_twelve_months_and_when_the_scheme_started(cast: Cast) -> None:
    owe_in_october()
    set_scheme(cast)
    pay_in(cast)

    data = company_cash_gap(dt.date(2026, 11, 1), today=dt.date(2026, 12, 1))

    assert next(m.month for m in data.trend) == dt.date(2025, 12, 1)
    assert len(data.trend) == 12
    assert data.scheme_started == OCTOBER
    october_row = data.trend[-2]
    assert (october_row.gap.deepest, october_row.after_scheme) == (D("8000000.00"), True)
    assert data.trend[-3].after_scheme is False


# --- all departments --------------------------------------------------------------------------


def test_every_department_at_a_glance_with_the_engine_s_bonus(cast: Cast) -> None:
    set_scheme(cast)
    pay_in(cast)

    response = signed_in(cast.director.user).get(
        reverse("director_departments", args=[OCTOBER]), {"sort": "-collected"}
    )

    assert response.status_code == 200
    rows = response.context["rows"]
    assert [r.department.name for r in rows] == ["Client department", "Key accounts"]
    first = rows[0]
    assert (first.collected, first.percent_of_plan, first.bonus) == (
        D("55000000.00"),
        D("110.0"),
        D("75000.00"),
    )
    assert [g.state for g in first.gates] == ["met", "met"]
    assert first.forecast is None  # October is over: no forecast
    assert rows[1].plan is None
    assert rows[1].bonus is None
    page = response.content.decode()
    assert reverse("department_dashboard", args=[cast.dept.pk, OCTOBER]) in page
    assert "55,000,000.00" in page


def test_an_unknown_sort_falls_back_to_the_name(cast: Cast) -> None:
    response = signed_in(cast.director.user).get(
        reverse("director_departments", args=[OCTOBER]), {"sort": "'; drop"}
    )
    assert response.status_code == 200
    assert response.context["sort"] == "name"
    assert [r.department.name for r in response.context["rows"]] == [
        "Client department",
        "Key accounts",
    ]


def test_a_gate_ahead_is_at_risk_when_even_the_expected_money_falls_short(cast: Cast) -> None:
    set_scheme(cast)
    pay_in(cast, ((october(5), "10000000.00"),))

    [row, _other] = departments_at_glance([cast.dept, cast.other], OCTOBER, today=october(10))

    assert [g.state for g in row.gates] == ["at_risk", "at_risk"]
    assert row.forecast == D("10000000.00")
    assert row.bonus == D("0.00")


def _grow(count: int, months: int) -> None:
    for index in range(count):
        department = DepartmentFactory(name=f"Department {index:02d}")
        client = ClientFactory(department=department)
        for back in range(months):
            month = dt.date(2026, 10 - back, 3)
            PaymentFactory(client=client, received_on=month, amount=D("1000.00"))


@pytest.mark.parametrize(
    ("name", "args"),
    [
        ("director_departments", [OCTOBER]),
        ("cash_gap", [OCTOBER]),
    ],
)
def test_company_pages_run_the_same_queries_however_many_departments(
    cast: Cast, name: str, args: list, django_assert_max_num_queries: object
) -> None:
    set_scheme(cast)
    pay_in(cast)
    owe_in_october()
    http = signed_in(cast.director.user)
    url = reverse(name, args=args)
    with CaptureQueriesContext(connection) as few:
        assert http.get(url).status_code == 200
    _grow(8, 6)
    with CaptureQueriesContext(connection) as many:
        assert http.get(url).status_code == 200
    assert len(many) == len(few)
    with django_assert_max_num_queries(20):
        http.get(url)


def test_the_year_runs_the_same_queries_however_many_months(
    cast: Cast, django_assert_max_num_queries: object
) -> None:
    set_scheme(cast)
    pay_in(cast)
    http = signed_in(cast.director.user)
    url = reverse("department_year", args=[cast.dept.pk]) + "?year=2026"
    with CaptureQueriesContext(connection) as few:
        assert http.get(url).status_code == 200
    client = ClientFactory(department=cast.dept)
    for number in range(1, 10):
        set_scheme(cast, dt.date(2026, number, 1))
        PaymentFactory(client=client, received_on=dt.date(2026, number, 9), amount=D("5.00"))
    with CaptureQueriesContext(connection) as many:
        assert http.get(url).status_code == 200
    assert len(many) == len(few)
    with django_assert_max_num_queries(20):
        http.get(url)


# --- the year ---------------------------------------------------------------------------------


def test_a_department_s_year_month_by_month(cast: Cast) -> None:
    period = approved_october(cast)

    response = signed_in(cast.head.user).get(
        reverse("department_year", args=[cast.dept.pk]), {"year": "2026"}
    )

    assert response.status_code == 200
    months = response.context["data"].months
    assert len(months) == 12
    row = months[9]
    assert (row.plan, row.collected, row.gates_met, row.gates) == (
        D("50000000.00"),
        D("55000000.00"),
        2,
        2,
    )
    # SPEC section 2: pool 75,000; head 40 % = 30,000; staff 45,000
    assert (row.pool, row.head, row.staff_pool) == (D("75000.00"), D("30000.00"), D("45000.00"))
    assert row.state == period.state
    assert response.context["data"].totals["pool"] == D("75000.00")
    assert months[0].plan is None
    assert months[0].collected == D("0.00")


def test_a_head_sees_only_their_own_department_s_year(cast: Cast) -> None:
    http = signed_in(cast.head.user)
    assert http.get(reverse("department_year", args=[cast.other.pk])).status_code == 404
    assert http.get(reverse("year_start")).url == reverse("department_year", args=[cast.dept.pk])


@pytest.mark.parametrize("who", ["masha", "accountant"])
def test_staff_and_the_accountant_see_no_department_year(cast: Cast, who: str) -> None:
    http = signed_in(getattr(cast, who).user)
    assert http.get(reverse("department_year", args=[cast.dept.pk])).status_code in (403, 404)
    assert http.get(reverse("director_departments", args=[OCTOBER])).status_code == 403
    assert http.get(reverse("cash_gap", args=[OCTOBER])).status_code == 403


def test_my_year_shows_only_my_own_pay(cast: Cast) -> None:
    approved_october(cast)

    response = signed_in(cast.masha.user).get(reverse("my_year"), {"year": "2026"})

    assert response.status_code == 200
    [october_line] = response.context["months"]
    # SPEC section 2: Masha's bonus is 12,000 + 15,000 award
    assert (october_line.base_salary, october_line.bonus, october_line.total) == (
        D("20000.00"),
        D("27000.00"),
        D("47000.00"),
    )
    page = response.content.decode()
    assert "27,000.00" in page
    # Vasya's 6,000 and Olya's 12,000 are nowhere on Masha's year
    assert "32,000.00" not in page
    assert "26,000.00" not in page


def test_the_year_exports_neutralise_formulas(cast: Cast) -> None:
    cast.dept.name = '=HYPERLINK("http://x")'
    cast.dept.save()
    approved_october(cast)

    response = signed_in(cast.director.user).get(
        reverse("department_year_export", args=[cast.dept.pk]), {"year": "2026"}
    )

    assert response.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert len(rows) == 13
    october_row = rows[10]
    assert october_row[1] == '\'=HYPERLINK("http://x")'
    assert [D(str(v)) for v in october_row[2:4]] == [D("50000000"), D("55000000")]
    assert D(str(october_row[5])) == D("75000")
    # both milestones met: a count, not money
    milestones = sheet.cell(row=11, column=5)
    assert (milestones.value, milestones.number_format) == (2, "General")
    assert sheet.cell(row=11, column=6).number_format == "#,##0.00"


def test_my_year_exports_only_my_lines(cast: Cast) -> None:
    approved_october(cast)

    response = signed_in(cast.vasya.user).get(reverse("my_year_export"), {"year": "2026"})

    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert len(rows) == 2
    # Vasya: 12,000 − 6,000 deduction
    assert [D(str(v)) for v in rows[1][2:5]] == [D("20000"), D("6000"), D("26000")]


def test_the_director_has_no_own_year_page(cast: Cast) -> None:
    assert signed_in(cast.director.user).get(reverse("my_year")).status_code == 403


def test_the_navigation_offers_the_director_area_to_the_director_only(cast: Cast) -> None:
    director_page = signed_in(cast.director.user).get(reverse("home")).content.decode()
    staff_page = signed_in(cast.masha.user).get(reverse("home")).content.decode()
    assert reverse("director") in director_page
    assert reverse("director") not in staff_page
    assert reverse("year_start") not in staff_page


def test_the_director_start_goes_to_this_month(cast: Cast) -> None:
    response = signed_in(cast.director.user).get(reverse("director"))
    this_month = timezone.localdate().replace(day=1)
    assert response.url == reverse("director_departments", args=[this_month])


def test_the_company_forecast_is_the_departments_forecast_summed(cast: Cast) -> None:
    # given a usual payer (three months of habit, even days) and an invoiced client
    from compensation.cockpit import month_outlook
    from compensation.company_cash import expected_by_department

    set_scheme(cast)
    habit = ClientFactory(department=cast.dept, responsible=cast.masha)
    for month, day, amount in ((7, 10, "300.00"), (8, 18, "500.00"), (9, 12, "400.00")):
        PaymentFactory(client=habit, received_on=dt.date(2026, month, day), amount=D(amount))
    PaymentFactory(client=habit, received_on=october(2), amount=D("100.00"))
    invoiced = ClientFactory(department=cast.dept, responsible=cast.olya)
    Invoice.objects.create(
        client=invoiced,
        number="10-7",
        month=OCTOBER,
        issued_on=october(1),
        due_on=october(25),
        amount=D("900.00"),
    )
    today = october(6)

    company = expected_by_department(OCTOBER, today)
    department = month_outlook(cast.dept, OCTOBER, today=today)

    # the habit: the 12th (the lower middle of 10, 12, 18), 400 a month less 100 paid
    assert company[cast.dept.pk] == {october(12): D("300.00"), october(25): D("900.00")}
    assert department is not None
    assert company[cast.dept.pk] == department.expected
