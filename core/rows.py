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


class RowReport:
    """What an import of a file reports: its row errors, capped, and whether it was kept.

    A mixin for the imports' result dataclasses, which hold ``errors``, ``errors_left_out``
    and ``dry_run``: a file of a million bad rows must not become a million-line report.
    """

    max_reported = 1000
    errors: list[RowError]
    errors_left_out: int
    dry_run: bool

    @property
    def accepted(self) -> bool:
        return not self.errors

    @property
    def written(self) -> bool:
        return self.accepted and not self.dry_run

    def add_error(self, error: RowError) -> None:
        if len(self.errors) < self.max_reported:
            self.errors.append(error)
        else:
            self.errors_left_out += 1
