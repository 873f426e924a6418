"""Cover for dates: a client handed over for an absence comes back the day after, and
each payment is credited to whoever held the client on the day it arrived."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.urls import reverse

from accounts.policy import SYSTEM
from payments.assignments import client_reassign, client_responsible_on, responsible_refresh
from payments.importing import payments_import
from payments.models import Client, Payment
from payments.selectors import totals_by_responsible
from payments.services import payment_record
from tests.factories import Cast, ClientFactory

SINCE = dt.date(2026, 1, 1)
AWAY, UNTIL, BACK = dt.date(2026, 11, 9), dt.date(2026, 11, 18), dt.date(2026, 11, 19)
INN = "7701000019"


@pytest.fixture
def olyas_client(cast: Cast) -> Client:
    client = ClientFactory(department=cast.dept, name="Alfa Trade LLC", inn=INN)
    client_reassign(user=cast.admin, client=client, employee=cast.olya, on=SINCE, reason="New")
    return client


def _history(client: Client) -> list[tuple[str, dt.date, dt.date | None]]:
    return [
        (a.employee.full_name, a.started_on, a.ended_on)
        for a in client.assignments.select_related("employee").order_by("started_on")
    ]


def _cover(cast: Cast, client: Client, **change: object) -> None:
    fields = {"employee": cast.vasya, "on": AWAY, "until": UNTIL, "reason": "Olya on leave"}
    client_reassign(user=cast.head.user, client=client, **(fields | change))


def test_a_cover_for_dates_hands_the_client_back_the_day_after(
    cast: Cast, olyas_client: Client
) -> None:
    # when Vasya covers Olya from the 9th to the 18th
    _cover(cast, olyas_client)

    # then the history has the cover with its end, and Olya's own time resumes after it
    assert _history(olyas_client) == [
        ("Olya Smirnova", SINCE, dt.date(2026, 11, 8)),
        ("Vasya Sidorov", AWAY, UNTIL),
        ("Olya Smirnova", BACK, None),
    ]
    who = {
        day: client_responsible_on(olyas_client, day)
        for day in (AWAY - dt.timedelta(1), AWAY, UNTIL, BACK)
    }
    assert list(who.values()) == [cast.olya, cast.vasya, cast.vasya, cast.olya]
    # and today (December) she holds it: nobody had to hand it back
    olyas_client.refresh_from_db()
    assert olyas_client.responsible == cast.olya


def test_the_daily_refresh_moves_responsible_on_the_day_a_cover_ends(
    cast: Cast, olyas_client: Client
) -> None:
    # given a cover recorded, and today inside it
    _cover(cast, olyas_client)
    assert responsible_refresh(today=UNTIL) == 1
    assert Client.objects.get(pk=olyas_client.pk).responsible == cast.vasya

    # when the day after it comes
    changed = responsible_refresh(today=BACK)

    # then Olya is responsible again, and a second run changes nothing
    assert changed == 1
    assert Client.objects.get(pk=olyas_client.pk).responsible == cast.olya
    assert responsible_refresh(today=BACK) == 0
    call_command("refresh_responsible", stdout=io.StringIO())


def test_a_cover_at_the_start_of_a_holders_time_moves_their_start(
    cast: Cast, olyas_client: Client
) -> None:
    _cover(cast, olyas_client)
    # a second absence starting the day she came back
    _cover(cast, olyas_client, employee=cast.masha, on=BACK, until=dt.date(2026, 11, 20))

    assert _history(olyas_client)[2:] == [
        ("Masha Ivanova", BACK, dt.date(2026, 11, 20)),
        ("Olya Smirnova", dt.date(2026, 11, 21), None),
    ]


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"until": AWAY - dt.timedelta(1)}, "until"),
        ({"on": dt.date(2025, 12, 1), "until": dt.date(2025, 12, 5)}, "on"),
        ({"employee": "olya"}, "employee"),
        ({"employee": "sergey"}, "employee"),
    ],
)
def test_a_bad_cover_is_refused_naming_the_field(
    cast: Cast, olyas_client: Client, change: dict, field: str
) -> None:
    if "employee" in change:
        change["employee"] = getattr(cast, change["employee"])
    before = _history(olyas_client)

    with pytest.raises(ValidationError) as raised:
        _cover(cast, olyas_client, **change)

    assert field in raised.value.message_dict
    assert _history(olyas_client) == before


def test_a_cover_cannot_cross_another_hand_over(cast: Cast, olyas_client: Client) -> None:
    _cover(cast, olyas_client)

    with pytest.raises(ValidationError) as raised:
        _cover(cast, olyas_client, employee=cast.masha, on=dt.date(2026, 11, 1))

    assert "until" in raised.value.message_dict


# --- crediting by the payment's day ------------------------------------------------------


def _credited(client: Client) -> dict[dt.date, str]:
    return {
        p.received_on: p.responsible.full_name
        for p in Payment.objects.filter(client=client).select_related("responsible")
    }


def test_a_manual_payment_is_credited_to_the_holder_on_its_day(
    cast: Cast, olyas_client: Client
) -> None:
    # given Vasya covering Olya
    _cover(cast, olyas_client)

    # when payments are entered today for days before, during and after the cover
    for day in (dt.date(2026, 11, 2), AWAY, BACK):
        payment_record(user=cast.admin, client=olyas_client, amount="100.00", received_on=day)

    # then each goes to the one who held the client that day, not to today's holder
    assert _credited(olyas_client) == {
        dt.date(2026, 11, 2): "Olya Smirnova",
        AWAY: "Vasya Sidorov",
        BACK: "Olya Smirnova",
    }


def test_an_imported_payment_is_credited_to_the_holder_on_its_day(
    cast: Cast, olyas_client: Client
) -> None:
    _cover(cast, olyas_client)
    rows = [f"{day}.11.2026;100.00;{INN}" for day in ("02", "10", "19")]
    data = "date;amount;inn\n" + "\n".join(rows) + "\n"

    result = payments_import(user=SYSTEM, file_name="november.csv", data=data.encode())

    assert result.new == 3
    assert _credited(olyas_client) == {
        dt.date(2026, 11, 2): "Olya Smirnova",
        dt.date(2026, 11, 10): "Vasya Sidorov",
        dt.date(2026, 11, 19): "Olya Smirnova",
    }


def test_a_cover_recorded_afterwards_recredits_the_payments_of_its_days(
    cast: Cast, olyas_client: Client
) -> None:
    # given November's payments, all recorded while Olya held the client
    for day in (dt.date(2026, 11, 2), AWAY, UNTIL, BACK):
        payment_record(user=cast.admin, client=olyas_client, amount="100.00", received_on=day)
    assert set(_credited(olyas_client).values()) == {"Olya Smirnova"}

    # when the head records afterwards that Vasya covered her from the 9th to the 18th
    _cover(cast, olyas_client)

    # then the payments of those days are Vasya's, and the month's totals say so
    assert _credited(olyas_client) == {
        dt.date(2026, 11, 2): "Olya Smirnova",
        AWAY: "Vasya Sidorov",
        UNTIL: "Vasya Sidorov",
        BACK: "Olya Smirnova",
    }
    totals = {
        row.employee.full_name: row.total
        for row in totals_by_responsible(cast.dept, dt.date(2026, 11, 1))
    }
    assert totals == {"Olya Smirnova": Decimal("200.00"), "Vasya Sidorov": Decimal("200.00")}


def test_the_admin_shows_the_history_read_only_and_links_the_handover(
    cast: Cast, olyas_client: Client, client: Any
) -> None:
    client.force_login(cast.admin)

    page = client.get(reverse("admin:payments_client_change", args=[olyas_client.pk]))

    html = page.content.decode()
    assert reverse("client_handover", args=[olyas_client.pk]) in html
    assert 'name="assignments-0-employee"' not in html
    assert 'name="responsible"' not in html
