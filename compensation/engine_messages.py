"""The engine's phrases, listed for the translation catalogue.

The engine is pure Python without gettext; the web layer translates its messages at
run time (:func:`engine_message`). Listing the phrases here with ``gettext_noop``
puts them in ``locale/`` so that look-up finds a translation.
"""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from accounts.templatetags.money import format_money
from compensation.engine import BonusInputError

PHRASES = (
    gettext_noop("must be a decimal amount"),
    gettext_noop("is too large"),
    gettext_noop("must have at most 2 decimal places"),
    gettext_noop("must be greater than 0"),
    gettext_noop("must not be negative"),
    gettext_noop("must be an exact fraction"),
    gettext_noop("must not exceed 1"),
    gettext_noop("must be a day of the month from 1 to 31"),
    gettext_noop("days must be strictly increasing"),
    gettext_noop("makes the required amount too large"),
    gettext_noop("the fractions add up to more than 1"),
    gettext_noop("at least one staff member is required"),
    gettext_noop("staff members must be unique"),
    gettext_noop("is not one of the staff"),
    gettext_noop("is not a decimal number"),
    gettext_noop("is not a finite number"),
    gettext_noop("is out of range"),
    gettext_noop("division by zero"),
    gettext_noop("must be a whole number"),
    gettext_noop("is not a rule for a day off"),
    gettext_noop("a day rule needs the company calendar"),
)


def engine_message(error: BonusInputError) -> str:
    """The engine's refusal in the page's language, its amounts written as the page's.

    The two refusals of a proposal (awards beyond the staff pool, a deduction beyond a
    person's bonus) carry their amounts; the others are fixed phrases, listed above.
    """
    kind = error.field.partition(".")[0]
    params = {name: format_money(value) for name, value in error.params.items()}
    if kind == "awards" and params:
        return (
            _(
                "Awards total %(awards)s, more than the staff pool %(staff_pool)s "
                "plus deductions %(deductions)s."
            )
            % params
        )
    if kind == "deductions" and params:
        if error.params.get("award"):
            return (
                _(
                    "The deduction %(deduction)s is more than the person's bonus share "
                    "%(share)s plus the award %(award)s; a deduction is never taken from base pay."
                )
                % params
            )
        return (
            _(
                "The deduction %(deduction)s is more than the person's bonus share %(share)s; "
                "a deduction is never taken from base pay."
            )
            % params
        )
    return _(error.message)
