"""The readers, one a format: bytes in, ``RawRow``s out, the format's own field names kept
for errors. A reader knows its format and nothing else; which reader a file needs comes
from the format given, or is guessed from its first bytes (``detect_format``)."""

from __future__ import annotations

import codecs
from collections.abc import Callable, Iterator
from pathlib import PurePath
from typing import BinaryIO

from django.utils.translation import gettext as _

from payments.importing.readers.camt053 import read_camt053
from payments.importing.readers.csv_xlsx import read_csv, read_xlsx
from payments.importing.readers.json_rows import read_json
from payments.importing.readers.onec import SIGNATURE, read_onec
from payments.importing.rows import ImportFileError, RawRow
from payments.models import ImportFormat, Source

AUTO = "auto"
Reader = Callable[[BinaryIO], Iterator[RawRow]]

READERS: dict[str, Reader] = {
    ImportFormat.CSV: read_csv,
    ImportFormat.XLSX: read_xlsx,
    ImportFormat.ONEC: read_onec,
    ImportFormat.CAMT053: read_camt053,
    ImportFormat.JSON: read_json,
}
SOURCES = {
    ImportFormat.CSV: Source.FILE,
    ImportFormat.XLSX: Source.FILE,
    ImportFormat.ONEC: Source.ONEC,
    ImportFormat.CAMT053: Source.CAMT053,
    ImportFormat.JSON: Source.API,
}
# Bank statements list every payer; one we do not know is kept for a person to assign.
# A spreadsheet is typed by us, so an unknown client there is a mistake in the row.
BANK_FORMATS = frozenset({ImportFormat.ONEC, ImportFormat.CAMT053})
_EXTENSIONS = {
    ".csv": ImportFormat.CSV,
    ".xlsx": ImportFormat.XLSX,
    ".xml": ImportFormat.CAMT053,
    ".json": ImportFormat.JSON,
}


def detect_format(file_name: str, stream: BinaryIO) -> str:
    """The format of a file from its content, falling back on its extension."""
    head = stream.read(4096)
    stream.seek(0)
    if head.startswith(b"PK\x03\x04"):
        return ImportFormat.XLSX
    text = head.removeprefix(codecs.BOM_UTF8).lstrip()
    if text.startswith(SIGNATURE.encode()):
        return ImportFormat.ONEC
    if text.startswith(b"<"):
        return ImportFormat.CAMT053
    if text.startswith(b"["):
        return ImportFormat.JSON
    by_extension = _EXTENSIONS.get(PurePath(file_name).suffix.lower())
    if by_extension is not None:
        return by_extension
    if b";" in head or b"," in head:
        return ImportFormat.CSV
    raise ImportFileError(
        1, "file", _("Cannot tell the file's format: choose csv, xlsx, 1c or camt053.")
    )
