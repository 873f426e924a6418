"""The benchmark's one table: each target with its measured figure and pass or miss."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal


def ms(seconds: float) -> str:
    return f"{seconds * 1000:,.1f} ms"


def times(ratio: Decimal | float) -> str:
    return f"{ratio:.2f}×"


def verdict(passed: bool | None) -> str:
    return "—" if passed is None else "pass" if passed else "MISS"


@dataclass
class Table:
    """Rows of (measurement, figure, target, result, notes), printed as they come."""

    title: str
    preamble: list[str] = field(default_factory=list)
    rows: list[tuple[str, str, str, str, str]] = field(default_factory=list)

    def add(
        self, measurement: str, figure: str, target: str, passed: bool | None, notes: str = ""
    ) -> None:
        self.rows.append((measurement, figure, target, verdict(passed), notes or "—"))
        print("  " + " | ".join(self.rows[-1]), flush=True)

    def note(self, line: str) -> None:
        self.preamble.append(line)
        print("  " + line, flush=True)

    @property
    def misses(self) -> int:
        return sum(row[3] == "MISS" for row in self.rows)

    @property
    def targets(self) -> int:
        return sum(row[3] != "—" for row in self.rows)

    def markdown(self) -> str:
        head = ("measurement", "figure", "target", "result", "notes")
        lines = [f"## {self.title}", ""]
        lines += [f"- {line}" for line in self.preamble]
        lines += ["", "| " + " | ".join(head) + " |", "|" + " --- |" * len(head)]
        lines += [
            "| " + " | ".join(cell.replace("|", "\\|") for cell in row) + " |" for row in self.rows
        ]
        lines += ["", f"{self.targets - self.misses} of {self.targets} targets pass."]
        return "\n".join(lines)
