"""The evidence on the proposal and review pages: days present, absences, own clients'
collections and the clients covered for a colleague."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db import connection
from django.test import Client as WebClient
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.absences import absence_record
from compensation import services
from compensation.selectors import period_evidence
from payments.assignments import client_reassign
from payments.services import payment_record
from tests.factories import PASSWORD, Cast, ClientFactory
from tests.test_workflow_helpers import OCTOBER, set_scheme

AWAY, UNTIL = dt.date(2026, 10, 5), dt.date(2026, 10, 16)


def _october_with_olya_away(cast: Cast, clients: int = 1) -> object:
    set_scheme(cast)
    absence_record(
        user=cast.head.user, employee=cast.olya, kind="vacation", started_on=AWAY, ended_on=UNTIL
    )
    for index in range(clients):
        own = ClientFactory(department=cast.dept, name=f"Olya's {index}")
        client_reassign(
            user=cast.admin, client=own, employee=cast.olya, on=dt.date(2026, 1, 1), reason=""
        )
        client_reassign(
            user=cast.head.user,
            client=own,
            employee=cast.vasya,
            on=AWAY,
            until=UNTIL,
            reason="Cover",
        )
        for day, amount in ((dt.date(2026, 10, 2), "100.00"), (AWAY, "200.00"), (UNTIL, "300.00")):
            payment_record(user=cast.admin, client=own, amount=amount, received_on=day)
    mine = ClientFactory(department=cast.dept, name="Vasya's")
    client_reassign(
        user=cast.admin, client=mine, employee=cast.vasya, on=dt.date(2026, 1, 1), reason=""
    )
    payment_record(
        user=cast.admin, client=mine, amount="50000000.00", received_on=dt.date(2026, 10, 1)
    )
    period = services.period_open(department=cast.dept, month=OCTOBER)
    return services.period_close(
        user=cast.head.user, period=period, expected_version=period.version
    )


def test_the_evidence_shows_days_absences_and_cover(cast: Cast) -> None:
    period = _october_with_olya_away(cast)

    evidence = {row.employee: row for row in period_evidence(period)}

    olya, vasya = evidence[cast.olya], evidence[cast.vasya]
    assert (olya.days, olya.of, olya.absent) == (12, 22, 10)
    assert [a.kind for a in olya.absences] == ["vacation"]
    assert (olya.own_total, olya.own_count) == (Decimal("100.00"), 1)
    assert (vasya.days, vasya.own_total, vasya.own_count) == (22, Decimal("50000000.00"), 1)
    assert [(c.covered_for, c.total, c.count) for c in vasya.covered] == [
        (cast.olya, Decimal("500.00"), 2)
    ]
    assert evidence[cast.masha].covered == ()


def test_the_proposal_page_shows_the_evidence_at_constant_queries(cast: Cast) -> None:
    period = _october_with_olya_away(cast, clients=3)
    browser = WebClient()
    browser.login(username=cast.head.user.username, password=PASSWORD)

    with CaptureQueriesContext(connection) as queries:
        page = browser.get(reverse("proposal", args=[period.pk])).content.decode()

    assert 'id="evidence"' in page
    assert "12 of 22 (10 absent)" in page
    assert "for Olya Smirnova:" in page
    assert len(queries) <= 30
