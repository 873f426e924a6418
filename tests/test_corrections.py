"""A paid month corrected: its differences paid with the next month's payroll.

November (SPEC section 2's payments, moved to November) is approved and paid:
head 30,000, Masha 27,000 (award 15,000), Vasya 6,000 (deduction 6,000), Olya 12,000.
The director reopens it and voids the 9 M payment of the 30th: 46 M collected, pool
30,000, head 12,000, staff pool 18,000. The head keeps Masha's award and drops Vasya's
deduction: equal shares of 1,000, so Masha 16,000, Vasya 1,000, Olya 1,000.
Differences: head −18,000, Masha −11,000, Vasya −5,000, Olya −11,000.

December collects 46 M: head 12,000 and 6,000 each. The debts are taken from those
bonuses and never from base pay: head −12,000 (6,000 carried on to January), Masha and
Olya −6,000 (5,000 carried on each), Vasya −5,000.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.test import Client as HttpClient
from django.urls import reverse
from django.utils import timezone

from compensation import services
from compensation.errors import WorkflowError
from compensation.models import BonusPeriod, Correction, PeriodState
from compensation.services.corrections import correction_payment_void
from payments.models import Payment
from payments.services import payment_void
from tests.factories import PASSWORD, Cast
from tests.test_workflow_helpers import pay_in, set_scheme

NOVEMBER = dt.date(2026, 11, 1)
DECEMBER = dt.date(2026, 12, 1)
JANUARY = dt.date(2027, 1, 1)
NOVEMBER_PAYMENTS = (
    (dt.date(2026, 11, 5), "20000000.00"),
    (dt.date(2026, 11, 14), "6000000.00"),
    (dt.date(2026, 11, 24), "20000000.00"),
    (dt.date(2026, 11, 30), "9000000.00"),
)
DECEMBER_PAYMENTS = (
    (dt.date(2026, 12, 5), "20000000.00"),
    (dt.date(2026, 12, 14), "6000000.00"),
    (dt.date(2026, 12, 24), "20000000.00"),
)
D = Decimal


@pytest.fixture
def after_december(monkeypatch: pytest.MonkeyPatch) -> None:
    """Early January: December has ended and can be closed."""
    monkeypatch.setattr(timezone, "localdate", lambda *args: dt.date(2027, 1, 5))


def _approve(cast: Cast, month: dt.date, lines: dict) -> BonusPeriod:
    period = services.period_or_unsaved(department=cast.dept, month=month)
    if period.state == PeriodState.OPEN:
        period = services.period_close(
            user=cast.head.user, period=period, expected_version=period.version
        )
    period = services.proposal_save(
        user=cast.head.user, period=period, expected_version=period.version, lines=lines
    )
    period = services.proposal_submit(
        user=cast.head.user, period=period, expected_version=period.version
    )
    return services.period_approve(
        user=cast.director.user, period=period, expected_version=period.version
    )


def _pay(cast: Cast, period: BonusPeriod) -> BonusPeriod:
    return services.period_mark_paid(
        user=cast.accountant.user, period=period, expected_version=period.version
    )


def paid_november(cast: Cast) -> BonusPeriod:
    set_scheme(cast, NOVEMBER)
    pay_in(cast, NOVEMBER_PAYMENTS)
    period = _approve(
        cast,
        NOVEMBER,
        {
            cast.masha.pk: ("15000.00", "0", "Closed the two hardest clients"),
            cast.vasya.pk: ("0", "6000.00", "Missed the client calls of his week"),
        },
    )
    return _pay(cast, period)


def corrected_november(cast: Cast) -> BonusPeriod:
    period = paid_november(cast)
    period = services.period_reopen(
        user=cast.director.user,
        period=period,
        expected_version=period.version,
        reason="The client's 9 M payment bounced",
    )
    bounced = Payment.objects.get(received_on=dt.date(2026, 11, 30))
    period = correction_payment_void(
        user=cast.accountant.user,
        period=period,
        expected_version=period.version,
        payment=bounced,
        reason="Bounced",
    )
    return _approve(
        cast,
        NOVEMBER,
        {
            cast.masha.pk: ("15000.00", "0", "Closed the two hardest clients"),
            cast.vasya.pk: ("0", "0", ""),
        },
    )


def _bonuses(period: BonusPeriod) -> dict[str, Decimal]:
    revision = period.revisions.get(number=period.revision)
    return {line.employee.full_name: line.bonus for line in revision.pay_lines.all()}


def test_a_paid_month_reopens_and_what_was_paid_stays(cast: Cast) -> None:
    period = paid_november(cast)
    period = services.period_reopen(
        user=cast.director.user, period=period, expected_version=period.version, reason="Check"
    )
    assert (period.state, period.revision) == (PeriodState.CLOSED, 2)
    first = period.revisions.get(number=1)
    assert first.paid_at is not None
    assert first.pay_lines.get(employee=cast.masha).bonus == D("27000.00")


def test_a_payment_of_a_paid_month_is_voided_only_through_its_correction(cast: Cast) -> None:
    period = paid_november(cast)
    bounced = Payment.objects.get(received_on=dt.date(2026, 11, 30))
    with pytest.raises(ValidationError):
        payment_void(user=cast.accountant.user, payment=bounced, reason="Bounced")
    with pytest.raises(WorkflowError):
        correction_payment_void(
            user=cast.accountant.user,
            period=period,
            expected_version=period.version,
            payment=bounced,
            reason="Bounced",
        )
    bounced.refresh_from_db()
    assert bounced.voided_at is None


def test_the_correction_records_each_difference_to_the_kopeck(cast: Cast) -> None:
    period = corrected_november(cast)
    revision = period.revisions.get(number=2)
    assert revision.collected == D("46000000.00")
    assert _bonuses(period) == {
        "Ivan Petrov": D("12000.00"),
        "Masha Ivanova": D("16000.00"),
        "Vasya Sidorov": D("1000.00"),
        "Olya Smirnova": D("1000.00"),
    }
    recorded = {
        c.employee.full_name: (c.amount, c.paid_in, c.month)
        for c in Correction.objects.select_related("employee")
    }
    assert recorded == {
        "Ivan Petrov": (D("-18000.00"), DECEMBER, NOVEMBER),
        "Masha Ivanova": (D("-11000.00"), DECEMBER, NOVEMBER),
        "Vasya Sidorov": (D("-5000.00"), DECEMBER, NOVEMBER),
        "Olya Smirnova": (D("-11000.00"), DECEMBER, NOVEMBER),
    }
    # What was paid never changes.
    assert _bonuses_of(period, 1)["Masha Ivanova"] == D("27000.00")


def _bonuses_of(period: BonusPeriod, number: int) -> dict[str, Decimal]:
    revision = period.revisions.get(number=number)
    return {line.employee.full_name: line.bonus for line in revision.pay_lines.all()}


def _december(cast: Cast) -> BonusPeriod:
    corrected_november(cast)
    set_scheme(cast, DECEMBER)
    pay_in(cast, DECEMBER_PAYMENTS)
    return _approve(cast, DECEMBER, {})


def _export(cast: Cast, period: BonusPeriod, layout: str) -> list[list[str]]:
    browser = HttpClient()
    browser.login(username=cast.accountant.user.username, password=PASSWORD)
    url = reverse("payroll_export", args=[period.pk, period.revision, layout, "csv"])
    response = browser.post(url)
    assert response.status_code == 200
    encoding = "cp1251" if layout == "zup" else "utf-8-sig"
    delimiter = ";" if layout == "zup" else ","
    return list(csv.reader(io.StringIO(response.content.decode(encoding)), delimiter=delimiter))


def test_december_pays_the_differences_and_carries_the_rest(
    cast: Cast, after_december: None
) -> None:
    december = _december(cast)
    assert _bonuses(december) == {
        "Ivan Petrov": D("12000.00"),
        "Masha Ivanova": D("6000.00"),
        "Vasya Sidorov": D("6000.00"),
        "Olya Smirnova": D("6000.00"),
    }
    due = {
        c.employee.full_name: (c.amount, c.carried, c.applied)
        for c in Correction.objects.filter(paid_in=DECEMBER).select_related("employee")
    }
    assert due == {
        "Ivan Petrov": (D("-18000.00"), D("6000.00"), D("-12000.00")),
        "Masha Ivanova": (D("-11000.00"), D("5000.00"), D("-6000.00")),
        "Vasya Sidorov": (D("-5000.00"), D("0.00"), D("-5000.00")),
        "Olya Smirnova": (D("-11000.00"), D("5000.00"), D("-6000.00")),
    }
    carried = {
        c.employee.full_name: (c.amount, c.month)
        for c in Correction.objects.filter(paid_in=JANUARY).select_related("employee")
    }
    assert carried == {
        "Ivan Petrov": (D("-6000.00"), NOVEMBER),
        "Masha Ivanova": (D("-5000.00"), NOVEMBER),
        "Olya Smirnova": (D("-5000.00"), NOVEMBER),
    }


def test_decembers_payroll_file_holds_the_correction_lines(
    cast: Cast, after_december: None
) -> None:
    december = _december(cast)
    rows = _export(cast, december, "standard")
    header, body = rows[0], rows[1:]
    assert header[-1] == "Corrects month"
    by_kind = {(row[2], row[-1]): (row[5], row[6], row[7]) for row in body}
    assert by_kind == {
        ("Ivan Petrov", ""): ("40000.00", "12000.00", "52000.00"),
        ("Masha Ivanova", ""): ("20000.00", "6000.00", "26000.00"),
        ("Vasya Sidorov", ""): ("20000.00", "6000.00", "26000.00"),
        ("Olya Smirnova", ""): ("20000.00", "6000.00", "26000.00"),
        ("Ivan Petrov", "11.2026"): ("", "-12000.00", "-12000.00"),
        ("Masha Ivanova", "11.2026"): ("", "-6000.00", "-6000.00"),
        ("Vasya Sidorov", "11.2026"): ("", "-5000.00", "-5000.00"),
        ("Olya Smirnova", "11.2026"): ("", "-6000.00", "-6000.00"),
    }
    # What December pays in all: 30,000 of bonus less 29,000 of November's debts.
    assert sum(D(row[6]) for row in body) == D("1000.00")


def test_decembers_zup_file_marks_the_month_corrected(cast: Cast, after_december: None) -> None:
    december = _december(cast)
    rows = _export(cast, december, "zup")
    corrections = [row for row in rows[1:] if row[3].startswith("Перерасчёт")]
    assert [(row[1], row[5], row[6], row[7]) for row in corrections] == [
        ("Ivan Petrov", "01.11.2026", "30.11.2026", "-12\xa0000,00"),
        ("Masha Ivanova", "01.11.2026", "30.11.2026", "-6\xa0000,00"),
        ("Olya Smirnova", "01.11.2026", "30.11.2026", "-6\xa0000,00"),
        ("Vasya Sidorov", "01.11.2026", "30.11.2026", "-5\xa0000,00"),
    ]
    assert all(row[4] == "12.2026" for row in corrections)


def test_the_correction_revision_has_no_payroll_file_of_its_own(cast: Cast) -> None:
    period = corrected_november(cast)
    with pytest.raises(WorkflowError):
        services.payroll_export(
            user=cast.accountant.user,
            revision=period.revisions.get(number=2),
            layout="standard",
            extension="csv",
        )


def test_mashas_statements_say_so(cast: Cast, after_december: None) -> None:
    _december(cast)
    browser = HttpClient()
    browser.login(username=cast.masha.user.username, password=PASSWORD)
    november = browser.get(reverse("my_bonus_month", args=[NOVEMBER])).content.decode()
    assert "Corrected after it was paid" in november
    assert "27,000.00" in november
    assert "16,000.00" in november
    assert "-11,000.00" in november
    december = browser.get(reverse("my_bonus_month", args=[DECEMBER])).content.decode()
    assert "Corrections paid this month" in december
    assert "-11,000.00" in december
    assert "-6,000.00" in december
    assert "5,000.00\xa0₽ carried on to January 2027" in december


def test_the_director_sees_the_month_differ_from_what_was_paid(cast: Cast) -> None:
    period = corrected_november(cast)
    browser = HttpClient()
    browser.login(username=cast.director.user.username, password=PASSWORD)
    page = browser.get(reverse("period_detail", args=[period.pk])).content.decode()
    assert "Differs from what was paid" in page
    assert "55,000,000.00" in page
    assert "46,000,000.00" in page
    assert "Masha Ivanova: -11,000.00" in page
    assert "In all: -45,000.00" in page


def test_the_payroll_page_offers_no_file_of_a_correction(cast: Cast) -> None:
    corrected_november(cast)
    browser = HttpClient()
    browser.login(username=cast.accountant.user.username, password=PASSWORD)
    page = browser.get(reverse("payroll")).content.decode()
    assert page.count("/r1/standard.csv") == 1
    assert "/r2/standard.csv" not in page
