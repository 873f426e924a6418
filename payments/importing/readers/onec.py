"""Reader for 1C bank statements (1CClientBankExchange), as every Russian bank exports them.

Yields the incoming payments to the company's own accounts, one document at a time.
Checks the file's structure (first and last line) and reconciles the documents with
the statement's ``ВсегоПоступило`` once the whole file has been read.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from decimal import Decimal
from typing import BinaryIO

from django.utils.translation import gettext as _

from core.money import MoneyError, parse_amount
from payments.importing.readers.encoding import decoded_lines, sniff_onec_encoding
from payments.importing.rows import (
    FieldNames,
    ImportFileError,
    RawRow,
    StatementCheck,
    StatementFacts,
)

SIGNATURE = "1CClientBankExchange"
NAMES = FieldNames(
    date="ДатаПоступило",
    amount="Сумма",
    inn="ПлательщикИНН",
    client="Плательщик",
    reference="Номер",
)


class _Statement:
    """What the reader learns while walking the file: own accounts and their totals."""

    def __init__(self, facts: StatementFacts) -> None:
        self.facts = facts
        self.own_accounts: set[str] = set()
        self.declared: dict[str, Decimal] = defaultdict(Decimal)
        self.declared_line: dict[str, int] = {}
        self.credited: dict[str, Decimal] = defaultdict(Decimal)
        self.unreadable_amounts = False

    def note_section(self, section: dict[str, str], line: int) -> None:
        account = section.get("РасчСчет", "").strip()
        total = section.get("ВсегоПоступило", "").strip()
        if not account:
            return
        self.own_accounts.add(account)
        if total:
            self.declared[account] += _decimal(total, line, "ВсегоПоступило")
            self.declared_line.setdefault(account, line)

    def note_credit(self, account: str, amount: str) -> None:
        try:
            self.credited[account] += parse_amount(amount)
        except MoneyError:
            # The row itself is rejected with its own message; a total would only repeat it.
            self.unreadable_amounts = True

    def reconcile(self) -> None:
        if self.unreadable_amounts:
            return
        for account, declared in self.declared.items():
            credited = self.credited.get(account, Decimal("0.00"))
            self.facts.checks.append(StatementCheck(account, "ВсегоПоступило", declared, credited))
        for account, declared in self.declared.items():
            credited = self.credited.get(account, Decimal("0.00"))
            if credited != declared:
                raise ImportFileError(
                    self.declared_line[account],
                    "ВсегоПоступило",
                    _(
                        "Account %(account)s: the incoming documents add up to %(credited)s, "
                        "but the statement says ВсегоПоступило=%(declared)s. "
                        "The file is incomplete or damaged."
                    )
                    % {"account": account, "credited": credited, "declared": declared},
                )


def _decimal(text: str, line: int, field: str) -> Decimal:
    try:
        # A statement's total may be zero: a month nothing came in.
        return parse_amount(text, allow_zero=True)
    except MoneyError:
        raise ImportFileError(
            line, field, _("%(value)s is not an amount.") % {"value": text}
        ) from None


def read_onec(stream: BinaryIO, facts: StatementFacts | None = None) -> Iterator[RawRow]:
    """Incoming payments of a 1C statement, one ``RawRow`` per document; ``facts`` learns
    the statement's totals against the documents read and what was skipped."""
    lines = decoded_lines(stream, sniff_onec_encoding(stream))
    _expect_signature(lines)
    statement = _Statement(facts if facts is not None else StatementFacts())
    block: dict[str, str] | None = None
    block_line = 0
    number = 1
    for number, text in lines:
        key, sep, value = text.partition("=")
        if sep and block is not None and key not in _MARKERS:
            block.setdefault(key, value)  # most lines: a field of the open section
            continue
        if key == "КонецФайла":
            _check_closed(block, block_line)
            statement.reconcile()
            return
        if key in _SECTION_STARTS:
            _check_closed(block, block_line)
            block, block_line = {"": key}, number
        elif key == "КонецРасчСчет" and block is not None:
            statement.note_section(block, block_line)
            block = None
        elif key == "КонецДокумента" and block is not None:
            row = _incoming(block, block_line, statement)
            block = None
            if row is not None:
                yield row
        elif block is not None:
            block.setdefault(key, value)
        elif key == "РасчСчет":
            statement.own_accounts.add(value.strip())
    raise ImportFileError(
        number,
        "КонецФайла",
        _("The file is truncated: it ends at line %(line)d without КонецФайла.") % {"line": number},
    )


_SECTION_STARTS = frozenset({"СекцияРасчСчет", "СекцияДокумент"})
_MARKERS = _SECTION_STARTS | {"КонецРасчСчет", "КонецДокумента", "КонецФайла"}


def _expect_signature(lines: Iterator[tuple[int, str]]) -> None:
    first = next(lines, (1, ""))[1].strip()
    if first != SIGNATURE:
        raise ImportFileError(
            1,
            "file",
            _("Not a 1C bank statement: the first line must be %(signature)s.")
            % {"signature": SIGNATURE},
        )


def _check_closed(block: dict[str, str] | None, line: int) -> None:
    if block is not None:
        raise ImportFileError(
            line,
            block[""],
            _("The section starting at line %(line)d is never closed: the file is damaged.")
            % {"line": line},
        )


def _incoming(doc: dict[str, str], line: int, statement: _Statement) -> RawRow | None:
    """The document as a payment to us, or None when it is outgoing or between own accounts."""
    recipient = (doc.get("ПолучательСчет") or doc.get("ПолучательРасчСчет") or "").strip()
    payer = (doc.get("ПлательщикСчет") or doc.get("ПлательщикРасчСчет") or "").strip()
    if recipient not in statement.own_accounts:
        statement.facts.skipped_outgoing += 1
        return None
    amount = doc.get("Сумма", "").strip()
    statement.note_credit(recipient, amount)
    if payer in statement.own_accounts:
        statement.facts.skipped_own += 1
        return None
    inn = doc.get("ПлательщикИНН", "").strip()
    number, doc_date = doc.get("Номер", "").strip(), doc.get("Дата", "").strip()
    received = doc.get("ДатаПоступило", "").strip()
    return RawRow(
        line=line,
        date=received or doc_date,
        amount=amount,
        inn=inn,
        name=(doc.get("Плательщик1") or doc.get("Плательщик") or "").strip(),
        reference=number,
        payer_account=payer,
        own_account=recipient,
        purpose=doc.get("НазначениеПлатежа", "").strip(),
        names=NAMES if received else _DATE_FALLBACK_NAMES,
    )


_DATE_FALLBACK_NAMES = FieldNames(
    date="Дата", amount="Сумма", inn="ПлательщикИНН", client="Плательщик", reference="Номер"
)
