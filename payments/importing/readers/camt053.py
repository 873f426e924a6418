"""Reader for ISO 20022 camt.053 bank-to-customer statements (any 001.xx version).

The XML is parsed with defusedxml (no DTD, no entities, no external references) and fed in
chunks; each booked credit entry is yielded and dropped as soon as it is complete.
Elements are matched on local names because the namespace changes with the version.
"""

from __future__ import annotations

from collections import defaultdict, deque
from collections.abc import Iterator
from decimal import Decimal, InvalidOperation
from typing import Any, BinaryIO

# Types and the tree builder only: the parsing itself is defusedxml's DefusedXMLParser.
from xml.etree.ElementTree import Element, ParseError, TreeBuilder  # nosec B405

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import DefusedXMLParser
from django.utils.translation import gettext as _

from payments.importing.rows import (
    FieldNames,
    ImportFileError,
    RawRow,
    StatementCheck,
    StatementFacts,
)

NAMES = FieldNames(
    date="BookgDt", amount="Amt", inn="Dbtr/Id/OrgId/Othr/Id", client="Dbtr/Nm", reference="NtryRef"
)
FEED_BYTES = 64 * 1024


def local(tag: str) -> str:
    return tag.rpartition("}")[2]


def child(elem: Element | None, *path: str) -> Element | None:
    """The first descendant along ``path`` of local names, whatever the namespace."""
    for name in path:
        if elem is None:
            return None
        elem = next((c for c in elem if local(c.tag) == name), None)
    return elem


def children(elem: Element | None, *path: str) -> list[Element]:
    """Every element named ``path[-1]`` directly under the element along ``path[:-1]``."""
    parent = child(elem, *path[:-1])
    if parent is None:
        return []
    return [c for c in parent if local(c.tag) == path[-1]]


def text(elem: Element | None, *path: str) -> str:
    found = child(elem, *path)
    return "".join(found.itertext()).strip() if found is not None else ""


class _EntryCollector(TreeBuilder):
    """Builds the tree but hands each finished ``Ntry`` out and detaches it from the tree."""

    def __init__(self) -> None:
        super().__init__()
        self.parser: Any = None
        self.stack: list[tuple[Element, int]] = []
        self.entries: deque[tuple[int, Element, str]] = deque()
        self.own_account = ""
        # Per own account: the balances and the credit total the statement declares.
        self.declared: dict[str, dict[str, Decimal]] = defaultdict(dict)

    def start(self, tag: str, attrs: dict[str, str]) -> Element:
        elem = super().start(tag, attrs)
        if not self.stack:
            _check_root(tag)
        self.stack.append((elem, self.parser.parser.CurrentLineNumber))
        return elem

    def end(self, tag: str) -> Element:
        elem = super().end(tag)
        _elem, line = self.stack.pop()
        parent = self.stack[-1][0] if self.stack else None
        name = local(tag)
        if name == "Acct" and parent is not None and local(parent.tag) == "Stmt":
            self.own_account = text(elem, "Id", "IBAN") or text(elem, "Id", "Othr", "Id")
        elif name == "Bal" and parent is not None and local(parent.tag) == "Stmt":
            self._note(text(elem, "Tp", "CdOrPrtry", "Cd"), elem)
        elif name == "TtlCdtNtries" and parent is not None:
            self._note("TtlCdtNtries/Sum", elem, "Sum")
        elif name == "Ntry" and parent is not None:
            self.entries.append((line, elem, self.own_account))
            parent.remove(elem)
        return elem

    def _note(self, kind: str, elem: Element, amount_path: str = "Amt") -> None:
        if kind not in ("OPBD", "CLBD", "TtlCdtNtries/Sum"):
            return
        amount = _decimal(text(elem, amount_path))
        if amount is not None:
            negative = text(elem, "CdtDbtInd") == "DBIT"
            self.declared[self.own_account][kind] = -amount if negative else amount


def _decimal(value: str) -> Decimal | None:
    try:
        return Decimal(value)
    except InvalidOperation:
        return None


def _check_root(tag: str) -> None:
    if local(tag) != "Document" or "camt.053" not in tag:
        raise ImportFileError(
            1,
            "file",
            _("Not a camt.053 statement: the root element is %(tag)s.") % {"tag": local(tag)},
        )


def read_camt053(stream: BinaryIO, facts: StatementFacts | None = None) -> Iterator[RawRow]:
    """Booked credit entries of a camt.053 statement, one ``RawRow`` per entry; ``facts``
    learns the declared balances and credit total against the entries read."""
    collector = _EntryCollector()
    facts = facts if facts is not None else StatementFacts()
    booked: dict[str, dict[str, Decimal]] = defaultdict(lambda: defaultdict(Decimal))
    # A bank statement needs no DTD at all: refusing any DOCTYPE also refuses the
    # external ones defusedxml would otherwise let through unread.
    parser = DefusedXMLParser(target=collector, forbid_dtd=True)
    collector.parser = parser
    for chunk in iter(lambda: stream.read(FEED_BYTES), b""):
        _feed(parser, chunk)
        yield from _drain(collector, facts, booked)
    _feed(parser, None)
    yield from _drain(collector, facts, booked)
    facts.checks.extend(_checks(collector.declared, booked))


def _checks(
    declared: dict[str, dict[str, Decimal]], booked: dict[str, dict[str, Decimal]]
) -> list[StatementCheck]:
    """The statement's credit total against the credits read, and its closing balance
    against the opening one plus the credits less the debits read: where it states them."""
    checks = []
    for account, figures in declared.items():
        credits, debits = booked[account]["CRDT"], booked[account]["DBIT"]
        if "TtlCdtNtries/Sum" in figures:
            checks.append(
                StatementCheck(account, "TtlCdtNtries/Sum", figures["TtlCdtNtries/Sum"], credits)
            )
        if "OPBD" in figures and "CLBD" in figures:
            closing = figures["OPBD"] + credits - debits
            checks.append(StatementCheck(account, "CLBD", figures["CLBD"], closing))
    return checks


def _feed(parser: DefusedXMLParser, chunk: bytes | None) -> None:
    try:
        if chunk is None:
            parser.close()
        else:
            parser.feed(chunk)
    except DefusedXmlException as error:
        raise ImportFileError(
            0,
            "file",
            _("The XML declares entities or a DTD, which a bank statement never needs: %(error)s")
            % {"error": type(error).__name__},
        ) from None
    except ParseError as error:
        line = error.position[0] if error.position else 0
        raise ImportFileError(
            line, "file", _("The XML is malformed: %(error)s") % {"error": error}
        ) from None


def _drain(
    collector: _EntryCollector, facts: StatementFacts, booked: dict[str, dict[str, Decimal]]
) -> Iterator[RawRow]:
    while collector.entries:
        line, entry, own_account = collector.entries.popleft()
        side = text(entry, "CdtDbtInd")
        if text(entry, "Sts") == "BOOK" and (amount := _decimal(text(entry, "Amt"))) is not None:
            booked[own_account][side] += amount
        if side == "DBIT":
            facts.skipped_outgoing += 1
        row = _credit(entry, line, own_account)
        if row is not None:
            yield row


def _credit(entry: Element, line: int, own_account: str) -> RawRow | None:
    """A booked credit entry as a payment to us; debits and pending entries are skipped."""
    if text(entry, "CdtDbtInd") != "CRDT" or text(entry, "Sts") != "BOOK":
        return None
    amount = child(entry, "Amt")
    tx = child(entry, "NtryDtls", "TxDtls")
    debtor = child(tx, "RltdPties", "Dbtr")
    payer_account = text(tx, "RltdPties", "DbtrAcct", "Id", "Othr", "Id") or text(
        tx, "RltdPties", "DbtrAcct", "Id", "IBAN"
    )
    date = _booking_date(entry)
    inn = _tax_id(debtor)
    reference = text(entry, "AcctSvcrRef") or text(entry, "NtryRef")
    amount_text = text(entry, "Amt")
    return RawRow(
        line=line,
        date=date,
        amount=amount_text,
        currency=amount.get("Ccy", "") if amount is not None else "",
        inn=inn,
        name=text(debtor, "Nm"),
        reference=reference or text(tx, "Refs", "EndToEndId"),
        payer_account=payer_account,
        own_account=own_account,
        purpose=" ".join("".join(u.itertext()).strip() for u in children(tx, "RmtInf", "Ustrd")),
        names=NAMES,
    )


def _booking_date(entry: Element) -> str:
    for path in (("BookgDt", "Dt"), ("BookgDt", "DtTm"), ("ValDt", "Dt"), ("ValDt", "DtTm")):
        value = text(entry, *path)
        if value:
            return value[:10]
    return ""


def _tax_id(party: Element | None) -> str:
    """The payer's INN: an ``Othr`` identification under the TXID scheme."""
    for kind in ("OrgId", "PrvtId"):
        for other in children(party, "Id", kind, "Othr"):
            if text(other, "SchmeNm", "Cd") == "TXID":
                return text(other, "Id")
    return ""
