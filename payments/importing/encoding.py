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


def decoded_lines(stream: BinaryIO, encoding: str) -> Iterator[tuple[int, str]]:
    """(line number, text without the line ending), one line at a time."""
    decode = codecs.getdecoder(encoding)
    for number, raw in enumerate(stream, start=1):
        if number == 1 and encoding == "utf-8-sig":
            raw = raw.removeprefix(codecs.BOM_UTF8)
        try:
            text, _size = decode(raw)
        except UnicodeDecodeError:
            raise ImportFileError(
                number,
                "file",
                _("Line %(line)d is not valid %(encoding)s: the file mixes encodings.")
                % {"line": number, "encoding": _encoding_label(encoding)},
            ) from None
        if "\x00" in text:
            # PostgreSQL cannot store a NUL in text; past the sniffed head it is named here.
            raise ImportFileError(
                number, "file", _("Line %(line)d contains a NUL byte.") % {"line": number}
            )
        yield number, text.rstrip("\r\n")


def _encoding_label(encoding: str) -> str:
    return "UTF-8" if encoding.startswith("utf-8") else "Windows-1251"
