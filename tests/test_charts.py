"""Chart axes: round ticks, money written short in the page's language."""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

from django.utils import translation

from compensation.charts import collections_chart, nice_axis, scheme_chart
from compensation.engine import Scheme
from compensation.templatetags.charts import axis_money

NBSP = "\N{NO-BREAK SPACE}"


def test_ticks_are_one_two_two_and_a_half_or_five_times_a_power_of_ten() -> None:
    assert nice_axis(Decimal("50000000")) == tuple(Decimal(10_000_000) * i for i in range(6))
    assert nice_axis(Decimal("55000000")) == tuple(Decimal(20_000_000) * i for i in range(4))
    assert nice_axis(Decimal("66000")) == tuple(Decimal(20_000) * i for i in range(5))
    assert nice_axis(Decimal("11")) == (0, Decimal("2.5"), 5, Decimal("7.5"), 10, Decimal("12.5"))
    assert nice_axis(Decimal(0)) == (Decimal(0),)


def test_an_empty_month_shows_zero_to_plan() -> None:
    chart = collections_chart(cumulative=[], last_day=30, plan=Decimal("50000000"), milestones=())
    assert [tick.value for tick in chart.y_ticks] == [Decimal(10_000_000) * i for i in range(6)]


def test_the_scheme_chart_has_round_ticks() -> None:
    scheme = Scheme(
        plan=Decimal("50000000"),
        threshold=Decimal("40000000"),
        rate=Fraction(1, 200),
        head_share=Fraction(2, 5),
        milestones=(),
    )
    chart, _ = scheme_chart(scheme)
    assert [t.value for t in chart.x_ticks] == [Decimal(10_000_000) * i for i in range(7)]
    assert [t.value for t in chart.y_ticks] == [Decimal(20_000) * i for i in range(6)]


def test_axis_money_in_russian_and_english() -> None:
    with translation.override("ru"):
        assert axis_money(Decimal("50000000")) == f"50{NBSP}млн{NBSP}₽"
        assert axis_money(Decimal("2500000")) == f"2,5{NBSP}млн{NBSP}₽"
        assert axis_money(Decimal("20000")) == f"20{NBSP}тыс.{NBSP}₽"
        assert axis_money(Decimal("0")) == f"0{NBSP}₽"
    with translation.override("en"):
        assert axis_money(Decimal("50000000")) == f"50{NBSP}M{NBSP}₽"
        assert axis_money(Decimal("1250000")) == f"1.25{NBSP}M{NBSP}₽"
