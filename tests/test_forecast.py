"""The forecast (compensation/forecast.py) and the dashboard's cockpit: gates ahead,
what-if, a staff member's own part."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from fractions import Fraction

import pytest
from django.db import connection
from django.test import Client as HttpClient
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from compensation.engine import BonusInput, Milestone, Payment, Scheme
from compensation.forecast import (
    ClientOutlook,
    expected_arrivals,
    expected_by_day,
    gate_worth,
    usual_day,
)
from payments.models import Invoice, Promise
from tests.factories import Cast, ClientFactory, PaymentFactory
from tests.test_workflow_helpers import OCTOBER, set_scheme

D = Decimal
LAST = dt.date(2026, 10, 31)
TODAY = dt.date(2026, 10, 10)


def day(n: int) -> dt.date:
    return dt.date(2026, 10, n)


def test_promises_come_first_and_the_rest_on_the_due_dates() -> None:
    client = ClientOutlook(
        open_invoices=((day(5), D("300.00")), (day(20), D("200.00"))),
        promises=((day(14), D("250.00")), (day(8), D("999.00"))),  # the 8th has passed
    )

    arrivals = expected_arrivals(client, today=TODAY, last=LAST)

    # 250 promised for the 14th; of the 250 left, 200 on the 20th, 50 overdue: today.
    assert arrivals == [(TODAY, D("50.00")), (day(14), D("250.00")), (day(20), D("200.00"))]
    assert sum(a for _d, a in arrivals) == D("500.00")


def test_a_client_without_an_invoice_is_expected_on_their_usual_day() -> None:
    regular = ClientOutlook(usual_day=usual_day([12, 15, 31, 14]), usual_amount=D("70.00"))
    passed = ClientOutlook(usual_day=3, usual_amount=D("70.00"))

    assert usual_day([12, 15, 31, 14]) == 14
    assert expected_by_day([regular, passed], today=TODAY, last=LAST) == {day(14): D("70.00")}


def spec_input(payments: tuple[Payment, ...]) -> BonusInput:
    scheme = Scheme(
        plan=D("50000000.00"),
        threshold=D("40000000.00"),
        rate=Fraction(5, 1000),
        head_share=Fraction(2, 5),
        milestones=(
            Milestone(15, Fraction(1, 2), Fraction(1, 3)),
            Milestone(25, Fraction(9, 10), Fraction(1, 3)),
        ),
    )
    return BonusInput(
        scheme=scheme, year=2026, month=10, payments=payments, staff=("masha", "vasya", "olya")
    )


def test_a_gate_is_worth_its_tranche_as_the_engine_splits_it() -> None:
    # SPEC's plan collected: the first gate's third of 50,000, split as the engine does.
    data = spec_input((Payment(day(20), D("50000000.00")),))

    worth = gate_worth(data, 0)

    assert worth.pool == D("16666.67")
    assert worth.head == D("6666.67")
    assert dict(worth.staff) == {
        "masha": D("3333.33"),
        "vasya": D("3333.33"),
        "olya": D("3333.34"),
    }
    assert worth.head + sum(worth.staff.values()) == worth.pool


# --- on the dashboard -----------------------------------------------------------------


@pytest.fixture(autouse=True)
def _english_on_the_10th(settings: object, monkeypatch: pytest.MonkeyPatch) -> None:
    settings.LANGUAGE_CODE = "en"
    monkeypatch.setattr(timezone, "localdate", lambda *args: TODAY)


@pytest.fixture
def october(cast: Cast) -> None:
    """SPEC's scheme; 20 M collected on the 5th; Alpha (Masha's) owes 10 M due on the
    12th, promised 4 M for the 14th; 1 M more came from Beta, which is not invoiced."""
    set_scheme(cast)
    alpha = ClientFactory(name="Alpha", department=cast.dept, responsible=cast.masha)
    PaymentFactory(client=alpha, received_on=day(5), amount=D("20000000.00"))
    Invoice.objects.create(
        client=alpha,
        month=OCTOBER,
        number="1",
        issued_on=day(1),
        due_on=day(12),
        amount=D("30000000.00"),
    )
    Promise.objects.create(
        client=alpha,
        called_on=TODAY,
        promised_on=day(14),
        amount=D("4000000.00"),
        recorded_by=cast.masha.user,
    )


def test_the_dashboard_shows_each_gate_ahead_as_a_forecast(cast: Cast, october: None) -> None:
    http = HttpClient(HTTP_ACCEPT_LANGUAGE="en")
    http.force_login(cast.head.user)

    response = http.get(reverse("department_dashboard", args=[cast.dept.pk, OCTOBER]))

    first, second = response.context["outlook"].gates
    # 20 M collected; 10 M open, all of it expected by the 14th (4 M promised, 6 M due
    # on the 12th): 30 M by the 15th against 25 M required.
    assert (first.collected, first.expected, first.gap) == (
        D("20000000.00"),
        D("30000000.00"),
        D("0.00"),
    )
    assert (second.required, second.gap) == (D("45000000.00"), D("15000000.00"))
    # At 30 M collected the pool is nil: the gates are worth nothing yet.
    assert first.worth.pool == D("0.00")
    page = response.content.decode()
    assert "Gate of 15 October (forecast)" in page
    assert "A forecast, not collected money" in page


def test_the_what_if_shows_the_bonus_before_and_after(cast: Cast, october: None) -> None:
    http = HttpClient(HTTP_ACCEPT_LANGUAGE="en")
    http.force_login(cast.masha.user)
    url = reverse("what_if", args=[cast.dept.pk, OCTOBER])

    response = http.get(url, {"amount": "30000000", "by": "2026-10-15"}, HTTP_HX_REQUEST="true")

    result = response.context["result"]
    # 20 M + 30 M by the 15th: the plan, both gates met → SPEC's 50,000 (head 20,000).
    assert (result.before.earned, result.after.earned) == (D("0.00"), D("50000.00"))
    assert result.worth.head == D("20000.00")
    assert result.needed == [(15, D("5000000.00")), (25, D("25000000.00"))]
    page = response.content.decode()
    assert "<html" not in page
    assert "Still needed by the 15th for its tranche" in page


def test_a_what_if_with_a_day_outside_the_month_names_the_field(cast: Cast, october: None) -> None:
    http = HttpClient(HTTP_ACCEPT_LANGUAGE="en")
    http.force_login(cast.masha.user)

    response = http.get(
        reverse("what_if", args=[cast.dept.pk, OCTOBER]), {"amount": "1", "by": "2026-11-01"}
    )

    assert response.status_code == 200
    assert "by" in response.context["form"].errors
    assert response.context["result"] is None


def test_staff_see_their_own_clients_and_what_the_next_gate_is_worth_to_them(
    cast: Cast, october: None
) -> None:
    http = HttpClient(HTTP_ACCEPT_LANGUAGE="en")
    http.force_login(cast.masha.user)

    response = http.get(reverse("department_dashboard", args=[cast.dept.pk, OCTOBER]))

    part = response.context["own_part"]
    assert [(row.client.name, row.owed) for row in part.owed] == [("Alpha", D("10000000.00"))]
    assert part.next_gate.day == 15
    assert part.gate_worth == D("0.00")
    assert "Your part" in response.content.decode()


def test_the_cockpit_on_the_dashboard_reads_a_fixed_number_of_queries(
    cast: Cast, october: None
) -> None:
    http = HttpClient(HTTP_ACCEPT_LANGUAGE="en")
    http.force_login(cast.masha.user)
    url = reverse("department_dashboard", args=[cast.dept.pk, OCTOBER])

    def count() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert http.get(url).status_code == 200
        return len(captured)

    before = count()
    for n in range(6):
        client = ClientFactory(department=cast.dept, responsible=cast.vasya)
        PaymentFactory(client=client, received_on=dt.date(2026, 9, 3 + n))
        Invoice.objects.create(
            client=client,
            month=OCTOBER,
            number=f"X{n}",
            issued_on=day(1),
            due_on=day(20),
            amount=D("5000.00"),
        )
    assert count() == before
