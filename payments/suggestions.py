"""The client an unmatched payer most likely is: a suggestion for a person to confirm.

No database extension: the clients a person may assign to are few enough to compare in
Python, by the INN's shared prefix (a branch, a typo in the last digits) and by how alike
the names read (``difflib``), legal forms such as «ООО» left out.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Sequence

from payments.models import Client

# Legal forms and quotes say nothing about which company it is.
_NOISE = re.compile(r"\b(ооо|оао|зао|пао|ао|ип|llc|ltd|inc)\b|[«»\"'.,]", re.IGNORECASE)
MIN_NAME_SIMILARITY = 0.6
MIN_INN_PREFIX = 8


def _name_key(name: str) -> str:
    return " ".join(_NOISE.sub(" ", name.lower()).split())


def _common_prefix(a: str, b: str) -> int:
    length = 0
    for left, right in zip(a, b, strict=False):
        if left != right:
            break
        length += 1
    return length


def suggest_client(payer_inn: str, payer_name: str, clients: Sequence[Client]) -> Client | None:
    """The nearest client by INN, else by name; ``None`` when none is near enough."""
    if payer_inn:
        for client in clients:
            if client.inn == payer_inn:
                return client
        best = max(clients, key=lambda c: _common_prefix(c.inn, payer_inn), default=None)
        if best is not None and _common_prefix(best.inn, payer_inn) >= MIN_INN_PREFIX:
            return best
    key = _name_key(payer_name)
    if not key:
        return None
    scored = [
        (difflib.SequenceMatcher(None, key, _name_key(client.name)).ratio(), client)
        for client in clients
    ]
    score, client = max(scored, key=lambda pair: pair[0], default=(0.0, None))
    return client if score >= MIN_NAME_SIMILARITY else None
