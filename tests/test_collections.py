"""Collection figures for a department and month, against figures worked out by hand."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest
from django.utils import timezone
from pytest_django import DjangoAssertNumQueries

from compensation.models import MonthlyScheme, SchemeMilestone
from payments import selectors
from payments.models import Client, Payment, Source
from payments.selectors import (
    ClientTotal,
    DayTotal,
    MilestoneStatus,
    ResponsibleTotal,
    collected_total,
    collections_summary,
    cumulative_by_day,
    daily_totals,
    plan_progress,
    totals_by_client,
    totals_by_responsible,
)
from payments.services import payment_void
from tests.factories import Cast, ClientFactory, PaymentFactory

OCTOBER = dt.date(2026, 10, 1)
MID_OCTOBER = dt.date(2026, 10, 12)
AFTER_OCTOBER = dt.date(2026, 11, 27)


def day(n: int) -> dt.date:
    return OCTOBER.replace(day=n)


def money(value: str) -> Decimal:
    return Decimal(value)


class Month:
    """October in the department, worked out by hand.

    counted: alfa 100.00 (1st) + 250.50 (3rd); beta 1,000.00 (3rd) + 400.00 (20th, taken
    while Vasya covered it); gamma 300.25 (10th) + 49.25 (31st) — 2,100.00 in all.
    Not counted: a voided 5,000.00, alfa's 777.00 in September and 888.00 in November,
    and 999.00 paid to the other department.
    """

    def __init__(self, cast: Cast) -> None:
        self.alfa = ClientFactory(department=cast.dept, name="Alfa", responsible=cast.masha)
        self.beta = ClientFactory(department=cast.dept, name="Beta", responsible=cast.masha)
        self.gamma = ClientFactory(department=cast.dept, name="Gamma", responsible=cast.vasya)
        delta = ClientFactory(department=cast.other, name="Delta", responsible=cast.sergey)
        self.pay(self.alfa, day(1), "100.00")
        self.pay(self.alfa, day(3), "250.50")
        self.pay(self.beta, day(3), "1000.00")
        self.pay(self.beta, day(20), "400.00", responsible=cast.vasya)
        self.pay(self.gamma, day(10), "300.25")
        self.pay(self.gamma, day(31), "49.25")
        self.pay(
            self.beta,
            day(5),
            "5000.00",
            voided_at=timezone.now(),
            voided_by=cast.accountant.user,
            void_reason="Entered twice",
        )
        self.pay(self.alfa, dt.date(2026, 9, 30), "777.00")
        self.pay(self.alfa, dt.date(2026, 11, 1), "888.00")
        self.pay(delta, day(5), "999.00")

    def pay(self, client: Client, received_on: dt.date, amount: str, **extra: Any) -> Payment:
        return PaymentFactory(client=client, received_on=received_on, amount=money(amount), **extra)


@pytest.fixture
def month(cast: Cast) -> Month:
    return Month(cast)


@pytest.fixture
def scheme(cast: Cast) -> MonthlyScheme:
    """Plan 2,000; threshold 1,000; 10 %; gates: half the plan by the 5th, 90 % by the 15th."""
    scheme = MonthlyScheme.objects.create(
        department=cast.dept,
        month=OCTOBER,
        plan=money("2000.00"),
        threshold=money("1000.00"),
        rate="0.1",
        head_share="0.40",
    )
    SchemeMilestone.objects.create(scheme=scheme, day=5, share_of_plan="0.50", fraction="1/3")
    SchemeMilestone.objects.create(scheme=scheme, day=15, share_of_plan="0.90", fraction="1/3")
    return scheme


# --- totals ----------------------------------------------------------------------------------


def test_collected_counts_only_the_months_live_payments(cast: Cast, month: Month) -> None:
    # As a string, so the check covers the two decimal places on every database.
    assert str(collected_total(cast.dept, day(17))) == "2100.00"


def test_collected_is_zero_for_a_month_without_payments(cast: Cast, month: Month) -> None:
    assert collected_total(cast.dept, dt.date(2026, 12, 1)) == money("0.00")


def test_daily_totals_sum_each_day(cast: Cast, month: Month) -> None:
    assert daily_totals(cast.dept, OCTOBER) == [
        (day(1), money("100.00")),
        (day(3), money("1250.50")),
        (day(10), money("300.25")),
        (day(20), money("400.00")),
        (day(31), money("49.25")),
    ]


def test_cumulative_lists_every_day_up_to_today(cast: Cast, month: Month) -> None:
    rows = cumulative_by_day(cast.dept, OCTOBER, today=MID_OCTOBER)

    assert [row.day for row in rows] == [day(n) for n in range(1, 13)]
    assert rows[0] == DayTotal(day(1), money("100.00"), money("100.00"))
    assert rows[1] == DayTotal(day(2), money("0.00"), money("100.00"))
    assert rows[2] == DayTotal(day(3), money("1250.50"), money("1350.50"))
    assert rows[-1] == DayTotal(day(12), money("0.00"), money("1650.75"))


def test_cumulative_of_a_past_month_runs_to_its_end(cast: Cast, month: Month) -> None:
    rows = cumulative_by_day(cast.dept, OCTOBER, today=AFTER_OCTOBER)

    assert len(rows) == 31
    assert rows[19] == (day(20), money("400.00"), money("2050.75"))
    assert rows[-1] == (day(31), money("49.25"), money("2100.00"))


def test_cumulative_of_a_month_not_yet_begun_is_empty(cast: Cast, month: Month) -> None:
    assert cumulative_by_day(cast.dept, dt.date(2026, 12, 1), today=AFTER_OCTOBER) == []


def test_totals_by_client_largest_first(cast: Cast, month: Month) -> None:
    assert totals_by_client(cast.dept, OCTOBER) == [
        ClientTotal(month.beta.pk, "Beta", month.beta.inn, money("1400.00"), 2),
        ClientTotal(month.alfa.pk, "Alfa", month.alfa.inn, money("350.50"), 2),
        ClientTotal(month.gamma.pk, "Gamma", month.gamma.inn, money("349.50"), 2),
    ]


def test_totals_by_client_can_be_limited(cast: Cast, month: Month) -> None:
    top = totals_by_client(cast.dept, OCTOBER, limit=2)

    assert [(row.name, str(row.total)) for row in top] == [("Beta", "1400.00"), ("Alfa", "350.50")]


def test_clients_tied_at_the_limit_are_taken_by_name(cast: Cast) -> None:
    # given four clients, two of them tied on the amount where a list of two is cut
    amounts = {"Zorro": "100.00", "Bora": "50.00", "Ara": "50.00", "Yak": "49.99"}
    for name, amount in amounts.items():
        client = ClientFactory(department=cast.dept, name=name)
        PaymentFactory(client=client, received_on=day(2), amount=money(amount))
    # then the tie is broken by the name, as in the whole list
    assert [row.name for row in totals_by_client(cast.dept, OCTOBER, limit=2)] == ["Zorro", "Ara"]
    assert [row.name for row in totals_by_client(cast.dept, OCTOBER)] == [
        "Zorro",
        "Ara",
        "Bora",
        "Yak",
    ]


def test_a_client_whose_payments_were_all_voided_is_left_out(cast: Cast, month: Month) -> None:
    # given a client of the third staff member who paid once, and then the payment voided
    zeta = ClientFactory(department=cast.dept, name="Zeta", responsible=cast.olya)
    payment = PaymentFactory(client=zeta, received_on=day(4), amount=money("9000.00"))
    payment_void(user=cast.accountant.user, payment=payment, reason="Wrong client")
    # then neither the client nor Olya appears
    assert [row.name for row in totals_by_client(cast.dept, OCTOBER)] == ["Beta", "Alfa", "Gamma"]
    assert [row.employee for row in totals_by_responsible(cast.dept, OCTOBER)] == [
        cast.masha,
        cast.vasya,
    ]


def test_totals_by_responsible_use_who_was_fixed_on_the_payment(cast: Cast, month: Month) -> None:
    # Beta belongs to Masha now, but its 400.00 was taken by Vasya while he covered it.
    assert totals_by_responsible(cast.dept, OCTOBER) == [
        ResponsibleTotal(cast.masha, money("1350.50"), 3),
        ResponsibleTotal(cast.vasya, money("749.50"), 3),
    ]


def test_totals_by_responsible_keep_payments_without_one(cast: Cast, month: Month) -> None:
    PaymentFactory(client=month.gamma, received_on=day(2), responsible=None, amount=money("5.00"))

    rows = totals_by_responsible(cast.dept, OCTOBER)

    assert rows[-1] == ResponsibleTotal(None, money("5.00"), 1)


# --- progress against the plan -----------------------------------------------------------


def test_no_scheme_means_no_progress(cast: Cast, month: Month) -> None:
    assert plan_progress(cast.dept, OCTOBER, today=MID_OCTOBER) is None


def test_progress_after_the_month(cast: Cast, month: Month, scheme: MonthlyScheme) -> None:
    progress = plan_progress(cast.dept, OCTOBER, today=AFTER_OCTOBER)

    assert progress is not None
    assert (progress.plan, progress.collected) == (money("2000.00"), money("2100.00"))
    assert progress.percent_of_plan == Decimal("105.0")
    # (2,100 − 1,000) × 10 % = 110.00, in thirds of 36.67, 36.67 and 36.66.
    assert progress.pool == money("110.00")
    first, second = progress.milestones
    assert (first.date, first.required, first.collected) == (
        day(5),
        money("1000.00"),
        money("1350.50"),
    )
    assert (first.status, first.still_needed, first.tranche) == (
        MilestoneStatus.MET,
        money("0.00"),
        money("36.67"),
    )
    assert (second.date, second.required, second.collected) == (
        day(15),
        money("1800.00"),
        money("1650.75"),
    )
    assert (second.status, second.still_needed, second.days_left) == (
        MilestoneStatus.MISSED,
        money("149.25"),
        0,
    )


def test_progress_mid_month_leaves_a_later_milestone_open(
    cast: Cast, month: Month, scheme: MonthlyScheme
) -> None:
    progress = plan_progress(cast.dept, OCTOBER, today=MID_OCTOBER)

    assert progress is not None
    first, second = progress.milestones
    assert first.status == MilestoneStatus.MET
    assert (second.status, second.still_needed, second.days_left) == (
        MilestoneStatus.OPEN,
        money("149.25"),
        3,
    )


def test_a_milestone_reached_early_is_met_before_its_date(
    cast: Cast, scheme: MonthlyScheme
) -> None:
    client = ClientFactory(department=cast.dept, responsible=cast.olya)
    PaymentFactory(client=client, received_on=day(2), amount=money("1000.00"))

    progress = plan_progress(cast.dept, OCTOBER, today=day(2))

    assert progress is not None
    first, second = progress.milestones
    assert (first.status, first.days_left) == (MilestoneStatus.MET, 3)
    assert (second.status, second.still_needed, second.days_left) == (
        MilestoneStatus.OPEN,
        money("800.00"),
        13,
    )


def test_the_dashboard_summary_gathers_every_figure(
    cast: Cast, month: Month, scheme: MonthlyScheme
) -> None:
    summary = collections_summary(cast.dept, day(20), today=AFTER_OCTOBER)

    assert summary.month == OCTOBER
    assert (summary.collected, summary.payment_count) == (money("2100.00"), 6)
    assert summary.cumulative == cumulative_by_day(cast.dept, OCTOBER, today=AFTER_OCTOBER)
    assert summary.by_client == totals_by_client(cast.dept, OCTOBER)
    assert summary.by_responsible == totals_by_responsible(cast.dept, OCTOBER)
    assert summary.progress == plan_progress(cast.dept, OCTOBER, today=AFTER_OCTOBER)


def test_the_summary_without_a_scheme_has_no_progress(cast: Cast, month: Month) -> None:
    assert collections_summary(cast.dept, OCTOBER, today=AFTER_OCTOBER).progress is None


# --- a constant number of queries --------------------------------------------------------


def _many_payments(cast: Cast, count: int) -> None:
    clients = [
        ClientFactory(department=cast.dept, responsible=employee)
        for employee in (cast.masha, cast.vasya, cast.olya, cast.masha)
    ]
    Payment.objects.bulk_create(
        Payment(
            client=clients[i % len(clients)],
            department=cast.dept,
            responsible=clients[i % len(clients)].responsible,
            amount=Decimal(1000 + i).quantize(Decimal("0.01")),
            received_on=day(1 + i % 31),
            source=Source.FILE,
            source_ref=f"bulk-{i}",
        )
        for i in range(count)
    )


QUERY_BOUNDS: list[tuple[str, Callable[..., Any], int]] = [
    ("daily_totals", lambda dept: daily_totals(dept, OCTOBER), 1),
    ("collected_total", lambda dept: collected_total(dept, OCTOBER), 1),
    ("cumulative_by_day", lambda dept: cumulative_by_day(dept, OCTOBER, today=AFTER_OCTOBER), 1),
    ("totals_by_client", lambda dept: totals_by_client(dept, OCTOBER), 2),
    ("totals_by_client_limited", lambda dept: totals_by_client(dept, OCTOBER, limit=5), 2),
    ("totals_by_responsible", lambda dept: totals_by_responsible(dept, OCTOBER), 2),
    ("plan_progress", lambda dept: plan_progress(dept, OCTOBER, today=AFTER_OCTOBER), 3),
    (
        "collections_summary",
        lambda dept: collections_summary(dept, OCTOBER, today=AFTER_OCTOBER),
        7,
    ),
]


@pytest.mark.parametrize("count", [10, 500])
@pytest.mark.parametrize(
    ("selector", "bound"),
    [pytest.param(fn, bound, id=name) for name, fn, bound in QUERY_BOUNDS],
)
def test_queries_do_not_grow_with_payments(
    cast: Cast,
    scheme: MonthlyScheme,
    django_assert_max_num_queries: DjangoAssertNumQueries,
    selector: Callable[..., Any],
    bound: int,
    count: int,
) -> None:
    _many_payments(cast, count)

    with django_assert_max_num_queries(bound):
        result = selector(cast.dept)

    assert result is not None


@pytest.mark.parametrize("count", [10, 500])
def test_the_figures_cover_every_payment(cast: Cast, scheme: MonthlyScheme, count: int) -> None:
    _many_payments(cast, count)
    expected = sum((Decimal(1000 + i) for i in range(count)), Decimal("0.00"))

    summary = selectors.collections_summary(cast.dept, OCTOBER, today=AFTER_OCTOBER)

    assert (summary.collected, summary.payment_count) == (expected, count)
    assert summary.cumulative[-1].running_total == expected
    assert sum(row.count for row in summary.by_responsible) == count


def test_no_top_clients_asked_reads_nothing(
    cast: Cast, month: Month, django_assert_num_queries: Any
) -> None:
    # The what-if asks for the month's figures without the clients' list.
    with django_assert_num_queries(0):
        assert totals_by_client(cast.dept, OCTOBER, limit=0) == []
