"""The director's review in context: last month's bonus and this month's collections per
person, beside the proposal, at a query count that does not grow with the staff."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

from django.db import connection
from django.test import Client as WebClient
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import Department
from compensation import services
from compensation.models import BonusPeriod, PayLine
from tests.factories import PASSWORD, Cast, ClientFactory, PaymentFactory
from tests.test_workflow_helpers import SPEC_MILESTONES, approved_october

NOVEMBER = dt.date(2026, 11, 1)


def _proposed_november(cast: Cast, department: Department, proposer: object) -> BonusPeriod:
    services.scheme_create(
        user=cast.director.user,
        department=department,
        month=NOVEMBER,
        plan="50000000.00",
        threshold="40000000.00",
        rate="0.005",
        head_share="0.40",
        milestones=SPEC_MILESTONES,
        reason="November",
    )
    period = services.period_open(department=department, month=NOVEMBER)
    period = services.period_close(user=proposer, period=period, expected_version=period.version)
    period = services.proposal_save(
        user=proposer, period=period, expected_version=period.version, lines={}
    )
    return services.proposal_submit(user=proposer, period=period, expected_version=period.version)


def _review(cast: Cast, period: BonusPeriod) -> tuple[str, int]:
    browser = WebClient()
    browser.login(username=cast.director.user.username, password=PASSWORD)
    with CaptureQueriesContext(connection) as queries:
        response = browser.get(reverse("review", args=[period.pk]))
    assert response.status_code == 200
    return response.content.decode(), len(queries)


def _column(page: str, css: str) -> dict[str, str]:
    """The cells of one column of the review's lines, by the person's name."""
    table = page.split('id="review-lines"', 1)[1].split("</table>", 1)[0]
    rows = re.findall(
        rf'<th scope="row">([^<]+)</th>(?:(?!<th ).)*?<td class="num {css}">([^<]*)</td>',
        table,
        re.S,
    )
    return {name: value.replace("\xa0", " ").strip() for name, value in rows}


def test_the_review_shows_last_months_bonus_and_this_months_collections(cast: Cast) -> None:
    # given an approved October and a November proposed with Masha's clients paying in
    approved_october(cast)
    october = {line.employee_id: line.bonus for line in PayLine.objects.all()}
    client = ClientFactory(department=cast.dept, responsible=cast.masha)
    PaymentFactory(client=client, received_on=dt.date(2026, 11, 3), amount=Decimal("1234.56"))
    PaymentFactory(client=client, received_on=dt.date(2026, 11, 9), amount=Decimal("100.00"))
    november = _proposed_november(cast, cast.dept, cast.head.user)

    # when the director opens the review
    page, _count = _review(cast, november)

    # then each line has October's bonus and November's collections beside it
    last = _column(page, "last-bonus")
    assert october[cast.masha.pk] > 0
    assert last["Masha Ivanova"] == f"{october[cast.masha.pk]:,.2f}"
    assert last["Vasya Sidorov"] == f"{october[cast.vasya.pk]:,.2f}"
    collected = _column(page, "collected")
    assert collected["Masha Ivanova"] == "1,334.56"
    assert collected["Vasya Sidorov"] == "0.00"


def test_a_month_with_no_approved_month_before_shows_a_dash(cast: Cast) -> None:
    november = _proposed_november(cast, cast.other, cast.other_head.user)

    page, _count = _review(cast, november)

    assert _column(page, "last-bonus") == {"Sergey Orlov": "—"}


def test_the_review_query_count_does_not_grow_with_the_staff(cast: Cast) -> None:
    # given a department of three and a department of one, both proposed for November
    approved_october(cast)
    three = _proposed_november(cast, cast.dept, cast.head.user)
    one = _proposed_november(cast, cast.other, cast.other_head.user)

    # then their reviews cost the same number of queries
    _page, for_three = _review(cast, three)
    _page, for_one = _review(cast, one)
    assert for_three == for_one


# --- the accountant's payroll page -----------------------------------------------------


def _payroll(cast: Cast) -> tuple[str, int]:
    browser = WebClient()
    browser.login(username=cast.accountant.user.username, password=PASSWORD)
    with CaptureQueriesContext(connection) as queries:
        response = browser.get(reverse("payroll"))
    assert response.status_code == 200
    return response.content.decode(), len(queries)


def _export(cast: Cast, period: BonusPeriod, layout: str, extension: str) -> None:
    browser = WebClient()
    browser.login(username=cast.accountant.user.username, password=PASSWORD)
    url = reverse("payroll_export", args=[period.pk, period.revision, layout, extension])
    assert browser.post(url).status_code == 200


def _cells(page: str, table_id: str) -> list[list[str]]:
    table = page.split(f'id="{table_id}"', 1)[1].split("</table>", 1)[0]
    return [
        [re.sub(r"<[^>]+>", "", cell).replace("\xa0", " ").strip() for cell in row]
        for row in (
            re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", body, re.S)
            for body in re.findall(r"<tr[^>]*>(.*?)</tr>", table, re.S)
        )
    ]


def test_the_payroll_shows_totals_lines_and_who_downloaded_what(cast: Cast) -> None:
    # given an approved October of the department, downloaded twice
    october = approved_october(cast)
    _export(cast, october, "standard", "xlsx")
    _export(cast, october, "zup", "csv")
    lines = list(PayLine.objects.select_related("employee").order_by("order"))

    # when the accountant opens the payroll
    page, _count = _payroll(cast)

    # then the department's totals add the file's lines up, to the kopeck
    base = sum(line.base_salary for line in lines)
    bonus = sum(line.bonus for line in lines)
    total = sum(line.total for line in lines)
    assert total == base + bonus
    figures = [f"{base:,.2f}", f"{bonus:,.2f}", f"{total:,.2f}"]
    totals = _cells(page, "payroll-totals")
    assert totals[1] == ["Client department", str(len(lines)), *figures]
    assert totals[-1] == ["All departments", str(len(lines)), *figures]
    # the lines can be read before any download
    masha = next(line for line in lines if line.employee == cast.masha)
    shown = _cells(page, f"lines-{october.pk}-1")
    assert [
        "Masha Ivanova",
        cast.masha.personnel_number,
        f"{masha.base_salary:,.2f}",
        f"{masha.bonus:,.2f}",
        f"{masha.total:,.2f}",
    ] in shown
    # and the log says who took which file, the latest first
    log = _cells(page, "export-log")
    assert [row[1:] for row in log[1:]] == [
        ["Anna Popova", "Client department · October 2026", "1", "1C:ZUP CSV"],
        ["Anna Popova", "Client department · October 2026", "1", "XLSX"],
    ]


def test_the_payroll_query_count_does_not_grow_with_the_periods(cast: Cast) -> None:
    approved_october(cast)
    october = BonusPeriod.objects.get()
    _export(cast, october, "standard", "csv")
    _page, for_one = _payroll(cast)

    november = _proposed_november(cast, cast.other, cast.other_head.user)
    services.period_approve(
        user=cast.director.user, period=november, expected_version=november.version
    )
    _export(cast, november, "standard", "xlsx")
    page, for_two = _payroll(cast)

    assert "Key accounts" in page
    assert for_two == for_one


# --- rates and shares as people write them, in the bonus chain ------------------------


def test_the_chain_writes_rates_and_shares_as_percent(cast: Cast) -> None:
    from tests.test_pages_my_bonus import october_page

    approved_october(cast)

    english = october_page(cast.masha.user)
    russian = october_page(cast.masha.user, "ru")

    assert "× 0.5% =" in english
    assert "× 40% =" in english
    assert "1/3 of the pool for 50% of plan" in english
    assert "The final 1/3 of the pool" in english
    assert "× 0,5\xa0% =" in russian
    assert "× 40\xa0% =" in russian
