"""Russian taxpayer number (ИНН) check digits."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

_WEIGHTS_10 = (2, 4, 10, 3, 5, 9, 4, 6, 8)
_WEIGHTS_11 = (7, 2, 4, 10, 3, 5, 9, 4, 6, 8)
_WEIGHTS_12 = (3, 7, 2, 4, 10, 3, 5, 9, 4, 6, 8)


def _check_digit(digits: str, weights: tuple[int, ...]) -> int:
    return sum(int(d) * w for d, w in zip(digits, weights, strict=False)) % 11 % 10


def is_valid_inn(value: str) -> bool:
    """True for a 10-digit (company) or 12-digit (person) INN with correct check digits."""
    if not value.isascii() or not value.isdigit():
        return False
    if len(value) == 10:
        return _check_digit(value, _WEIGHTS_10) == int(value[9])
    if len(value) == 12:
        return _check_digit(value, _WEIGHTS_11) == int(value[10]) and _check_digit(
            value, _WEIGHTS_12
        ) == int(value[11])
    return False


def validate_inn(value: str) -> None:
    if not is_valid_inn(value):
        raise ValidationError(
            _("%(value)s is not a valid INN: 10 or 12 digits with correct check digits."),
            code="invalid_inn",
            params={"value": value},
        )
