"""The bonus engine: SPEC section 3 as one pure function.

No Django, no database, no request: inputs in, the whole breakdown out. Every page,
export and command calls :func:`calculate`; nothing else derives a bonus figure.

Money is :class:`~decimal.Decimal` with two places. Rates, shares and tranche
fractions are exact :class:`~fractions.Fraction` values, so ``"1/3"`` is one third and
not 0.333. Rounding is half up to the kopeck, and every split is made in whole kopecks
so that the parts add up to the whole.
"""

from __future__ import annotations

import calendar
import datetime as dt
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction

from core.money import KOPECK

ZERO = Decimal("0.00")
# How the remainder (step 6) is split among the staff: equally, or by days present.
SPLIT_EQUAL = "equal"
SPLIT_BY_PRESENCE = "by_presence"
SPLITS = (SPLIT_EQUAL, SPLIT_BY_PRESENCE)
# Amounts are stored as Decimal(14, 2): at most 12 digits before the point.
MAX_DIGITS_BEFORE_POINT = 12


class BonusInputError(ValueError):
    """Invalid input to the engine; ``field`` names the offending input."""

    def __init__(self, field: str, message: str, params: dict[str, Decimal] | None = None) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message
        # The amounts the message names, for a caller that words it in another language.
        self.params = params or {}


# --- money helpers -------------------------------------------------------------------


def to_kopecks(amount: Decimal) -> int:
    """Whole kopecks of an amount that already has at most two decimals."""
    return int(amount.scaleb(2))


def from_kopecks(kopecks: int) -> Decimal:
    return (Decimal(kopecks) / 100).quantize(KOPECK)


def round_half_up(value: Fraction | Decimal | int) -> int:
    """Round an exact amount in roubles to whole kopecks, halves away from zero."""
    scaled = Fraction(value) * 100
    sign = -1 if scaled < 0 else 1
    magnitude = abs(scaled)
    whole, part = divmod(magnitude.numerator, magnitude.denominator)
    if 2 * part >= magnitude.denominator:
        whole += 1
    return sign * whole


def split_largest_remainder(total: int, weights: Sequence[Fraction]) -> list[int]:
    """Split ``total`` kopecks by ``weights`` (summing to 1) so the parts add up exactly.

    Each part gets the floor of its exact quota; the kopecks left over go one each to
    the parts with the largest remainders, ties to the earlier part.
    """
    quotas = [Fraction(total) * weight for weight in weights]
    parts = [quota.numerator // quota.denominator for quota in quotas]
    leftover = total - sum(parts)
    order = sorted(range(len(weights)), key=lambda i: (-(quotas[i] - parts[i]), i))
    for i in order[:leftover]:
        parts[i] += 1
    return parts


# --- inputs --------------------------------------------------------------------------


@dataclass(frozen=True)
class Milestone:
    """A timing gate: ``share_of_plan`` of the plan collected by ``day`` earns a tranche."""

    day: int
    share_of_plan: Fraction
    fraction: Fraction


@dataclass(frozen=True)
class Scheme:
    plan: Decimal
    threshold: Decimal
    rate: Fraction
    head_share: Fraction
    milestones: tuple[Milestone, ...] = ()
    split: str = SPLIT_EQUAL


@dataclass(frozen=True)
class Presence:
    """Working days a staff member was present (``days``) out of the month's (``of``)."""

    days: int
    of: int

    @property
    def weight(self) -> Fraction:
        return Fraction(self.days, self.of)


@dataclass(frozen=True)
class Payment:
    date: dt.date
    amount: Decimal


@dataclass(frozen=True)
class BonusInput:
    """Everything the calculation needs for one department and one month.

    ``staff`` is the ordered list of staff keys (the head is not one of them); the
    order decides who receives the leftover kopecks of the equal split. Base salaries
    are optional: when given, the result carries each person's pay as well.
    """

    scheme: Scheme
    year: int
    month: int
    payments: tuple[Payment, ...]
    staff: tuple[str, ...]
    awards: Mapping[str, Decimal] = field(default_factory=dict)
    deductions: Mapping[str, Decimal] = field(default_factory=dict)
    base_salaries: Mapping[str, Decimal] = field(default_factory=dict)
    head_base_salary: Decimal | None = None
    presence: Mapping[str, Presence] = field(default_factory=dict)

    def weight(self, name: str) -> Fraction:
        """The staff member's presence weight: days / of, 1 when not given."""
        presence = self.presence.get(name)
        return Fraction(1) if presence is None else presence.weight

    @property
    def first_day(self) -> dt.date:
        return dt.date(self.year, self.month, 1)

    @property
    def last_day(self) -> dt.date:
        return dt.date(self.year, self.month, calendar.monthrange(self.year, self.month)[1])


# --- outputs -------------------------------------------------------------------------


@dataclass(frozen=True)
class MilestoneResult:
    day: int
    date: dt.date
    share_of_plan: Fraction
    fraction: Fraction
    required: Decimal
    collected: Decimal
    met: bool
    amount: Decimal
    earned: Decimal

    @property
    def shortfall(self) -> Decimal:
        """How much more had to be collected by the date (zero when met)."""
        return max(ZERO, self.required - self.collected)


@dataclass(frozen=True)
class StaffLine:
    name: str
    equal_share: Decimal
    award: Decimal
    deduction: Decimal
    bonus: Decimal
    base_salary: Decimal | None = None
    presence: Presence | None = None

    @property
    def pay(self) -> Decimal | None:
        return None if self.base_salary is None else self.base_salary + self.bonus


@dataclass(frozen=True)
class BonusResult:
    collected: Decimal
    excess: Decimal
    pool: Decimal
    milestones: tuple[MilestoneResult, ...]
    final_fraction: Fraction
    final_tranche: Decimal
    earned: Decimal
    forfeited: Decimal
    head_share: Fraction
    head: Decimal
    staff_pool: Decimal
    awards_total: Decimal
    deductions_total: Decimal
    remainder: Decimal
    equal_share: Decimal
    leftover_kopecks: int
    staff: tuple[StaffLine, ...]
    head_base_salary: Decimal | None = None
    split: str = SPLIT_EQUAL

    @property
    def head_pay(self) -> Decimal | None:
        return None if self.head_base_salary is None else self.head_base_salary + self.head

    def line(self, name: str) -> StaffLine:
        for line in self.staff:
            if line.name == name:
                return line
        raise KeyError(name)


# --- validation ----------------------------------------------------------------------


def _check_money(value: object, field_name: str, *, positive: bool = False) -> Decimal:
    if not isinstance(value, Decimal) or not value.is_finite():
        raise BonusInputError(field_name, "must be a decimal amount")
    if value.adjusted() >= MAX_DIGITS_BEFORE_POINT:
        raise BonusInputError(field_name, "is too large")
    if value != value.quantize(KOPECK):
        raise BonusInputError(field_name, "must have at most 2 decimal places")
    if positive and value <= 0:
        raise BonusInputError(field_name, "must be greater than 0")
    if value < 0:
        raise BonusInputError(field_name, "must not be negative")
    return value.quantize(KOPECK)


def _check_ratio(value: object, field_name: str, *, upper: Fraction | None) -> Fraction:
    if not isinstance(value, Fraction):
        raise BonusInputError(field_name, "must be an exact fraction")
    if value < 0:
        raise BonusInputError(field_name, "must not be negative")
    if upper is not None and value > upper:
        raise BonusInputError(field_name, f"must not exceed {upper}")
    return value


def validate_scheme(scheme: Scheme, prefix: str = "scheme") -> None:
    """Check a scheme against SPEC section 3; the web forms call this too."""
    _check_money(scheme.plan, f"{prefix}.plan", positive=True)
    _check_money(scheme.threshold, f"{prefix}.threshold")
    _check_ratio(scheme.rate, f"{prefix}.rate", upper=Fraction(1))
    _check_ratio(scheme.head_share, f"{prefix}.head_share", upper=Fraction(1))
    if scheme.split not in SPLITS:
        raise BonusInputError(f"{prefix}.split", f"must be one of: {', '.join(SPLITS)}")
    previous_day = 0
    total = Fraction(0)
    for index, milestone in enumerate(scheme.milestones):
        where = f"{prefix}.milestones[{index}]"
        if not isinstance(milestone.day, int) or not 1 <= milestone.day <= 31:
            raise BonusInputError(f"{where}.day", "must be a day of the month from 1 to 31")
        if milestone.day <= previous_day:
            raise BonusInputError(f"{where}.day", "days must be strictly increasing")
        previous_day = milestone.day
        share = _check_ratio(milestone.share_of_plan, f"{where}.share_of_plan", upper=None)
        # The required amount is money too: it must fit Decimal(14, 2) like any amount.
        if round_half_up(Fraction(scheme.plan) * share) >= 10 ** (MAX_DIGITS_BEFORE_POINT + 2):
            raise BonusInputError(f"{where}.share_of_plan", "makes the required amount too large")
        _check_ratio(milestone.fraction, f"{where}.fraction", upper=Fraction(1))
        total += milestone.fraction
    if total > 1:
        raise BonusInputError(f"{prefix}.milestones", "the fractions add up to more than 1")


def _validate(data: BonusInput) -> None:
    validate_scheme(data.scheme)
    if not 1 <= data.month <= 12 or not 1 <= data.year <= 9999:
        raise BonusInputError("month", "must be a calendar month")
    first, last = data.first_day, data.last_day
    for index, payment in enumerate(data.payments):
        _check_money(payment.amount, f"payments[{index}].amount", positive=True)
        if not isinstance(payment.date, dt.date) or not first <= payment.date <= last:
            raise BonusInputError(f"payments[{index}].date", f"must be within {first:%Y-%m}")
    if not data.staff:
        raise BonusInputError("staff", "at least one staff member is required")
    if len(set(data.staff)) != len(data.staff):
        raise BonusInputError("staff", "staff members must be unique")
    for kind in ("awards", "deductions", "base_salaries"):
        for name, amount in getattr(data, kind).items():
            if name not in data.staff:
                raise BonusInputError(f"{kind}.{name}", "is not one of the staff")
            _check_money(amount, f"{kind}.{name}")
    if data.head_base_salary is not None:
        _check_money(data.head_base_salary, "head_base_salary")
    _validate_presence(data)


def _whole(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _validate_presence(data: BonusInput) -> None:
    for name, presence in data.presence.items():
        where = f"presence.{name}"
        if name not in data.staff:
            raise BonusInputError(where, "is not one of the staff")
        if not isinstance(presence, Presence):
            raise BonusInputError(where, "must give days and of")
        if not _whole(presence.of) or presence.of < 1:
            raise BonusInputError(f"{where}.of", "must be a whole number of at least 1")
        if not _whole(presence.days) or not 0 <= presence.days <= presence.of:
            raise BonusInputError(
                f"{where}.days", f"must be a whole number from 0 to {presence.of}"
            )
    if data.scheme.split == SPLIT_BY_PRESENCE and not any(data.weight(name) for name in data.staff):
        raise BonusInputError("presence", "no staff member was present")


# --- the calculation -----------------------------------------------------------------


def _milestone_date(day: int, last_day: dt.date) -> dt.date:
    # A gate set for the 31st in a 30-day month falls on the month's last day.
    return last_day.replace(day=min(day, last_day.day))


def _collected_by(payments: Iterable[Payment], when: dt.date) -> Decimal:
    return sum((p.amount for p in payments if p.date <= when), ZERO)


def calculate(data: BonusInput) -> BonusResult:
    """Compute the department bonus and its split, step by step as in SPEC section 3."""
    _validate(data)
    scheme = data.scheme

    # Steps 1-2: collections above the threshold, times the rate.
    collected = sum((p.amount for p in data.payments), ZERO).quantize(KOPECK)
    excess = max(ZERO, collected - scheme.threshold)
    pool = round_half_up(Fraction(excess) * scheme.rate)

    # Step 3: the pool in tranches, the final one taking what the milestones leave.
    fractions = [m.fraction for m in scheme.milestones]
    final_fraction = 1 - sum(fractions, Fraction(0))
    tranches = split_largest_remainder(pool, [*fractions, final_fraction])

    # Step 4: a milestone's tranche is earned only if its gate was met in time.
    results = []
    for milestone, tranche in zip(scheme.milestones, tranches, strict=False):
        when = _milestone_date(milestone.day, data.last_day)
        required = from_kopecks(round_half_up(Fraction(scheme.plan) * milestone.share_of_plan))
        so_far = _collected_by(data.payments, when).quantize(KOPECK)
        met = so_far >= required
        results.append(
            MilestoneResult(
                day=milestone.day,
                date=when,
                share_of_plan=milestone.share_of_plan,
                fraction=milestone.fraction,
                required=required,
                collected=so_far,
                met=met,
                amount=from_kopecks(tranche),
                earned=from_kopecks(tranche if met else 0),
            )
        )
    final_tranche = tranches[-1]
    earned = sum(to_kopecks(r.earned) for r in results) + final_tranche

    # Step 5: the head's agreed share; the rest is the staff pool.
    head = round_half_up(Fraction(earned, 100) * scheme.head_share)
    staff_pool = earned - head

    # Step 6: awards come out of the pool, deductions go back in, the rest is equal.
    awards = {name: data.awards.get(name, ZERO).quantize(KOPECK) for name in data.staff}
    deductions = {name: data.deductions.get(name, ZERO).quantize(KOPECK) for name in data.staff}
    awards_total = sum(to_kopecks(a) for a in awards.values())
    deductions_total = sum(to_kopecks(d) for d in deductions.values())
    remainder = staff_pool - awards_total + deductions_total
    if remainder < 0:
        raise BonusInputError(
            "awards",
            f"awards of {from_kopecks(awards_total)} exceed the staff pool "
            f"{from_kopecks(staff_pool)} plus deductions {from_kopecks(deductions_total)}",
            {
                "awards": from_kopecks(awards_total),
                "staff_pool": from_kopecks(staff_pool),
                "deductions": from_kopecks(deductions_total),
            },
        )
    shares, equal_share, leftover = _split_remainder(data, remainder)

    # Step 7: each person's bonus; a deduction never reaches into base pay.
    lines = []
    for name, share in zip(data.staff, shares, strict=True):
        bonus = share + to_kopecks(awards[name]) - to_kopecks(deductions[name])
        if bonus < 0:
            raise BonusInputError(
                f"deductions.{name}",
                f"deduction {deductions[name]} exceeds the bonus {from_kopecks(share)}"
                f"{' plus award ' + str(awards[name]) if awards[name] else ''}",
                {
                    "deduction": deductions[name],
                    "share": from_kopecks(share),
                    "award": awards[name],
                },
            )
        base = data.base_salaries.get(name)
        lines.append(
            StaffLine(
                name=name,
                equal_share=from_kopecks(share),
                award=awards[name],
                deduction=deductions[name],
                bonus=from_kopecks(bonus),
                base_salary=None if base is None else base.quantize(KOPECK),
                presence=data.presence.get(name),
            )
        )

    return BonusResult(
        collected=collected,
        excess=excess.quantize(KOPECK),
        pool=from_kopecks(pool),
        milestones=tuple(results),
        final_fraction=final_fraction,
        final_tranche=from_kopecks(final_tranche),
        earned=from_kopecks(earned),
        forfeited=from_kopecks(pool - earned),
        head_share=scheme.head_share,
        head=from_kopecks(head),
        staff_pool=from_kopecks(staff_pool),
        awards_total=from_kopecks(awards_total),
        deductions_total=from_kopecks(deductions_total),
        remainder=from_kopecks(remainder),
        equal_share=from_kopecks(equal_share),
        leftover_kopecks=leftover,
        staff=tuple(lines),
        head_base_salary=(
            None if data.head_base_salary is None else data.head_base_salary.quantize(KOPECK)
        ),
        split=scheme.split,
    )


def _split_remainder(data: BonusInput, remainder: int) -> tuple[list[int], int, int]:
    """Step 6's split of the remainder: each share, the top-level equal share, leftover.

    ``equal``: floor(remainder / n) each, the leftover kopecks one each to the first.
    ``by_presence``: in proportion to the weights (days / of) by the largest-remainder
    method, ties to the earlier member; the equal share is floor(remainder / Σ weights),
    a fully present member's share before leftover kopecks. With equal weights the two
    rules give the same kopecks.
    """
    if data.scheme.split == SPLIT_EQUAL:
        equal_share, leftover = divmod(remainder, len(data.staff))
        shares = [equal_share + (1 if i < leftover else 0) for i in range(len(data.staff))]
        return shares, equal_share, leftover
    weights = [data.weight(name) for name in data.staff]
    total_weight = sum(weights, Fraction(0))
    shares = split_largest_remainder(remainder, [w / total_weight for w in weights])
    floors = sum(math.floor(remainder * w / total_weight) for w in weights)
    equal_share = math.floor(remainder / total_weight)
    return shares, equal_share, remainder - floors


def calculate_on_time(
    scheme: Scheme,
    collected: Decimal,
    *,
    month: dt.date,
    staff: tuple[str, ...] = ("staff",),
) -> BonusResult:
    """The month's bonus had ``collected`` all arrived on its first day: every gate met.

    What a scheme pays for a given collection when nothing is late; the scheme page and
    its chart draw this line.
    """
    payments = (Payment(date=month.replace(day=1), amount=collected),) if collected > 0 else ()
    return calculate(
        BonusInput(
            scheme=scheme, year=month.year, month=month.month, payments=payments, staff=staff
        )
    )
