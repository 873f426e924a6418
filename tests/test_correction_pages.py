"""The pages of a paid month's correction, and payments added to a paid month.

November of tests/test_corrections.py is approved and paid on 55 M. The accountant
voids the bounced 9 M payment on the correction's page once the director has reopened
the month (never before); a payment dated in the paid month is recorded beside what
was paid, and the director sees the month differ from what was paid, with the amounts,
until a correction counts it in and is approved.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.test import Client as HttpClient
from django.urls import reverse

from accounts.policy import SYSTEM
from compensation import services
from compensation.models import BonusPeriod, Correction, PeriodState
from payments.importing import payments_import
from payments.models import Client, Payment
from payments.services import payment_record
from tests.factories import PASSWORD, Cast
from tests.test_corrections import NOVEMBER, _approve, _pay, paid_november
from tests.test_imports import xlsx_bytes
from tests.test_workflow_helpers import pay_in, set_scheme

D = Decimal
BOUNCED_DAY = dt.date(2026, 11, 30)


def _login(user: object) -> HttpClient:
    browser = HttpClient()
    browser.login(username=user.username, password=PASSWORD)
    return browser


def _reopen(cast: Cast, period: BonusPeriod, reason: str = "The payment bounced") -> BonusPeriod:
    return services.period_reopen(
        user=cast.director.user, period=period, expected_version=period.version, reason=reason
    )


def _bounced() -> Payment:
    return Payment.objects.get(received_on=BOUNCED_DAY)


def test_a_paid_month_not_reopened_offers_no_void(cast: Cast) -> None:
    paid_november(cast)
    accountant = _login(cast.accountant.user)
    page = accountant.get(reverse("correction_payment_void", args=[_bounced().pk]))
    assert page.status_code == 200
    assert "is not a paid month being corrected" in page.content.decode()
    assert 'name="reason"' not in page.content.decode()
    response = accountant.post(
        reverse("correction_payment_void", args=[_bounced().pk]), {"reason": "Bounced"}
    )
    assert response.status_code == 302
    assert _bounced().voided_at is None


def test_the_accountant_voids_a_payment_of_the_reopened_month(cast: Cast) -> None:
    period = _reopen(cast, paid_november(cast))
    accountant = _login(cast.accountant.user)
    # The payments' own void page sends a paid month's void to its correction.
    response = accountant.get(reverse("payment_void", args=[_bounced().pk]))
    assert response.status_code == 302
    assert response.url == reverse("correction_payment_void", args=[_bounced().pk])
    page = accountant.get(response.url).content.decode()
    assert "is being corrected (revision 2)" in page
    response = accountant.post(
        response.url, {"reason": "Bounced", "expected_version": period.version}
    )
    assert response.status_code == 302
    bounced = _bounced()
    assert (bounced.is_void, bounced.void_reason) == (True, "Bounced")
    period.refresh_from_db()
    assert period.revisions.get(number=2).collected == D("46000000.00")
    # What was paid stays as it was.
    assert period.revisions.get(number=1).pay_lines.get(employee=cast.masha).bonus == D("27000.00")


def test_a_stale_void_form_changes_nothing(cast: Cast) -> None:
    period = _reopen(cast, paid_november(cast))
    accountant = _login(cast.accountant.user)
    response = accountant.post(
        reverse("correction_payment_void", args=[_bounced().pk]),
        {"reason": "Bounced", "expected_version": period.version - 1},
    )
    assert response.status_code == 200
    assert "reload the page" in response.content.decode()
    assert _bounced().voided_at is None


def test_a_void_needs_a_reason(cast: Cast) -> None:
    period = _reopen(cast, paid_november(cast))
    response = _login(cast.accountant.user).post(
        reverse("correction_payment_void", args=[_bounced().pk]),
        {"reason": "", "expected_version": period.version},
    )
    assert response.status_code == 200
    assert "This field is required." in response.content.decode()
    assert _bounced().voided_at is None


@pytest.mark.parametrize("who", ["director", "head", "masha"])
def test_only_who_manages_payments_voids_in_a_correction(cast: Cast, who: str) -> None:
    period = _reopen(cast, paid_november(cast))
    response = _login(getattr(cast, who).user).post(
        reverse("correction_payment_void", args=[_bounced().pk]),
        {"reason": "Bounced", "expected_version": period.version},
    )
    assert response.status_code in (403, 404)
    assert _bounced().voided_at is None


def _late_payment(cast: Cast, amount: str = "1000000.00") -> Payment:
    client = Client.objects.filter(department=cast.dept).first()
    return payment_record(
        user=cast.accountant.user, client=client, amount=amount, received_on="2026-11-20"
    )


def test_a_payment_added_to_a_paid_month_is_recorded_and_what_was_paid_stays(
    cast: Cast,
) -> None:
    period = paid_november(cast)
    late = _late_payment(cast)
    assert late.pk is not None
    period.refresh_from_db()
    assert (period.state, period.collected, period.revision) == (
        PeriodState.PAID,
        D("55000000.00"),
        1,
    )
    assert period.revisions.get(number=1).pay_lines.get(employee=cast.masha).bonus == D("27000.00")


def test_an_import_dated_in_a_paid_month_is_recorded_and_shows(cast: Cast) -> None:
    period = paid_november(cast)
    inn = Client.objects.filter(department=cast.dept).values_list("inn", flat=True).first()
    data = xlsx_bytes(
        [["Дата", "Сумма", "ИНН", "Номер"], [dt.date(2026, 11, 21), "2500000.00", inn, "77"]]
    )
    result = payments_import(user=SYSTEM, file_name="late.xlsx", data=data)
    assert result.accepted, result.errors
    assert Payment.objects.filter(received_on=dt.date(2026, 11, 21)).count() == 1
    period.refresh_from_db()
    assert (period.state, period.collected) == (PeriodState.PAID, D("55000000.00"))
    page = _login(cast.director.user).get(reverse("period_detail", args=[period.pk]))
    assert "Payments added since the month was closed: 2,500,000.00" in page.content.decode()


def test_a_closed_month_not_paid_still_refuses_a_payment(cast: Cast) -> None:
    set_scheme(cast, NOVEMBER)
    pay_in(cast, ((dt.date(2026, 11, 5), "45000000.00"),))
    _approve(cast, NOVEMBER, {})
    with pytest.raises(ValidationError) as refused:
        _late_payment(cast)
    assert "payments can no longer be added" in str(refused.value)


def test_the_director_sees_the_paid_month_differ_with_the_amounts(cast: Cast) -> None:
    period = paid_november(cast)
    _late_payment(cast)
    director = _login(cast.director.user)
    page = director.get(reverse("period_detail", args=[period.pk])).content.decode()
    assert "Differs from what was paid" in page
    assert "Payments added since the month was closed: 1,000,000.00" in page
    assert "come to 56,000,000.00" in page
    listing = director.get(reverse("period_list")).content.decode()
    assert "Differs from what was paid" in listing
    assert "added 1,000,000.00" in listing


def test_the_correction_counts_the_changes_in_and_the_notice_goes(cast: Cast) -> None:
    period = paid_november(cast)
    _late_payment(cast)
    period = _reopen(cast, period, reason="A payment of the 20th came late")
    # The reopen counts the payment recorded since the month was paid.
    assert period.revisions.get(number=2).collected == D("56000000.00")
    director = _login(cast.director.user)
    page = director.get(reverse("period_detail", args=[period.pk])).content.decode()
    assert "Payments added since the month was closed: 1,000,000.00" in page
    _approve(
        cast,
        NOVEMBER,
        {
            cast.masha.pk: ("15000.00", "0", "Closed the two hardest clients"),
            cast.vasya.pk: ("0", "6000.00", "Missed the client calls of his week"),
        },
    )
    # 56 M: pool 80,000, head 32,000 (+2,000); staff (48,000 − 15,000 + 6,000) / 3 = 13,000.
    recorded = {
        c.employee.full_name: c.amount for c in Correction.objects.select_related("employee")
    }
    assert recorded == {
        "Ivan Petrov": D("2000.00"),
        "Masha Ivanova": D("1000.00"),
        "Vasya Sidorov": D("1000.00"),
        "Olya Smirnova": D("1000.00"),
    }
    listing = director.get(reverse("period_list")).content.decode()
    assert "added 1,000,000.00" not in listing
    # Once the correction is paid, its own count stands: nothing differs any more.
    _pay(cast, BonusPeriod.objects.get(pk=period.pk))
    listing = director.get(reverse("period_list")).content.decode()
    page = director.get(reverse("period_detail", args=[period.pk])).content.decode()
    assert "Differs from what was paid" not in listing
    assert "Differs from what was paid" not in page


def test_the_period_list_reads_the_changes_in_constant_queries(
    cast: Cast, django_assert_max_num_queries: object
) -> None:
    paid_november(cast)
    for _ in range(3):
        _late_payment(cast, "1000.00")
    director = _login(cast.director.user)
    with django_assert_max_num_queries(12):
        page = director.get(reverse("period_list")).content.decode()
    assert "added 3,000.00" in page
