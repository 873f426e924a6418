"""Figures explained to people: the scheme beside the naive rate, and "my bonus".

Reads only; every amount comes from the engine (through ``compensation.selectors`` for
a period's frozen data), so an explanation can never disagree with the pay.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, replace
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from typing import Any

from django.db.models import Count, Q, Sum

from accounts import policy
from accounts.models import Department, Employee
from accounts.selectors import month_presence
from compensation import lifecycle
from compensation.engine import (
    KOPECK,
    SPLIT_BY_PRESENCE,
    SPLIT_EQUAL,
    BonusResult,
    Presence,
    Scheme,
    calculate,
    calculate_on_time,
)
from compensation.models import (
    BonusPeriod,
    MonthlyScheme,
    PayLine,
    PeriodState,
    ProposalLine,
    Revision,
)
from compensation.scenario import parse_ratio, result_to_json
from compensation.selectors import (
    MonthFigures,
    figures_input,
    frozen_input,
    month_figures,
    staff_key,
)
from payments.selectors import ZERO, month_bounds

_ANY_STAFF = ("staff",)


def bonus_at(
    scheme: Scheme, collected: Decimal, month: dt.date, staff: tuple[str, ...] = _ANY_STAFF
) -> BonusResult:
    """The engine on ``collected`` received on the month's first day: every milestone met."""
    return calculate_on_time(scheme, collected, month=month, staff=staff)


def bonus_at_plan(scheme: MonthlyScheme, staff: tuple[str, ...] = _ANY_STAFF) -> BonusResult:
    """What the month's bonus becomes if exactly the plan is collected, every gate in time.

    Reads the milestones once (none if they were prefetched).
    """
    engine_scheme = scheme.to_engine(list(scheme.milestones.all()))
    return bonus_at(engine_scheme, scheme.plan, scheme.month, staff)


@dataclass(frozen=True)
class SchemePoint:
    collected: Decimal
    bonus: Decimal  # this scheme, every gate met
    naive: Decimal  # the flat percent of turnover that pays the same at plan


@dataclass(frozen=True)
class SchemeComparison:
    """SPEC section 2's argument in figures: this scheme against a flat percent of turnover.

    The flat rate is the one that pays the same at plan (``charts.scheme_chart``'s).
    """

    naive_rate: Decimal
    at_threshold: SchemePoint
    at_plan: SchemePoint
    above_plan: SchemePoint  # plan + 10 %

    @property
    def last_stretch_bonus(self) -> Decimal:
        """What this scheme pays for the way from break-even to plan."""
        return self.at_plan.bonus - self.at_threshold.bonus

    @property
    def last_stretch_naive(self) -> Decimal:
        return self.at_plan.naive - self.at_threshold.naive

    @property
    def beyond_plan_bonus(self) -> Decimal:
        return self.above_plan.bonus - self.at_plan.bonus

    @property
    def beyond_plan_naive(self) -> Decimal:
        return self.above_plan.naive - self.at_plan.naive


def scheme_comparison(scheme: Scheme, naive_rate: Decimal, month: dt.date) -> SchemeComparison:
    """The scheme's bonus and the flat rate's at break-even, at plan and 10 % above plan."""
    above = (scheme.plan * Decimal("1.1")).quantize(KOPECK)
    points = [
        SchemePoint(
            collected,
            bonus_at(scheme, collected, month).earned,
            (collected * naive_rate).quantize(KOPECK, rounding=ROUND_HALF_UP),
        )
        for collected in (scheme.threshold, scheme.plan, above)
    ]
    return SchemeComparison(naive_rate, *points)


def ratio_percent(value: Fraction | Decimal | str) -> Decimal:
    """A rate or share as a percent for display: ``0.005`` → 0.5, ``1/3`` → 33.33."""
    percent = (parse_ratio(value, "value") if isinstance(value, str) else Fraction(value)) * 100
    exact = Decimal(percent.numerator) / Decimal(percent.denominator)
    if exact == exact.to_integral_value():
        return exact.quantize(Decimal(1))
    return exact.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP).normalize()


@dataclass(frozen=True)
class ChainTranche:
    day: int
    date: dt.date
    share_of_plan: Fraction  # of the plan, as the scheme holds it
    fraction: Fraction  # of the pool
    required: Decimal
    collected: Decimal
    met: bool
    amount: Decimal
    earned: Decimal


@dataclass(frozen=True)
class BonusChain:
    """SPEC section 3 step by step, for one month: the figures the My bonus page writes out.

    Built from the engine's JSON (``result_to_json``) so a stored approval and a live
    calculation read the same way; no staff member's line is kept here.
    """

    plan: Decimal
    threshold: Decimal
    rate: Fraction  # as the scheme holds it; pages write it with ``as_percent``
    head_share: Fraction
    collected: Decimal
    excess: Decimal
    pool: Decimal
    tranches: tuple[ChainTranche, ...]
    final_fraction: Fraction
    final_tranche: Decimal
    earned: Decimal
    forfeited: Decimal
    head: Decimal
    staff_pool: Decimal
    awards_total: Decimal
    deductions_total: Decimal
    remainder: Decimal
    staff_count: int
    equal_share: Decimal
    leftover_kopecks: int


def bonus_chain(result: Mapping, scheme: Mapping) -> BonusChain:
    """The chain from a ``result_to_json`` dict and the scheme (plan, threshold, rate, share)."""
    staff = result["staff"].values()
    equal_share = Decimal(result["equal_share"])
    remainder = Decimal(result["remainder"])
    return BonusChain(
        plan=Decimal(scheme["plan"]),
        threshold=Decimal(scheme["threshold"]),
        rate=parse_ratio(str(scheme["rate"]), "rate"),
        head_share=parse_ratio(str(scheme["head_share"]), "head_share"),
        collected=Decimal(result["collected"]),
        excess=Decimal(result["excess"]),
        pool=Decimal(result["pool"]),
        tranches=tuple(
            ChainTranche(
                day=m["day"],
                date=dt.date.fromisoformat(m["date"]),
                share_of_plan=parse_ratio(m["share_of_plan"], "share_of_plan"),
                fraction=parse_ratio(m["fraction"], "fraction"),
                required=Decimal(m["required"]),
                collected=Decimal(m["collected"]),
                met=m["met"],
                amount=Decimal(m["amount"]),
                earned=Decimal(m["earned"]),
            )
            for m in result["milestones"]
        ),
        final_fraction=parse_ratio(result["final_fraction"], "final_fraction"),
        final_tranche=Decimal(result["final_tranche"]),
        earned=Decimal(result["earned"]),
        forfeited=Decimal(result["forfeited"]),
        head=Decimal(result["head"]),
        staff_pool=Decimal(result["staff_pool"]),
        awards_total=sum((Decimal(line["award"]) for line in staff), ZERO),
        deductions_total=sum((Decimal(line["deduction"]) for line in staff), ZERO),
        remainder=remainder,
        staff_count=len(staff),
        equal_share=equal_share,
        leftover_kopecks=int((remainder - equal_share * len(staff)).scaleb(2)),
    )


def scheme_terms(scheme: MonthlyScheme) -> dict[str, str]:
    """The scheme's terms in the frozen-scheme shape that :func:`bonus_chain` reads."""
    return {
        "plan": f"{scheme.plan:.2f}",
        "threshold": f"{scheme.threshold:.2f}",
        "rate": scheme.rate,
        "head_share": scheme.head_share,
    }


def frozen_result_before_awards(period: BonusPeriod) -> BonusResult:
    """A closed period's figures with no awards or deductions: those await approval."""
    return calculate(frozen_input(period, awards={}, deductions={}))


def latest_approved_revision(period: BonusPeriod) -> Revision | None:
    return period.revisions.filter(approved_at__isnull=False).order_by("-number").first()


def team_adjustments(revision: Revision) -> list[ProposalLine]:
    """The revision's awards and deductions that count, with the people they concern."""
    lines = revision.proposal.select_related("employee").order_by("employee__full_name")
    return [line for line in lines if line.award or line.deduction]


def my_pay_months(employee: Employee) -> list[dict]:
    """The months with an approved pay line of ``employee``, newest first (one query)."""
    return list(
        PayLine.objects.filter(employee=employee, revision__approved_at__isnull=False)
        .values("revision__period__month", "revision__period__department__name")
        .annotate(revisions=Count("id"))
        .order_by("-revision__period__month", "revision__period__department__name")
    )


@dataclass(frozen=True)
class SettledBonus:
    """An approved month's bonus as its pay lines pay it: team totals, nobody's own line."""

    revision: Revision
    paid: bool
    total: Decimal
    head: Decimal
    staff: Decimal
    staff_count: int


def settled_bonus(period: BonusPeriod) -> SettledBonus | None:
    """The totals of the latest approved revision's pay lines (one query each)."""
    revision = latest_approved_revision(period)
    if revision is None:
        return None
    totals = revision.pay_lines.aggregate(
        head=Sum("bonus", filter=Q(is_head=True), default=ZERO),
        staff=Sum("bonus", filter=Q(is_head=False), default=ZERO),
        staff_count=Count("id", filter=Q(is_head=False)),
    )
    return SettledBonus(
        revision=revision,
        paid=period.state == lifecycle.PAID,
        total=totals["head"] + totals["staff"],
        **totals,
    )


def my_months(user: Any, employee: Employee) -> list[dict]:
    """Every month with a bonus period of ``employee``'s (as a member or the head), each
    with its state, newest first; approved months are listed even after they moved on.

    Two queries: the periods the policy shows the user, and the approved pay months.
    """
    periods = (
        policy.visible_periods(user)
        .filter(Q(members__employee=employee) | Q(head=employee) | Q(department__head=employee))
        .values_list("month", "state")
        .order_by("-month")
        .distinct()
    )
    months: dict[dt.date, str] = {}
    for month, state in periods:
        months.setdefault(month, state)
    for row in my_pay_months(employee):
        months.setdefault(row["revision__period__month"], lifecycle.APPROVED)
    return [
        {"month": month, "state": months[month], "label": PeriodState(months[month]).label}
        for month in sorted(months, reverse=True)
    ]


def frozen_daily_totals(period: BonusPeriod) -> tuple[tuple[dt.date, Decimal], ...]:
    return tuple((dt.date.fromisoformat(day), Decimal(total)) for day, total in period.daily_totals)


@dataclass(frozen=True)
class MyLine:
    """One person's own figures; ``None`` parts do not apply (the head has no equal share)."""

    bonus: Decimal
    base_salary: Decimal | None
    pay: Decimal | None
    equal_share: Decimal | None = None
    award: Decimal | None = None
    deduction: Decimal | None = None


@dataclass(frozen=True)
class MyPresence:
    """SPEC section 3 step 6 under ``by_presence``, for one person: days present out of
    the month's working days, their weight against everyone's, and the share it gives."""

    days: int
    of: int
    split: str
    remainder: Decimal
    weights_total: Fraction
    share: Decimal

    @property
    def by_presence(self) -> bool:
        return self.split == SPLIT_BY_PRESENCE

    @property
    def weights_total_text(self) -> str:
        return f"{Decimal(self.weights_total.numerator) / self.weights_total.denominator:.4f}"


def my_presence(result: Mapping, key: str) -> MyPresence | None:
    """The person's presence step from a ``result_to_json`` dict; None if not recorded."""
    line = result["staff"].get(key)
    if line is None or "presence" not in line:
        return None
    weights = [
        Fraction(entry["presence"]["days"], entry["presence"]["of"]) if "presence" in entry else 1
        for entry in result["staff"].values()
    ]
    return MyPresence(
        days=line["presence"]["days"],
        of=line["presence"]["of"],
        split=result.get("split", SPLIT_EQUAL),
        remainder=Decimal(result["remainder"]),
        weights_total=sum(weights, Fraction(0)),
        share=Decimal(line["equal_share"]),
    )


class BonusStage:
    APPROVED = "approved"  # from the approved revision, as stored at approval
    PENDING = "pending"  # closed, awards and deductions not yet approved
    LIVE = "live"  # the month is open: live collections, provisional


@dataclass(frozen=True)
class MyBonus:
    """What the My bonus page shows for one person and month: team figures and their own."""

    stage: str
    is_head: bool
    period: BonusPeriod | None = None
    chain: BonusChain | None = None
    mine: MyLine | None = None
    revision: Revision | None = None  # the approved revision shown
    later_revision: int | None = None  # a correction in progress after it
    adjustments: tuple[ProposalLine, ...] = ()
    # The scheme may keep the approved awards and deductions from the team (the totals stay).
    adjustments_shown: bool = True
    problem: str = ""
    presence: MyPresence | None = None
    # The month's collections by day, for the chart: frozen at close, else live.
    daily_totals: tuple[tuple[dt.date, Decimal], ...] = ()

    @property
    def settled(self) -> bool:
        """Approved (and maybe paid): the figures are what is, or was, paid."""
        return self.stage == BonusStage.APPROVED

    @property
    def paid(self) -> bool:
        return self.settled and self.period is not None and self.period.state == lifecycle.PAID


def my_bonus_figures(
    user: Any, employee: Employee, department: Department, month: dt.date
) -> MyBonus:
    """The month's chain for ``employee`` (``user``'s): approved if it is, else frozen, else live.

    Never reads another person's pay line; the team's approved awards and deductions come
    from the proposal, with their reasons, where the policy lets ``user`` see them.
    """
    first, _last = month_bounds(month)
    period = (
        BonusPeriod.objects.filter(department=department, month=first)
        .select_related("department")
        .first()
    )
    if period is None or lifecycle.takes_payments(period.state):
        return _live_bonus(employee, department, first, period)
    revision = latest_approved_revision(period)
    if revision is None:
        return _pending_bonus(employee, period)
    return _approved_bonus(user, employee, period, revision)


def _approved_bonus(
    user: Any, employee: Employee, period: BonusPeriod, revision: Revision
) -> MyBonus:
    line = revision.pay_lines.filter(employee=employee).first()
    mine = None
    if line is not None:
        mine = MyLine(
            bonus=line.bonus,
            base_salary=line.base_salary,
            pay=line.total,
            equal_share=None if line.is_head else line.equal_share,
            award=None if line.is_head else line.award,
            deduction=None if line.is_head else line.deduction,
        )
    return MyBonus(
        stage=BonusStage.APPROVED,
        is_head=line.is_head if line else period.head_id == employee.pk,
        period=period,
        chain=bonus_chain(revision.result, period.frozen_scheme),
        mine=mine,
        revision=revision,
        later_revision=period.revision if period.revision > revision.number else None,
        daily_totals=frozen_daily_totals(period),
        presence=my_presence(revision.result, staff_key(employee)),
        **_adjustments(user, revision),
    )


def _adjustments(user: Any, revision: Revision) -> dict[str, Any]:
    if not policy.can(user, policy.Action.VIEW_ADJUSTMENTS, revision):
        return {"adjustments": (), "adjustments_shown": False}
    return {"adjustments": tuple(team_adjustments(revision))}


def _pending_bonus(employee: Employee, period: BonusPeriod) -> MyBonus:
    result = frozen_result_before_awards(period)
    is_head = period.head_id == employee.pk
    as_json = result_to_json(result)
    return MyBonus(
        stage=BonusStage.PENDING,
        is_head=is_head,
        period=period,
        chain=bonus_chain(as_json, period.frozen_scheme),
        mine=_own_line(result, employee, is_head),
        daily_totals=frozen_daily_totals(period),
        presence=my_presence(as_json, staff_key(employee)),
    )


def _live_bonus(
    employee: Employee, department: Department, month: dt.date, period: BonusPeriod | None
) -> MyBonus:
    is_head = department.head_id == employee.pk
    figures = month_figures(department, month)
    if figures.scheme is None:
        return MyBonus(stage=BonusStage.LIVE, is_head=is_head, period=period, problem="no_scheme")
    if not figures.staff:
        return MyBonus(stage=BonusStage.LIVE, is_head=is_head, period=period, problem="no_staff")
    data = figures_input(figures)
    if not data.presence and not is_head:
        # Under the equal split days present weigh nothing, yet each person sees theirs,
        # as a closed month shows them: the engine records them on the line.
        data = replace(data, presence=_days_present(figures))
    result = calculate(data)
    as_json = result_to_json(result)
    return MyBonus(
        stage=BonusStage.LIVE,
        is_head=is_head,
        period=period,
        chain=bonus_chain(as_json, scheme_terms(figures.scheme)),
        mine=_own_line(result, employee, is_head),
        daily_totals=tuple(figures.daily_totals),
        presence=my_presence(as_json, staff_key(employee)),
    )


def _days_present(figures: MonthFigures) -> dict[str, Presence]:
    people = {m.employee.pk: m.employee for m in figures.staff}
    return {
        staff_key(people[pk]): Presence(days=p.days, of=p.of)
        for pk, p in month_presence(figures.department, figures.month, people).items()
        if p.of
    }


def _own_line(result: BonusResult, employee: Employee, is_head: bool) -> MyLine | None:
    if is_head:
        return MyLine(bonus=result.head, base_salary=result.head_base_salary, pay=result.head_pay)
    try:
        line = result.line(staff_key(employee))
    except KeyError:
        return None
    return MyLine(
        bonus=line.bonus,
        base_salary=line.base_salary,
        pay=line.pay,
        equal_share=line.equal_share,
        award=line.award,
        deduction=line.deduction,
    )
