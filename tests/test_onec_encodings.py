"""A 1C statement's encoding: Windows-1251, DOS (cp866) or UTF-8; any other is named."""

from __future__ import annotations

from pathlib import Path

import pytest

from accounts.policy import SYSTEM
from payments.importing.pipeline import payments_import
from payments.models import ImportStatus, Payment
from tests.test_imports_malformed import clients  # noqa: F401 - the fixture, shared

ONEC = (Path(__file__).parent / "fixtures" / "statement-1c-utf8.txt").read_text("utf-8")


def _in(encoding: str, declared: str = "Windows") -> bytes:
    text = ONEC.replace("Кодировка=Windows", f"Кодировка={declared}")
    return text.replace("№", "N").encode(encoding)  # KOI8 has no "№"


@pytest.mark.parametrize("encoding", ["koi8-r", "mac-cyrillic"])
def test_a_koi8_statement_is_refused_for_its_encoding_not_as_truncated(
    clients: None,  # noqa: F811
    encoding: str,
) -> None:
    result = payments_import(user=SYSTEM, file_name="s.txt", data=_in(encoding), fmt="1c")

    assert not result.accepted
    assert result.batch.status == ImportStatus.REJECTED
    assert [(e.line, e.field) for e in result.errors] == [(1, "file")]
    message = result.errors[0].message
    assert {"koi8-r": "KOI8-R", "mac-cyrillic": "Mac Cyrillic"}[encoding] in message
    assert "Кодировка=Windows" in message
    assert "truncated" not in message
    assert Payment.objects.count() == 1  # the one from before


@pytest.mark.parametrize(("encoding", "declared"), [("cp866", "DOS"), ("cp1251", "Windows")])
def test_a_statement_in_an_encoding_of_the_format_is_imported(
    clients: None,  # noqa: F811
    encoding: str,
    declared: str,
) -> None:
    result = payments_import(user=SYSTEM, file_name="s.txt", data=_in(encoding, declared), fmt="1c")

    assert result.accepted, result.errors
    utf8 = payments_import(user=SYSTEM, file_name="u.txt", data=_in("utf-8"), fmt="1c")
    assert result.new > 0
    assert utf8.new == 0  # the same payments: already imported from the other file
