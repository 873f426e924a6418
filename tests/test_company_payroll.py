"""One payroll file for the company: every department's approved month, to the kopeck.

December of tests/test_corrections.py in the client department: four people paid
30,000 of bonus, less 29,000 of November's corrections (1,000 in all, 101,000 with
base salaries of 100,000). Key accounts (Petr, head, 45,000; Sergey, 25,000) collects
800,000 over a threshold of 500,000 at 1 %: a pool of 3,000, head 1,200, Sergey 1,800.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from decimal import Decimal

import pytest
from django.test import Client as HttpClient
from django.urls import reverse
from openpyxl import load_workbook

from compensation import services
from compensation.models import PeriodEvent
from tests.factories import Cast, ClientFactory, PaymentFactory
from tests.test_corrections import (  # noqa: F401
    DECEMBER,
    _december,
    after_december,
    paid_november,
)

pytestmark = pytest.mark.usefixtures("after_december")
D = Decimal


def _key_accounts_december(cast: Cast, *, approve: bool = True) -> None:
    services.scheme_create(
        user=cast.director.user,
        department=cast.other,
        month=DECEMBER,
        plan="1000000.00",
        threshold="500000.00",
        rate="0.01",
        head_share="0.40",
        milestones=[(15, "0.50", "1/3")],
        reason="Key accounts' scheme",
    )
    PaymentFactory(
        client=ClientFactory(department=cast.other),
        amount=D("800000.00"),
        received_on=dt.date(2026, 12, 10),
    )
    head = cast.other_head.user
    period = services.period_or_unsaved(department=cast.other, month=DECEMBER)
    period = services.period_close(user=head, period=period, expected_version=period.version)
    if not approve:
        return
    period = services.proposal_submit(user=head, period=period, expected_version=period.version)
    services.period_approve(user=cast.director.user, period=period, expected_version=period.version)


def _download(cast: Cast, file: str, month: str = "2026-12") -> object:
    browser = HttpClient()
    browser.force_login(cast.accountant.user)
    return browser.post(reverse("payroll_company_export"), {"month": month, "file": file})


def _csv(response: object, *, zup: bool = False) -> list[list[str]]:
    assert response.status_code == 200
    text = response.content.decode("cp1251" if zup else "utf-8-sig")
    return list(csv.reader(io.StringIO(text), delimiter=";" if zup else ","))


def test_the_company_file_holds_every_approved_department_with_totals(cast: Cast) -> None:
    _december(cast)
    _key_accounts_december(cast)
    rows = _csv(_download(cast, "standard.csv"))
    body = rows[1:]
    people = {(row[2], row[-1]): row[6] for row in body if row[1]}
    assert people == {
        ("Ivan Petrov", ""): "12000.00",
        ("Masha Ivanova", ""): "6000.00",
        ("Vasya Sidorov", ""): "6000.00",
        ("Olya Smirnova", ""): "6000.00",
        ("Ivan Petrov", "11.2026"): "-12000.00",
        ("Masha Ivanova", "11.2026"): "-6000.00",
        ("Vasya Sidorov", "11.2026"): "-5000.00",
        ("Olya Smirnova", "11.2026"): "-6000.00",
        ("Petr Volkov", ""): "1200.00",
        ("Sergey Orlov", ""): "1800.00",
    }
    totals = {row[4]: (row[5], row[6], row[7]) for row in body if not row[1]}
    assert totals == {
        "Client department": ("100000.00", "1000.00", "101000.00"),
        "Key accounts": ("70000.00", "3000.00", "73000.00"),
        "": ("170000.00", "4000.00", "174000.00"),
    }
    # The company's total is the sum of its lines, to the kopeck.
    assert sum(D(row[6]) for row in body if row[1]) == D("4000.00")


def test_a_department_not_approved_is_named_as_missing(cast: Cast) -> None:
    _december(cast)
    _key_accounts_december(cast, approve=False)
    body = _csv(_download(cast, "standard.csv"))[1:]
    missing = [row for row in body if row[4] == "Key accounts"]
    assert len(missing) == 1
    assert missing[0][2] == "Missing: the month is “Closed”, not approved."
    assert (missing[0][5], missing[0][6]) == ("", "")
    assert body[-2][2] == "Total of the company"
    assert body[-2][6] == "1000.00"


def test_the_zup_file_marks_corrections_totals_and_missing(cast: Cast) -> None:
    _december(cast)
    rows = _csv(_download(cast, "zup.csv"), zup=True)
    body = rows[1:]
    corrections = [row for row in body if row[3].startswith("Перерасчёт")]
    assert [(row[1], row[5], row[7]) for row in corrections] == [
        ("Ivan Petrov", "01.11.2026", "-12\xa0000,00"),
        ("Masha Ivanova", "01.11.2026", "-6\xa0000,00"),
        ("Olya Smirnova", "01.11.2026", "-6\xa0000,00"),
        ("Vasya Sidorov", "01.11.2026", "-5\xa0000,00"),
    ]
    totals = {row[1]: row[7] for row in body if row[1].startswith("Итого")}
    assert totals == {"Итого по подразделению": "1\xa0000,00", "Итого по компании": "1\xa0000,00"}
    missing = [row for row in body if row[2] == "Key accounts"]
    assert missing[0][8] == "Не включено: месяц не закрыт, поэтому не утверждён."


def test_the_xlsx_file_has_numbers_to_the_kopeck(cast: Cast) -> None:
    _december(cast)
    _key_accounts_december(cast)
    response = _download(cast, "standard.xlsx")
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(min_row=2, values_only=True))
    company = next(row for row in rows if row[2] == "Total of the company")
    assert [D(str(value)).quantize(D("0.01")) for value in company[5:8]] == [
        D("170000.00"),
        D("4000.00"),
        D("174000.00"),
    ]


def test_each_download_is_logged_on_every_period_in_it(cast: Cast) -> None:
    december = _december(cast)
    _key_accounts_december(cast)
    _download(cast, "zup.xlsx")
    logged = PeriodEvent.objects.filter(action=PeriodEvent.Action.EXPORT).order_by("period_id")
    assert [e.details["file"] for e in logged] == ["company-zup.xlsx"] * 2
    ours = logged.get(period=december)
    assert (ours.details["bonus_total"], ours.details["company_bonus_total"]) == (
        "1000.00",
        "4000.00",
    )
    assert ours.actor == cast.accountant.user
    browser = HttpClient()
    browser.force_login(cast.accountant.user)
    page = browser.get(reverse("payroll")).content.decode()
    assert "Company file 1C:ZUP XLSX" in page


def test_a_month_nobody_approved_has_no_file(cast: Cast) -> None:
    browser = HttpClient()
    browser.force_login(cast.accountant.user)
    url = reverse("payroll_company_export")
    response = browser.post(url, {"month": "2026-12", "file": "standard.csv"})
    assert response.status_code == 302
    assert not PeriodEvent.objects.filter(action=PeriodEvent.Action.EXPORT).exists()
    page = browser.get(response.url).content.decode()
    assert "No department&#x27;s bonus for December 2026 is approved yet" in page


def test_a_bad_month_is_named(cast: Cast) -> None:
    browser = HttpClient()
    browser.force_login(cast.accountant.user)
    response = browser.post(
        reverse("payroll_company_export"), {"month": "2026-13", "file": "standard.csv"}, follow=True
    )
    assert "Month: Give a month as YYYY-MM" in response.content.decode()


@pytest.mark.parametrize("who", ["director", "head", "masha"])
def test_only_the_accountant_exports_the_company_file(cast: Cast, who: str) -> None:
    _december(cast)
    browser = HttpClient()
    browser.force_login(getattr(cast, who).user)
    response = browser.post(
        reverse("payroll_company_export"), {"month": "2026-12", "file": "standard.csv"}
    )
    assert response.status_code == 403
    assert not PeriodEvent.objects.filter(action=PeriodEvent.Action.EXPORT).exists()


def test_the_company_file_reads_in_constant_queries(
    cast: Cast, django_assert_max_num_queries: object
) -> None:
    _december(cast)
    _key_accounts_december(cast)
    browser = HttpClient()
    browser.force_login(cast.accountant.user)
    url = reverse("payroll_company_export")
    # The session and the user, then periods, revisions, pay lines, corrections,
    # departments and the log: however many departments and people.
    with django_assert_max_num_queries(12):
        response = browser.post(url, {"month": "2026-12", "file": "standard.csv"})
    assert response.status_code == 200


def test_a_paid_month_under_correction_is_in_the_file_as_it_was_paid(cast: Cast) -> None:
    # given November paid (head 30,000, Masha 27,000, Vasya 6,000, Olya 12,000), then
    # reopened by the director as a correction
    period = paid_november(cast)
    services.period_reopen(
        user=cast.director.user, period=period, expected_version=period.version, reason="Bounced"
    )
    # when the accountant downloads the company's November
    body = _csv(_download(cast, "standard.csv", month="2026-11"))[1:]
    # then the department is there with what was paid, not named as missing
    bonuses = {row[2]: row[6] for row in body if row[1]}
    assert bonuses == {
        "Ivan Petrov": "30000.00",
        "Masha Ivanova": "27000.00",
        "Vasya Sidorov": "6000.00",
        "Olya Smirnova": "12000.00",
    }
