"""Chart labels: round amounts written short, in the page's language ("50 млн ₽")."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django import template
from django.utils.formats import number_format
from django.utils.translation import gettext as _

register = template.Library()

NBSP = "\N{NO-BREAK SPACE}"


def _short(number: Decimal) -> str:
    # As many decimals as the number has, at most two: 2,5 and 1,25, never 2,50.
    decimals = min(2, max(0, -number.normalize().as_tuple().exponent))
    return number_format(number, decimals, use_l10n=True, force_grouping=True)


@register.filter
def axis_money(value: object) -> str:
    """``50000000`` → "50 млн ₽" / "50 M ₽"; ``25000`` → "25 тыс. ₽" / "25 K ₽"."""
    try:
        amount = Decimal(str(value))
    except InvalidOperation:
        return ""
    if abs(amount) >= 1_000_000:
        label = _("%(number)s M ₽") % {"number": _short(amount / 1_000_000)}
    elif abs(amount) >= 1_000:
        label = _("%(number)s K ₽") % {"number": _short(amount / 1_000)}
    else:
        label = f"{_short(amount)} ₽"
    return label.replace(" ", NBSP)
