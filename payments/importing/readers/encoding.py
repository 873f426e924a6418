"""Deciding a text file's encoding from its bytes, and reading it line by line."""

from __future__ import annotations

import codecs
from collections.abc import Iterator
from typing import BinaryIO

from django.utils.translation import gettext as _

from payments.importing.rows import ImportFileError

SNIFF_BYTES = 64 * 1024
_UTF16_BOMS = (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)


def sniff_encoding(stream: BinaryIO) -> str:
    """``utf-8-sig`` or ``cp1251``: strict UTF-8 first (a BOM allowed), else Windows-1251.

    Only the head of the file is examined so a large file is not read twice; a later
    line that is not valid in the chosen encoding is reported with its line number.
    """
    head = stream.read(SNIFF_BYTES)
    stream.seek(0)
    if head.startswith(_UTF16_BOMS):
        raise ImportFileError(
            1, "file", _("The file is in UTF-16: save it as UTF-8 or Windows-1251.")
        )
    if b"\x00" in head:
        # Text in UTF-8 or Windows-1251 never holds a NUL byte; UTF-16 without a BOM
        # (and any binary file) does, and would otherwise read as garbage.
        raise ImportFileError(
            1,
            "file",
            _(
                "The file contains NUL bytes: it is UTF-16 or not a text file. "
                "Save it as UTF-8 or Windows-1251."
            ),
        )
    try:
        # final=False: the sample may end in the middle of a multi-byte character.
        codecs.getincrementaldecoder("utf-8")().decode(head, final=False)
    except UnicodeDecodeError:
        return "cp1251"
    return "utf-8-sig"


# A 1C statement names its encoding in its header (``Кодировка=Windows`` or ``DOS``),
# and its words are written in the encoding it names. UTF-8 is not in the format, but
# some programs write it and it reads unambiguously.
_ONEC_WORDS = ("Кодировка=", "СекцияРасчСчет", "СекцияДокумент", "КонецФайла")
# Encodings a Cyrillic file may come in that the format does not allow: named, so the
# message says what the file is instead of what it seems to lack.
# (KOI8-U writes Russian as KOI8-R does.)
_ONEC_REFUSED = {"koi8-r": "KOI8-R", "mac-cyrillic": "Mac Cyrillic"}


def sniff_onec_encoding(stream: BinaryIO) -> str:
    """A 1C statement's encoding: UTF-8 or Windows-1251 (``sniff_encoding``), or DOS.

    The format's own words tell which: a file whose words are in DOS (cp866) is read
    so; one whose words are in an encoding the format does not allow (KOI8-R, say) is
    refused with a message that says so, rather than read as Windows-1251 and reported
    as missing its sections.
    """
    encoding = sniff_encoding(stream)
    head = stream.read(SNIFF_BYTES)
    stream.seek(0)
    if _has_words(head, "utf-8") or _has_words(head, "cp1251"):
        return encoding
    if _has_words(head, "cp866"):
        return "cp866"
    for codec, label in _ONEC_REFUSED.items():
        if _has_words(head, codec):
            raise ImportFileError(
                1,
                "file",
                _(
                    "The file's encoding is %(encoding)s, which 1C statements do not use: "
                    "export it again with Кодировка=Windows (Windows-1251) or "
                    "Кодировка=DOS (cp866)."
                )
                % {"encoding": label},
            )
    return encoding


def _has_words(head: bytes, codec: str) -> bool:
    return any(word.encode(codec) in head for word in _ONEC_WORDS)


BLOCK_BYTES = 64 * 1024


def decoded_lines(stream: BinaryIO, encoding: str) -> Iterator[tuple[int, str]]:
    """(line number, text without the line ending), one line at a time.

    The file is decoded a block at a time (a million short lines decode far faster in
    blocks than one by one); a line that cannot be decoded, or holds a NUL, is still
    named by its number.
    """
    decoder = codecs.getincrementaldecoder(encoding)()
    number = 0  # lines handed out so far
    tail = ""  # the start of a line the next block completes
    for block in iter(lambda: stream.read(BLOCK_BYTES), b""):
        carried = len(decoder.getstate()[0])
        try:
            text = tail + decoder.decode(block)
        except UnicodeDecodeError as error:
            # The bytes before the error hold the lines before the bad one.
            before = block[: max(0, error.start - carried)].count(b"\n")
            raise _undecodable(number + before + 1, encoding) from None
        lines = text.split("\n")
        tail = lines.pop()
        if "\x00" in text:
            _refuse_nul(lines, number)
        if "\r" in text:
            lines = [line.rstrip("\r") for line in lines]
        yield from enumerate(lines, start=number + 1)
        number += len(lines)
    try:
        tail += decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        raise _undecodable(number + 1, encoding) from None
    if tail:
        _refuse_nul([tail], number)
        yield number + 1, tail.rstrip("\r")


def _refuse_nul(lines: list[str], number: int) -> None:
    """PostgreSQL cannot store a NUL in text; past the sniffed head it is named here."""
    for offset, line in enumerate(lines, start=number + 1):
        if "\x00" in line:
            raise ImportFileError(
                offset, "file", _("Line %(line)d contains a NUL byte.") % {"line": offset}
            )


def _undecodable(number: int, encoding: str) -> ImportFileError:
    return ImportFileError(
        number,
        "file",
        _("Line %(line)d is not valid %(encoding)s: the file mixes encodings.")
        % {"line": number, "encoding": _encoding_label(encoding)},
    )


def _encoding_label(encoding: str) -> str:
    labels = {"cp1251": "Windows-1251", "cp866": "DOS (cp866)"}
    return "UTF-8" if encoding.startswith("utf-8") else labels.get(encoding, encoding)
