"""Notices: staff are told when their month is approved, paid or corrected; the head when
a gate is at risk, three working days before its day. Each notice is sent once, by
e-mail in the recipient's language and on their start page until dismissed.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.core.management import call_command
from django.db import IntegrityError, transaction
from django.test import Client as HttpClient
from django.urls import reverse
from hypothesis import given
from hypothesis import strategies as st

from compensation import notices, services
from compensation.gate_watch import gate_notices_send
from compensation.models import BonusPeriod, Notice, NoticeKind, PeriodEvent
from core.calendar import is_working, working_days_before
from core.models import CalendarDay
from payments.models import Invoice
from tests.factories import Cast, ClientFactory, PaymentFactory
from tests.test_corrections import corrected_november
from tests.test_workflow_helpers import OCTOBER, approved_october, proposed_october

D = Decimal
STAFF = {"masha@example.com", "vasya@example.com", "olya@example.com"}
RUB = "\N{NO-BREAK SPACE}₽"


@pytest.fixture
def site(settings: Any) -> Any:
    settings.SITE_URL = "https://bonus.example.com"
    return settings


def _to(mailoutbox: list, address: str) -> list:
    return [m for m in mailoutbox if m.to == [address]]


def _approve(cast: Cast, capture: Any) -> BonusPeriod:
    period = proposed_october(cast)
    with capture(execute=True):
        return services.period_approve(
            user=cast.director.user, period=period, expected_version=period.version
        )


def test_approval_tells_each_staff_member_once_with_their_bonus(
    cast: Cast, site: Any, mailoutbox: list, django_capture_on_commit_callbacks: Any
) -> None:
    _approve(cast, django_capture_on_commit_callbacks)

    for address in STAFF:
        [mail] = _to(mailoutbox, address)
        assert mail.subject == "Your bonus for October 2026 is approved"
    [masha] = _to(mailoutbox, "masha@example.com")
    assert f"Your bonus: 27,000.00{RUB}." in masha.body
    assert "https://bonus.example.com/me/2026-10/" in masha.body
    [vasya] = _to(mailoutbox, "vasya@example.com")
    assert f"Your bonus: 6,000.00{RUB}." in vasya.body
    # the head hears of it as the head (the workflow's mail), not as a notice
    assert not Notice.objects.filter(recipient=cast.head.user).exists()
    assert Notice.objects.filter(kind=NoticeKind.APPROVED).count() == 3
    assert all(n.mailed_at is not None for n in Notice.objects.all())


def test_a_second_run_of_the_job_sends_nothing_again(
    cast: Cast, mailoutbox: list, django_capture_on_commit_callbacks: Any
) -> None:
    period = _approve(cast, django_capture_on_commit_callbacks)
    event = period.events.get(action=PeriodEvent.Action.APPROVE)
    mailoutbox.clear()

    assert notices.send_for_event(event) == 0
    assert mailoutbox == []
    assert Notice.objects.count() == 3


def test_the_unique_key_refuses_a_second_row_for_the_same_notice(cast: Cast) -> None:
    key = {
        "recipient": cast.olya.user,
        "kind": NoticeKind.PAID,
        "department": cast.dept,
        "month": OCTOBER,
        "revision": 1,
    }
    Notice.objects.create(**key)
    with pytest.raises(IntegrityError), transaction.atomic():
        Notice.objects.create(**key)


def test_payment_tells_each_staff_member_once(
    cast: Cast, mailoutbox: list, django_capture_on_commit_callbacks: Any
) -> None:
    period = approved_october(cast)
    with django_capture_on_commit_callbacks(execute=True):
        services.period_mark_paid(
            user=cast.accountant.user, period=period, expected_version=period.version
        )

    paid = [m for m in mailoutbox if m.subject == "Your bonus for October 2026 is paid"]
    assert sorted(m.to[0] for m in paid) == sorted(STAFF)
    [olya] = _to(paid, "olya@example.com")
    assert f"Your bonus: 12,000.00{RUB}." in olya.body


def test_a_correction_tells_each_person_whose_pay_it_changes_once(
    cast: Cast, mailoutbox: list, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        corrected_november(cast)

    corrected = [m for m in mailoutbox if "was corrected" in m.subject]
    assert sorted(m.to[0] for m in corrected) == sorted([*STAFF, "ivan@example.com"])
    [olya] = _to(corrected, "olya@example.com")
    assert olya.subject == "Your bonus for November 2026 was corrected"
    assert f"The difference for you, −11,000.00{RUB}" in olya.body or (
        f"The difference for you, -11,000.00{RUB}" in olya.body
    )
    assert "The client's 9 M payment bounced" in olya.body
    assert "December 2026" in olya.body
    # the first approval of November told them once, the correction once more
    assert len(_to(mailoutbox, "olya@example.com")) == 3  # approved, paid, corrected


def test_the_mail_is_in_the_recipient_s_language(
    cast: Cast, mailoutbox: list, django_capture_on_commit_callbacks: Any
) -> None:
    # given Olya switched the site to Russian (a POST of the language form)
    http = HttpClient()
    http.force_login(cast.olya.user)
    assert http.post(reverse("set_language"), {"language": "ru"}).status_code == 302
    cast.olya.refresh_from_db()
    assert cast.olya.language == "ru"

    # when October is approved by a director working in English
    _approve(cast, django_capture_on_commit_callbacks)

    # then Olya reads hers in Russian, Masha in the site's default (English in tests)
    [olya] = _to(mailoutbox, "olya@example.com")
    assert olya.subject == "Ваша премия за октябрь 2026 утверждена"
    assert f"12\N{NO-BREAK SPACE}000,00{RUB}" in olya.body
    [masha] = _to(mailoutbox, "masha@example.com")
    assert masha.subject == "Your bonus for October 2026 is approved"


def test_an_unknown_language_is_not_stored(cast: Cast) -> None:
    http = HttpClient()
    http.force_login(cast.olya.user)
    http.post(reverse("set_language"), {"language": "xx"})
    cast.olya.refresh_from_db()
    assert cast.olya.language == ""


# --- the start page -----------------------------------------------------------------------


def test_the_start_page_lists_unread_notices_and_a_get_marks_nothing_read(
    cast: Cast, django_capture_on_commit_callbacks: Any
) -> None:
    _approve(cast, django_capture_on_commit_callbacks)
    http = HttpClient(HTTP_ACCEPT_LANGUAGE="en")
    http.force_login(cast.olya.user)

    page = http.get(reverse("home")).content.decode()
    http.get(reverse("home"))

    assert "Your bonus for October 2026 is approved" in page
    assert f"Your bonus: 12,000.00{RUB}." in page
    notice = Notice.objects.get(recipient=cast.olya.user)
    assert notice.dismissed_at is None

    # when she dismisses it (a POST), it is gone from her page
    response = http.post(reverse("notice_dismiss", args=[notice.pk]))
    assert response.status_code == 302
    notice.refresh_from_db()
    assert notice.dismissed_at is not None
    assert "is approved" not in http.get(reverse("home")).content.decode()


def test_nobody_dismisses_another_person_s_notice(
    cast: Cast, django_capture_on_commit_callbacks: Any
) -> None:
    _approve(cast, django_capture_on_commit_callbacks)
    notice = Notice.objects.get(recipient=cast.olya.user)
    http = HttpClient()
    http.force_login(cast.masha.user)

    assert http.post(reverse("notice_dismiss", args=[notice.pk])).status_code == 404
    notice.refresh_from_db()
    assert notice.dismissed_at is None


def test_the_start_page_reads_notices_in_a_fixed_number_of_queries(
    cast: Cast, django_assert_max_num_queries: Any
) -> None:
    http = HttpClient(HTTP_ACCEPT_LANGUAGE="en")
    http.force_login(cast.olya.user)

    def notice(month: dt.date) -> None:
        Notice.objects.create(
            recipient=cast.olya.user,
            kind=NoticeKind.APPROVED,
            department=cast.dept,
            month=month,
            revision=1,
            details={"bonus": "100.00"},
        )

    notice(dt.date(2026, 1, 1))
    with django_assert_max_num_queries(30) as one:
        http.get(reverse("home"))
    for month in range(2, 13):
        notice(dt.date(2026, month, 1))
    with django_assert_max_num_queries(30) as many:
        page = http.get(reverse("home")).content.decode()
    assert "Your bonus for December 2026 is approved" in page
    assert len(many.captured_queries) == len(one.captured_queries)


# --- gates at risk --------------------------------------------------------------------------


def test_three_working_days_before_a_friday_is_the_tuesday() -> None:
    friday = dt.date(2026, 10, 16)
    assert working_days_before(friday, 3, {}) == dt.date(2026, 10, 13)
    # a holiday in between is stepped over
    assert working_days_before(friday, 3, {dt.date(2026, 10, 14): False}) == dt.date(2026, 10, 12)
    # a Saturday worked counts
    monday = dt.date(2026, 10, 19)
    assert working_days_before(monday, 3, {dt.date(2026, 10, 17): True}) == dt.date(2026, 10, 15)


def _scheme(cast: Cast, month: dt.date, first_gate: int) -> None:
    services.scheme_create(
        user=cast.director.user,
        department=cast.dept,
        month=month,
        plan="50000000.00",
        threshold="40000000.00",
        rate="0.005",
        head_share="0.40",
        milestones=[(first_gate, "0.50", "1/3"), (25, "0.90", "1/3")],
        reason="Gates for the notice tests",
    )


def _collected(cast: Cast, day: dt.date, amount: str) -> Any:
    client = ClientFactory(department=cast.dept, responsible=cast.masha)
    PaymentFactory(client=client, received_on=day, amount=D(amount))
    return client


def test_a_friday_gate_at_risk_is_told_on_the_tuesday_once(
    cast: Cast, site: Any, mailoutbox: list
) -> None:
    # given October's first gate on Friday the 16th: 25 M by then, 1 M collected so far
    _scheme(cast, OCTOBER, 16)
    _collected(cast, dt.date(2026, 10, 5), "1000000.00")

    # then four working days before, nothing; on the Tuesday, the head is told
    assert gate_notices_send(today=dt.date(2026, 10, 12)) == 0
    assert gate_notices_send(today=dt.date(2026, 10, 13)) == 1
    [mail] = mailoutbox
    assert mail.to == ["ivan@example.com"]
    assert mail.subject == "Client department: the gate of 16 October 2026 is at risk"
    assert f"at least 25,000,000.00{RUB} must be collected" in mail.body
    assert f"Collected so far: 1,000,000.00{RUB}" in mail.body
    # 1 M over 9 working days, at that pace for 12: 1,333,333.33
    assert f"at this pace, 1,333,333.33{RUB} by then" in mail.body
    assert f"https://bonus.example.com/departments/{cast.dept.pk}/2026-10/" in mail.body
    # and a second run, that day or the next, sends nothing
    assert gate_notices_send(today=dt.date(2026, 10, 13)) == 0
    assert gate_notices_send(today=dt.date(2026, 10, 14)) == 0
    assert len(mailoutbox) == 1
    assert Notice.objects.get().gate == 16


def test_a_gate_after_a_holiday_is_told_a_working_day_earlier(cast: Cast, mailoutbox: list) -> None:
    # given November's first gate on Friday the 6th, and the 4th a public holiday
    CalendarDay.objects.update_or_create(
        day=dt.date(2026, 11, 4), defaults={"is_working": False, "name": "Unity Day"}
    )
    november = dt.date(2026, 11, 1)
    _scheme(cast, november, 6)
    _collected(cast, dt.date(2026, 11, 2), "100000.00")

    # then it is told on Monday the 2nd (5th, 3rd, 2nd), not on the Tuesday
    assert gate_notices_send(today=dt.date(2026, 11, 2)) == 1
    assert gate_notices_send(today=dt.date(2026, 11, 3)) == 0
    assert [m.to for m in mailoutbox] == [["ivan@example.com"]]


def test_a_gate_on_track_is_not_told(cast: Cast, mailoutbox: list) -> None:
    _scheme(cast, OCTOBER, 16)
    _collected(cast, dt.date(2026, 10, 5), "26000000.00")

    assert gate_notices_send(today=dt.date(2026, 10, 13)) == 0
    assert mailoutbox == []


def test_the_forecast_decides_where_there_is_one(cast: Cast, mailoutbox: list) -> None:
    # given 5 M collected (at that pace the gate is lost) and an invoice of 30 M due on
    # the 14th: by the forecast, 35 M is in by the 16th, so the gate is safe
    _scheme(cast, OCTOBER, 16)
    client = _collected(cast, dt.date(2026, 10, 5), "5000000.00")
    invoice = Invoice.objects.create(
        client=client,
        month=OCTOBER,
        number="1",
        issued_on=dt.date(2026, 10, 1),
        due_on=dt.date(2026, 10, 14),
        amount=D("35000000.00"),
    )
    assert gate_notices_send(today=dt.date(2026, 10, 13)) == 0

    # when the invoice is smaller, the forecast says the gate is at risk
    Invoice.objects.filter(pk=invoice.pk).update(amount=D("6000000.00"))
    assert gate_notices_send(today=dt.date(2026, 10, 13)) == 1
    [mail] = mailoutbox
    assert f"with what is expected by then, 6,000,000.00{RUB}" in mail.body


def test_the_command_runs_for_the_day_given(cast: Cast, mailoutbox: list, capsys: Any) -> None:
    _scheme(cast, OCTOBER, 16)
    _collected(cast, dt.date(2026, 10, 5), "1000000.00")

    call_command("send_notices", "--date", "2026-10-13")
    call_command("send_notices", "--date", "2026-10-13")

    assert capsys.readouterr().out.splitlines() == ["1 notice(s) sent", "0 notice(s) sent"]
    assert len(mailoutbox) == 1


def test_the_gate_notice_is_in_the_head_s_language(cast: Cast, mailoutbox: list) -> None:
    cast.head.language = "ru"
    cast.head.save()
    _scheme(cast, OCTOBER, 16)
    _collected(cast, dt.date(2026, 10, 5), "1000000.00")

    gate_notices_send(today=dt.date(2026, 10, 13))

    [mail] = mailoutbox
    assert mail.subject == "Client department: рубеж 16 октября 2026 под угрозой"


def test_the_start_page_writes_a_notice_in_the_reader_s_language(
    cast: Cast, django_capture_on_commit_callbacks: Any
) -> None:
    _approve(cast, django_capture_on_commit_callbacks)
    http = HttpClient(HTTP_ACCEPT_LANGUAGE="ru")
    http.force_login(cast.olya.user)

    page = http.get(reverse("home")).content.decode()

    assert "Ваша премия за октябрь 2026 утверждена" in page
    assert f"Ваша премия: 12\N{NO-BREAK SPACE}000,00{RUB}." in page
    assert "Скрыть" in page


@given(
    day=st.dates(min_value=dt.date(2026, 1, 1), max_value=dt.date(2027, 12, 31)),
    count=st.integers(min_value=1, max_value=10),
    holidays=st.sets(st.dates(min_value=dt.date(2025, 12, 1), max_value=dt.date(2027, 12, 31))),
)
def test_the_notice_day_is_a_working_day_with_exactly_that_many_before_the_gate(
    day: dt.date, count: int, holidays: set[dt.date]
) -> None:
    exceptions = dict.fromkeys(holidays, False)
    notice_on = working_days_before(day, count, exceptions)

    assert notice_on < day
    assert is_working(notice_on, exceptions)
    after = [notice_on + dt.timedelta(days=n) for n in range(1, (day - notice_on).days)]
    assert sum(is_working(d, exceptions) for d in after) == count - 1
