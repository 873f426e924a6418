"""The rules every payment obeys, whoever brings it in: imports, the admin, manual entry.

Each ``clean_*`` function raises ``ValidationError`` with a message for people; the
callers attach the row and field. A row checked here also gets its operation key, the
one identity of a bank operation across every source (``operation_key``).
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import re
import uuid
from collections.abc import Iterable, Iterator
from decimal import Decimal
from typing import NamedTuple, Protocol

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from compensation import lifecycle
from compensation.models import BonusPeriod, PeriodState
from core import money
from core.months import month_label
from payments.importing.rows import FieldNames, RawRow, RowError
from payments.inn import is_valid_inn
from payments.models import Client

EARLIEST_DATE = dt.date(2000, 1, 1)
CURRENCY = "RUB"
SOURCE_REF_MAX = 200
# Individuals without an INN appear in bank statements as an empty field or a zero.
NO_INN = frozenset({"", "0", "00", "000000000000"})
_SPACES = re.compile(r"\s+")
_DMY = re.compile(r"^([0-9]{2})\.([0-9]{2})\.([0-9]{4})$")


def clean_amount(value: str | Decimal) -> Decimal:
    """A positive amount in roubles with kopecks; ``1 234,50`` and ``1234.50`` both read."""
    try:
        if isinstance(value, Decimal):
            return money.check_amount(value)
        return money.parse_amount(value or "")
    except money.MoneyError as error:
        raise ValidationError(_amount_message(error, value)) from None


def _amount_message(error: money.MoneyError, value: str | Decimal) -> str:
    if error.code == "not_positive":
        return _("The amount must be greater than zero.")
    if error.code == "too_large":
        return _("The amount has more than %(digits)d digits before the point.") % {
            "digits": money.MAX_INTEGER_DIGITS
        }
    if error.code == "decimals":
        return _("The amount has more than 2 decimal places.")
    if error.code == "two_separators":
        return _("%(value)s: use one decimal separator.") % {"value": value}
    return _("%(value)s is not an amount.") % {"value": value or '""'}


def clean_date(value: str | dt.date, *, today: dt.date | None = None) -> dt.date:
    """A date written dd.mm.yyyy or yyyy-mm-dd, from 2000 up to today."""
    day = value if isinstance(value, dt.date) else _parse_date(value)
    today = today or timezone.localdate()
    if day > today:
        raise ValidationError(
            _("%(date)s is in the future."), params={"date": day.strftime("%d.%m.%Y")}
        )
    if day < EARLIEST_DATE:
        raise ValidationError(
            _("%(date)s is before 01.01.2000."), params={"date": day.strftime("%d.%m.%Y")}
        )
    return day


def _parse_date(text: str) -> dt.date:
    text = (text or "").strip()
    # A year's file holds at most a few hundred distinct dates: a plain date (no time
    # after it, nothing longer) is parsed once per process.
    return _parse_plain_date(text) if len(text) == 10 else _parse_any_date(text)


@functools.lru_cache(maxsize=4096)
def _parse_plain_date(text: str) -> dt.date:
    return _parse_any_date(text)


def _parse_any_date(text: str) -> dt.date:
    match = _DMY.match(text)
    try:
        if match:
            return dt.date(int(match[3]), int(match[2]), int(match[1]))
        # Spreadsheets and camt.053 give ISO dates, sometimes with a time after them.
        return dt.date.fromisoformat(text[:10])
    except ValueError:
        raise ValidationError(
            _("%(value)s is not a date (dd.mm.yyyy or yyyy-mm-dd)."),
            params={"value": text or '""'},
        ) from None


def clean_inn(value: str) -> str:
    """The INN with its check digits verified, or ``""`` when none is given."""
    inn = (value or "").strip()
    if inn in NO_INN:
        return ""
    if not is_valid_inn(inn):
        raise ValidationError(
            _("%(value)s is not a valid INN: 10 or 12 digits with correct check digits."),
            params={"value": inn},
        )
    return inn


def clean_currency(value: str) -> None:
    if value and value.upper() not in (CURRENCY, "RUR"):
        raise ValidationError(
            _("Only payments in roubles are accepted, not %(currency)s."),
            params={"currency": value},
        )


class CheckedRow(NamedTuple):
    """A row whose own fields are valid; the client and period are checked later.

    A named tuple for the reason ``RawRow`` is one: a row is built per line of a file.
    """

    line: int
    received_on: dt.date
    amount: Decimal
    inn: str
    name: str
    reference: str
    payer_account: str
    purpose: str
    operation_key: str
    near_key: str
    names: FieldNames


class RowRejected(Exception):
    def __init__(self, errors: list[RowError]) -> None:
        super().__init__(errors)
        self.errors = errors


def check_row(raw: RawRow, *, today: dt.date | None = None) -> CheckedRow:
    """Validate one raw row's own fields; raise ``RowRejected`` listing every bad field."""
    errors: list[RowError] = []
    names = raw.names
    try:
        received_on = clean_date(raw.date, today=today)
    except ValidationError as error:
        errors.append(_error(raw, names.date, error))
    try:
        amount = clean_amount(raw.amount)
    except ValidationError as error:
        errors.append(_error(raw, names.amount, error))
    try:
        clean_currency(raw.currency)
    except ValidationError as error:
        errors.append(_error(raw, names.amount, error))
    try:
        inn = clean_inn(raw.inn)
    except ValidationError as error:
        errors.append(_error(raw, names.inn, error))
    if errors:
        raise RowRejected(errors)
    name, account = raw.name.strip(), raw.payer_account.strip()
    key, near = operation_key(
        received_on=received_on,
        amount=amount,
        payer=payer_id(account=account, inn=inn, name=name),
        number=raw.reference,
    )
    return CheckedRow(
        line=raw.line,
        received_on=received_on,
        amount=amount,
        inn=inn,
        name=name,
        reference=raw.reference.strip()[:SOURCE_REF_MAX],
        payer_account=account,
        purpose=raw.purpose.strip(),
        operation_key=key,
        near_key=near,
        names=raw.names,
    )


class RowSink(Protocol):
    """Where checked rows are reported: an import's result."""

    def reject(self, errors: Iterable[RowError]) -> None: ...

    def saw(self, day: dt.date) -> None: ...


def checked_rows(
    rows: Iterable[RawRow], sink: RowSink, *, today: dt.date | None = None
) -> Iterator[CheckedRow]:
    """Each row checked by the rules above, as it is read; a rejected row goes to ``sink``."""
    for raw in rows:
        try:
            row = check_row(raw, today=today)
        except RowRejected as rejection:
            sink.reject(rejection.errors)
            continue
        sink.saw(row.received_on)
        yield row


def _error(raw: RawRow, field: str, error: ValidationError) -> RowError:
    return RowError(raw.line, field, " ".join(error.messages))


# --- the cross-source key --------------------------------------------------------------
#
# One bank operation is one payment, whatever file brought it: a 1C statement, the same
# month's camt.053, a spreadsheet, or the same 1C document re-exported with "2000" for
# "2000.00". So the key is built from the parsed values, never from the text:
#
#     received on | amount | payer | document number
#     2025-11-06|150000.00|a:40702810900000004567|512
#
# The payer is the account it paid from (both bank formats give it), else its INN (a
# spreadsheet, a bank row without an account), else its name, casefolded. The number is
# 1C's Номер, camt.053's AcctSvcrRef / NtryRef / EndToEndId, a spreadsheet's reference,
# without spaces or leading zeros. The day comes first: "same payer, same day, same
# amount, another number" (a possible repeat) is then every key starting with the
# first three parts, one range of the index.

_PAYER_MAX = 100
_NUMBER_MAX = 60


def payer_id(*, account: str = "", inn: str = "", name: str = "") -> str:
    """Who paid, as the key names them: by account, else INN, else casefolded name."""
    account = _SPACES.sub("", account)
    if account:
        payer = f"a:{account}"
    elif inn:
        payer = f"i:{inn}"
    else:
        payer = "n:" + _SPACES.sub(" ", name).strip().casefold()
    return _bounded(payer.replace("|", "/"), _PAYER_MAX)


def document_number(text: str) -> str:
    """A document number as the key holds it: no spaces, no leading zeros, casefolded."""
    number = _SPACES.sub("", text or "").casefold()
    return number.lstrip("0") or ("0" if number else "")


def operation_key(
    *, received_on: dt.date, amount: Decimal, payer: str, number: str
) -> tuple[str, str]:
    """The operation's key and its prefix without the number (for possible repeats)."""
    near = f"{received_on.isoformat()}|{amount.quantize(money.KOPECK)}|{payer}|"
    return near + _bounded(document_number(number).replace("|", "/"), _NUMBER_MAX), near


def manual_operation_key(*, inn: str, received_on: dt.date, amount: Decimal, number: str) -> str:
    """A payment typed by a person: the client's INN, the day, the amount and the number.

    Without a number, a person may enter the same client, day and amount twice (two
    cash payments, say): each such entry gets a number of its own.
    """
    number = document_number(number) or f"manual-{uuid.uuid4().hex}"
    key, _near = operation_key(
        received_on=received_on, amount=amount, payer=payer_id(inn=inn), number=number
    )
    return key


def _bounded(text: str, limit: int) -> str:
    if len(text) <= limit:
        return text
    return "h:" + hashlib.sha256(text.encode()).hexdigest()[:40]


class ClientMatcher:
    """Finds clients by INN (or, for spreadsheets, exact name), all loaded at once."""

    FIELDS = ("id", "name", "inn", "department_id", "responsible_id")

    def __init__(self) -> None:
        self._by_inn: dict[str, Client | None] = {}
        self._by_name: dict[str, list[Client]] = {}

    def load_all(self, *, by_name: bool) -> None:
        """Every client in one query: a large file names most of them anyway.

        Keeps the look-ups per file constant; ten thousand clients take a few megabytes.
        """
        self._by_inn.clear()
        self._by_name.clear()
        for client in Client.objects.only(*self.FIELDS).order_by().iterator(chunk_size=5000):
            self._by_inn[client.inn] = client
            if by_name:
                self._by_name.setdefault(client.name, []).append(client)

    def find(self, row: CheckedRow) -> Client | None:
        """The row's client, or None; raises ``ValidationError`` when a name is ambiguous."""
        if row.inn:
            return self._by_inn.get(row.inn)
        found = self._by_name.get(row.name, [])
        if len(found) > 1:
            raise ValidationError(
                _("Several clients are named %(name)s: give the INN instead."),
                params={"name": row.name},
            )
        return found[0] if found else None


def unknown_client_message(row: CheckedRow) -> str:
    if row.inn:
        return _("No client has the INN %(inn)s.") % {"inn": row.inn}
    if row.name:
        return _("No client is named %(name)s.") % {"name": row.name}
    return _("Give the client's INN or name.")


def foreign_client_message(row: CheckedRow) -> str:
    who = row.inn or row.name
    return _("The client %(client)s belongs to a department this token may not write to.") % {
        "client": who
    }


def month_of(day: dt.date) -> dt.date:
    return day.replace(day=1)


def closed_periods(pairs: Iterable[tuple[int, dt.date]]) -> dict[tuple[int, dt.date], str]:
    """The periods among (department id, month) pairs that no longer take payments."""
    pairs = set(pairs)
    if not pairs:
        return {}
    departments = {department for department, _month in pairs}
    months = {month for _department, month in pairs}
    found = BonusPeriod.objects.filter(
        department_id__in=departments, month__in=months, state__in=lifecycle.FROZEN
    ).values_list("department_id", "month", "state")
    return {(dep, month): state for dep, month, state in found if (dep, month) in pairs}


def lock_periods(pairs: Iterable[tuple[int, dt.date]]) -> dict[tuple[int, dt.date], str]:
    """Hold the months open while payments are written into them.

    Every write of payments holds its (department id, month) pairs
    (``lifecycle.hold_months``, until its transaction ends), and so does the close. So a
    close and a write never interleave: the close counts every payment committed before
    it, and a write that had to wait finds the month closed. Returns the pairs whose
    period no longer takes payments. Two queries, however many pairs.
    """
    pairs = set(pairs)
    if not pairs:
        return {}
    lifecycle.hold_months(pairs)
    # Read after the hold: a close that went first has committed by now.
    return closed_periods(pairs)


def closed_periods_all() -> dict[tuple[int, dt.date], str]:
    """Every period that no longer takes payments (one query; a few per department-year)."""
    found = BonusPeriod.objects.filter(state__in=lifecycle.FROZEN).values_list(
        "department_id", "month", "state"
    )
    return {(dep, month): state for dep, month, state in found}


def refusing_payments(
    closed: dict[tuple[int, dt.date], str],
) -> dict[tuple[int, dt.date], str]:
    """The closed periods among ``closed`` that refuse a payment dated in them: all but
    the paid ones (``lifecycle.takes_late_payments``)."""
    return {
        pair: state for pair, state in closed.items() if not lifecycle.takes_late_payments(state)
    }


def check_period_open(
    department_id: int, received_on: dt.date, closed: dict[tuple[int, dt.date], str]
) -> None:
    """Refuse a payment dated in a month whose bonus period is already closed.

    A paid month records it after all (``lifecycle.takes_late_payments``): what was paid
    stays as it was, and the month shows that it differs until a correction counts it.
    """
    if not closed:
        return
    state = closed.get((department_id, month_of(received_on)))
    if state is not None and not lifecycle.takes_late_payments(state):
        raise ValidationError(
            _(
                "%(date)s falls in the period %(month)s, which is %(state)s: "
                "payments can no longer be added to it."
            ),
            params={
                "date": received_on.strftime("%d.%m.%Y"),
                "month": month_label(received_on),
                "state": PeriodState(state).label,
            },
        )


def months_being_corrected(pairs: Iterable[tuple[int, dt.date]]) -> set[tuple[int, dt.date]]:
    """The (department id, month) pairs whose paid month the director has reopened.

    Such a month takes a void of its payments, through its correction only
    (``compensation.services.corrections``): one query, however many pairs.
    """
    pairs = set(pairs)
    if not pairs:
        return set()
    found = (
        BonusPeriod.objects.filter(
            department_id__in={department for department, _month in pairs},
            month__in={month for _department, month in pairs},
            state=lifecycle.CORRECTED_IN,
            revisions__paid_at__isnull=False,
        )
        .values_list("department_id", "month")
        .distinct()
    )
    return {pair for pair in found if pair in pairs}
