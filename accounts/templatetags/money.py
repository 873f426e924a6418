"""Money as people of the page's language write it: ``1 234 567,89 ₽`` in Russian."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django import template
from django.utils.formats import number_format
from django.utils.translation import gettext as _

register = template.Library()

NBSP = "\N{NO-BREAK SPACE}"


def format_money(value: object, currency: bool = True) -> str:
    if value is None or value == "":
        return "—"
    try:
        amount = Decimal(str(value))
    except InvalidOperation:
        return str(value)
    text = number_format(amount, 2, use_l10n=True, force_grouping=True)
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
def short_money(value: object) -> str:
    """Chart labels: ``25 млн`` / ``25M`` for millions, grouped roubles below that."""
    if value is None:
        return ""
    amount = Decimal(str(value))
    if abs(amount) >= 1_000_000:
        millions = number_format(amount / 1_000_000, 0, use_l10n=True, force_grouping=True)
        return _("%(millions)s M") % {"millions": millions}
    return number_format(amount, 0, use_l10n=True, force_grouping=True)
