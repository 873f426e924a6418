"""The dashboard chart's forecast band: its figures (compensation.forecast), its geometry
(compensation.charts) and how the page draws it apart from collected money."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

import pytest
from django.test import Client as HttpClient
from django.urls import reverse
from django.utils import timezone
from hypothesis import given
from hypothesis import strategies as st

from compensation.charts import BOTTOM, HEIGHT, LEFT, RIGHT, TOP, WIDTH, collections_chart
from compensation.forecast import BandDay, ClientOutlook, expected_arrivals, forecast_band
from payments.models import Invoice, Promise
from tests.factories import Cast, ClientFactory, PaymentFactory
from tests.test_workflow_helpers import OCTOBER, set_scheme

D = Decimal
TODAY = dt.date(2026, 10, 10)
LAST = dt.date(2026, 10, 31)


def day(n: int) -> dt.date:
    return dt.date(2026, 10, n)


def test_the_low_edge_counts_only_what_clients_promised() -> None:
    client = ClientOutlook(
        open_invoices=((day(5), D("300.00")), (day(20), D("200.00"))),
        promises=((day(14), D("250.00")), (day(8), D("999.00"))),  # the 8th has passed
    )
    usual = ClientOutlook(usual_day=20, usual_amount=D("70.00"))

    assert expected_arrivals(client, today=TODAY, last=LAST, promised_only=True) == [
        (day(14), D("250.00"))
    ]
    assert expected_arrivals(usual, today=TODAY, last=LAST, promised_only=True) == []


def test_the_band_runs_from_collected_today_to_the_months_end() -> None:
    band = forecast_band(
        D("100.00"),
        low={day(12): D("50.00")},
        high={day(10): D("20.00"), day(12): D("50.00"), day(14): D("30.00")},
        today=TODAY,
        last=dt.date(2026, 10, 15),
    )

    assert band == [
        BandDay(day(10), D("100.00"), D("120.00")),
        BandDay(day(11), D("100.00"), D("120.00")),
        BandDay(day(12), D("150.00"), D("170.00")),
        BandDay(day(13), D("150.00"), D("170.00")),
        BandDay(day(14), D("150.00"), D("200.00")),
        BandDay(day(15), D("150.00"), D("200.00")),
    ]


@given(
    collected=st.decimals(min_value=0, max_value=10**9, places=2),
    promised=st.lists(st.tuples(st.integers(10, 31), st.integers(0, 10**8)), max_size=8),
    other=st.lists(st.tuples(st.integers(10, 31), st.integers(0, 10**8)), max_size=8),
)
def test_the_low_edge_never_rises_above_the_high_one(
    collected: Decimal, promised: list[tuple[int, int]], other: list[tuple[int, int]]
) -> None:
    low: dict[dt.date, Decimal] = {}
    for n, kopecks in promised:
        low[day(n)] = low.get(day(n), D("0.00")) + D(kopecks) / 100
    high = dict(low)
    for n, kopecks in other:
        high[day(n)] = high.get(day(n), D("0.00")) + D(kopecks) / 100

    band = forecast_band(collected, low=low, high=high, today=TODAY, last=LAST)

    assert [b.date for b in band] == [day(n) for n in range(10, 32)]
    assert all(collected <= b.low <= b.high for b in band)
    assert band[-1].low == collected + sum(low.values(), D("0.00"))
    assert band[-1].high == collected + sum(high.values(), D("0.00"))


def _points(text: str) -> list[tuple[int, int]]:
    return [tuple(int(v) for v in pair.split(",")) for pair in text.split()]  # type: ignore[misc]


def test_the_band_is_an_outline_along_the_high_edge_and_back_along_the_low() -> None:
    chart = collections_chart(
        cumulative=[(day(5), D("20000000")), (day(10), D("20000000"))],
        last_day=30,
        plan=D("50000000"),
        milestones=[(15, D("25000000"), None)],
        band=[(10, D("20000000"), D("20000000")), (20, D("24000000"), D("60000000"))],
    )

    # The axis grows to the high edge (60 M, above the plan), in round steps.
    assert [t.value for t in chart.y_ticks] == [D(20_000_000) * i for i in range(4)]
    x_per_day = D(WIDTH - LEFT - RIGHT) / 30
    y_per_rouble = D(HEIGHT - TOP - BOTTOM) / 60_000_000

    def at(n: int, amount: int) -> tuple[int, int]:
        return (round(LEFT + x_per_day * n), round(HEIGHT - BOTTOM - y_per_rouble * amount))

    assert _points(chart.band) == [
        at(10, 20_000_000),
        at(20, 60_000_000),
        at(20, 24_000_000),
        at(10, 20_000_000),
    ]
    assert chart.band_label is not None
    assert (chart.band_label.x, chart.band_label.y) == at(20, 42_000_000)
    # The collected line stays its own: it ends where the money collected ends.
    assert _points(chart.lines["actual"])[-1] == at(10, 20_000_000)
    assert _points(chart.lines["plan"]) == [at(0, 0), at(30, 50_000_000)]
    assert chart.markers[0].y == at(15, 25_000_000)[1]


def test_without_a_forecast_there_is_no_band() -> None:
    chart = collections_chart(cumulative=[], last_day=31, plan=D("50000000"))

    assert chart.band == ""
    assert chart.band_label is None


# --- on the dashboard -----------------------------------------------------------------


@pytest.fixture
def october(cast: Cast, settings: object, monkeypatch: pytest.MonkeyPatch) -> None:
    """SPEC's scheme; 20 M collected on the 5th; Alpha owes 10 M: 4 M promised for the
    14th, the other 6 M due on the 12th. Today is the 10th."""
    settings.LANGUAGE_CODE = "en"
    monkeypatch.setattr(timezone, "localdate", lambda *args: TODAY)
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


@pytest.mark.parametrize(
    ("language", "label", "heading"),
    [
        ("en", "forecast", "The forecast band as a table (a forecast, not collected money)"),
        ("ru", "прогноз", "Прогноз в виде таблицы (прогноз, а не собранные деньги)"),
    ],
)
def test_the_dashboard_draws_the_band_labelled_as_a_forecast_with_its_table(
    cast: Cast, october: None, language: str, label: str, heading: str
) -> None:
    http = HttpClient(HTTP_ACCEPT_LANGUAGE=language)
    http.force_login(cast.head.user)

    response = http.get(reverse("department_dashboard", args=[cast.dept.pk, OCTOBER]))

    band = response.context["outlook"].band
    assert (band[0].date, band[0].low, band[0].high) == (day(10), D("20000000"), D("20000000"))
    assert (band[2].low, band[2].high) == (D("20000000"), D("26000000"))
    assert (band[-1].date, band[-1].low, band[-1].high) == (
        day(31),
        D("24000000"),
        D("30000000"),
    )
    page = response.content.decode()
    svg = page[page.index("<svg") : page.index("</svg>")]
    assert re.search(rf'<polygon class="forecast-band" points="[^"]+"><title>{label}</title>', svg)
    assert f">{label}</text>" in svg
    # The forecast has its own table; the collected one still ends at today.
    forecast_table = page[page.index('id="forecast-table"') :]
    assert heading in forecast_table
    assert "30,000,000.00" in forecast_table or "30\xa0000\xa0000,00" in forecast_table
    assert response.context["summary"].cumulative[-1].day == TODAY


def test_a_month_over_has_no_band(cast: Cast, october: None) -> None:
    http = HttpClient(HTTP_ACCEPT_LANGUAGE="en")
    http.force_login(cast.head.user)

    response = http.get(reverse("department_dashboard", args=[cast.dept.pk, dt.date(2026, 9, 1)]))

    assert response.context["chart"].band == ""
    assert 'class="forecast-band"' not in response.content.decode()


def test_the_what_if_reads_a_fixed_number_of_queries(cast: Cast, october: None) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    http = HttpClient(HTTP_ACCEPT_LANGUAGE="en")
    http.force_login(cast.masha.user)
    url = reverse("what_if", args=[cast.dept.pk, OCTOBER])

    def count() -> int:
        with CaptureQueriesContext(connection) as captured:
            response = http.get(url, {"amount": "1000000", "by": "2026-10-25"})
        assert response.context["result"] is not None
        return len(captured)

    before = count()
    for n in range(6):
        client = ClientFactory(department=cast.dept, responsible=cast.vasya)
        PaymentFactory(client=client, received_on=dt.date(2026, 9, 3 + n))
        Invoice.objects.create(
            client=client,
            month=OCTOBER,
            number=f"W{n}",
            issued_on=day(1),
            due_on=day(20),
            amount=D("5000.00"),
        )
        Promise.objects.create(
            client=client,
            called_on=TODAY,
            promised_on=day(22),
            amount=D("100.00"),
            recorded_by=cast.vasya.user,
        )
    assert count() == before


def test_a_clients_habit_is_its_payment_days_and_average_month_before_this_one(
    cast: Cast,
) -> None:
    from django.utils import timezone as tz

    from payments.outstanding import usual_payers

    alpha = ClientFactory(department=cast.dept)
    for when, amount in (
        (dt.date(2026, 8, 14), "200.00"),
        (dt.date(2026, 9, 3), "100.00"),
        (dt.date(2026, 9, 3), "50.00"),
        (day(5), "30.00"),
    ):
        PaymentFactory(client=alpha, received_on=when, amount=D(amount))
    voided = PaymentFactory(client=alpha, received_on=dt.date(2026, 9, 20), amount=D("999.00"))
    voided.voided_at, voided.void_reason = tz.now(), "twice"
    voided.save()
    only_now = ClientFactory(department=cast.dept)
    PaymentFactory(client=only_now, received_on=day(2))
    PaymentFactory(client=ClientFactory(department=cast.other), received_on=dt.date(2026, 9, 9))

    payers = usual_payers(cast.dept, OCTOBER)

    assert [(p.client_id, sorted(p.days), p.monthly, p.this_month) for p in payers] == [
        (alpha.pk, [3, 14], D("175.00"), D("30.00"))
    ]
