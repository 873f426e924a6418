"""A file's problems, each naming its row and field: shared by every import of a file."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class RowError:
    line: int
    field: str
    message: str

    def __str__(self) -> str:
        return f"row {self.line}, {self.field}: {self.message}"

    def as_json(self) -> dict[str, object]:
        return {"line": self.line, "field": self.field, "message": self.message}


class ImportFileError(Exception):
    """The file as a whole cannot be read: wrong format, encoding, truncated, inconsistent."""

    def __init__(self, line: int, field: str, message: str) -> None:
        super().__init__(message)
        self.error = RowError(line, field, str(message))
