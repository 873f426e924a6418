"""Money as people of the page's language write it: ``1 234 567,89 ₽`` in Russian."""

from __future__ import annotations

from decimal import ROUND_DOWN, Decimal, InvalidOperation

from django import template
from django.utils.formats import get_format, number_format
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from core.money import KOPECK
from core.percent import format_percent

register = template.Library()

NBSP = "\N{NO-BREAK SPACE}"


def grouped_kopecks(amount: Decimal) -> str:
    """``amount`` to the kopeck, grouped by thousands as the page's language writes it.

    The same text as ``number_format(amount, 2, force_grouping=True)``, which cuts
    rather than rounds, but grouped by Python's format instead of digit by digit in
    Python: a dashboard writes a hundred amounts.
    """
    language = get_language()  # once: each look-up of the active language costs
    if get_format("NUMBER_GROUPING", language) != 3 or not amount.is_finite():
        return number_format(amount, 2, use_l10n=True, force_grouping=True)
    # A cut to zero is written without its sign ("0,00", never "-0,00").
    cut = amount.quantize(KOPECK, rounding=ROUND_DOWN)
    cut = cut if cut else abs(cut)
    separators = {
        ord(","): get_format("THOUSAND_SEPARATOR", language),
        ord("."): get_format("DECIMAL_SEPARATOR", language),
    }
    return f"{cut:,.2f}".translate(separators)


def format_money(value: object, currency: bool = True) -> str:
    if value is None or value == "":
        return "—"
    try:
        amount = value if isinstance(value, Decimal) else Decimal(str(value))
    except InvalidOperation:
        return str(value)
    text = grouped_kopecks(amount)
    return f"{text}{NBSP}₽" if currency else text


@register.filter
def money(value: object) -> str:
    """``{{ amount|money }}`` → ``1 234 567,89 ₽`` (ru) or ``1,234,567.89 ₽`` (en)."""
    return format_money(value)


@register.filter
def amount(value: object) -> str:
    """The number without the currency sign, for table cells under a ₽ heading."""
    return format_money(value, currency=False)


@register.filter
def percent(value: object) -> str:
    if value is None:
        return "—"
    return f"{number_format(Decimal(str(value)), 1, use_l10n=True)}{NBSP}%"


@register.filter
def as_percent(value: object) -> str:
    """A rate or share kept as a fraction: ``0.005`` → ``0,5 %`` (ru) / ``0.5%`` (en)."""
    return format_percent(value)  # type: ignore[arg-type]


@register.filter
def short_money(value: object) -> str:
    """Chart labels: ``25 млн`` / ``25M`` for millions, grouped roubles below that."""
    if value is None:
        return ""
    amount = Decimal(str(value))
    if abs(amount) >= 1_000_000:
        millions = number_format(amount / 1_000_000, 0, use_l10n=True, force_grouping=True)
        return _("%(millions)s M") % {"millions": millions}
    return number_format(amount, 0, use_l10n=True, force_grouping=True)
