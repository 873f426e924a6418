"""Reading a text file a block at a time gives exactly its lines, and names a bad line."""

from __future__ import annotations

import io

import pytest
from hypothesis import given
from hypothesis import strategies as st

from payments.importing.readers import encoding
from payments.importing.readers.encoding import decoded_lines
from payments.importing.rows import ImportFileError

# Cyrillic and Latin text without line breaks or NULs: what a statement's lines hold.
LINE = st.text(
    alphabet=st.characters(
        codec="cp1251", exclude_characters="\r\n\x00", exclude_categories=("Cs",)
    ),
    max_size=40,
)


def read(data: bytes, encoding_name: str) -> list[tuple[int, str]]:
    return list(decoded_lines(io.BytesIO(data), encoding_name))


@pytest.fixture
def tiny_blocks(monkeypatch: pytest.MonkeyPatch) -> None:
    # Blocks of 7 bytes cut lines, and UTF-8 characters, in every possible place.
    monkeypatch.setattr(encoding, "BLOCK_BYTES", 7)


@given(
    lines=st.lists(LINE, max_size=30),
    ending=st.sampled_from(["\n", "\r\n"]),
    last_ended=st.booleans(),
    name=st.sampled_from(["utf-8-sig", "cp1251"]),
    block=st.integers(min_value=1, max_value=50),
)
def test_blocks_give_the_lines_line_by_line_reading_gives(
    lines: list[str], ending: str, last_ended: bool, name: str, block: int
) -> None:
    text = ending.join(lines) + (ending if last_ended and lines else "")
    data = text.encode("utf-8" if name == "utf-8-sig" else "cp1251")
    original = encoding.BLOCK_BYTES
    encoding.BLOCK_BYTES = block
    try:
        got = read(data, name)
    finally:
        encoding.BLOCK_BYTES = original
    expected = [line.rstrip("\r") for line in data.decode(name).split("\n")]
    if expected and expected[-1] == "":
        expected.pop()  # a final line break does not start another line
    assert got == list(enumerate(expected, start=1))


@pytest.mark.usefixtures("tiny_blocks")
def test_a_bom_is_not_part_of_the_first_line() -> None:
    assert read("\ufeffДата;Сумма\r\n1;2".encode(), "utf-8-sig") == [
        (1, "Дата;Сумма"),
        (2, "1;2"),
    ]


@pytest.mark.usefixtures("tiny_blocks")
def test_an_undecodable_line_is_named_whatever_block_it_falls_in() -> None:
    data = "Дата;Сумма\nпервая\nвторая\n".encode() + "третья\n".encode("cp1251") + b"x\n"

    with pytest.raises(ImportFileError) as caught:
        read(data, "utf-8-sig")

    assert (caught.value.error.line, caught.value.error.field) == (4, "file")
    assert "mixes encodings" in caught.value.error.message


@pytest.mark.usefixtures("tiny_blocks")
def test_a_character_cut_at_the_end_of_the_file_names_the_last_line() -> None:
    data = "один\nдва\n".encode() + "три".encode()[:-1]

    with pytest.raises(ImportFileError) as caught:
        read(data, "utf-8-sig")

    assert caught.value.error.line == 3


@pytest.mark.usefixtures("tiny_blocks")
@pytest.mark.parametrize("tail", [b"\n", b""])
def test_a_nul_is_named_by_its_line(tail: bytes) -> None:
    data = b"first line\nsecond line\nthird\x00line" + tail

    with pytest.raises(ImportFileError) as caught:
        read(data, "cp1251")

    assert caught.value.error.line == 3
    assert "NUL" in caught.value.error.message
