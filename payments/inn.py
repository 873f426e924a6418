"""Russian taxpayer number (ИНН) check digits."""

from __future__ import annotations

import functools
import operator

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

_WEIGHTS_10 = (2, 4, 10, 3, 5, 9, 4, 6, 8)
_WEIGHTS_11 = (7, 2, 4, 10, 3, 5, 9, 4, 6, 8)
_WEIGHTS_12 = (3, 7, 2, 4, 10, 3, 5, 9, 4, 6, 8)


def _check_digit(digits: bytes, weights: tuple[int, ...]) -> int:
    # ASCII digits: each byte is the digit plus ord("0"), taken off once for all of them.
    total = sum(map(operator.mul, digits, weights)) - ord("0") * sum(weights)
    return total % 11 % 10


def is_valid_inn(value: str) -> bool:
    """True for a 10-digit (company) or 12-digit (person) INN with correct check digits."""
    if len(value) not in (10, 12) or not value.isascii() or not value.isdigit():
        return False
    return _check_digits_hold(value)


# A statement names the same few thousand payers over and over: each is checked once.
# Only 10 or 12 ASCII digits reach here, so the cache holds nothing larger.
@functools.lru_cache(maxsize=65536)
def _check_digits_hold(value: str) -> bool:
    digits = value.encode("ascii")
    if len(digits) == 10:
        return _check_digit(digits, _WEIGHTS_10) == digits[9] - ord("0")
    return _check_digit(digits, _WEIGHTS_11) == digits[10] - ord("0") and _check_digit(
        digits, _WEIGHTS_12
    ) == digits[11] - ord("0")


def validate_inn(value: str) -> None:
    if not is_valid_inn(value):
        raise ValidationError(
            _("%(value)s is not a valid INN: 10 or 12 digits with correct check digits."),
            code="invalid_inn",
            params={"value": value},
        )
