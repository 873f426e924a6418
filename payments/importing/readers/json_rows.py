"""Reader for payments sent to the HTTP API: a JSON array of objects, one a payment.

Each object holds ``date``, ``amount`` (a string: money is never a binary float),
``inn`` or ``client``, and optionally ``reference`` and ``purpose``; a row is counted
from 1, as the API's errors name it.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any, BinaryIO

from django.utils.translation import gettext as _

from payments.importing.rows import FieldNames, ImportFileError, RawRow

NAMES = FieldNames()


def _text(item: dict[str, Any], name: str) -> str:
    value = item.get(name)
    return "" if value is None else str(value)


def json_items(stream: BinaryIO) -> list[Any]:
    """The array of the body, or an error naming the body."""
    try:
        items = json.load(stream)
    except (ValueError, UnicodeDecodeError):
        raise ImportFileError(0, "body", _("The body is not valid JSON.")) from None
    if not isinstance(items, list):
        raise ImportFileError(0, "body", _("The body must be a JSON array of rows."))
    return items


def read_json(stream: BinaryIO) -> Iterator[RawRow]:
    for line, item in enumerate(json_items(stream), start=1):
        if not isinstance(item, dict):
            raise ImportFileError(line, "row", _("Each row must be a JSON object."))
        yield RawRow(
            line=line,
            date=_text(item, "date"),
            amount=_text(item, "amount"),
            inn=_text(item, "inn"),
            name=_text(item, "client"),
            reference=_text(item, "reference"),
            purpose=_text(item, "purpose"),
            names=NAMES,
        )
