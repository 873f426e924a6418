from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from compensation.engine import BonusInputError, calculate
from compensation.scenario import loads, result_to_json
from core.calendar import month_exceptions


class Command(BaseCommand):
    requires_system_checks: list[str] = []
    help = "Compute a what-if bonus from a scenario JSON file (or - for stdin)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="scenario JSON file, or - to read stdin")

    def handle(self, *args: Any, **options: Any) -> None:
        source = options["file"]
        try:
            text = sys.stdin.read() if source == "-" else Path(source).read_text("utf-8")
        except (OSError, UnicodeDecodeError) as error:
            raise CommandError(f"cannot read {source}: {error}") from None
        try:
            result = calculate(loads(text, calendar=month_exceptions))
        except BonusInputError as error:
            # One line on stderr, whatever a name in the scenario contains.
            message = " ".join(str(error).split())
            raise CommandError(f"invalid scenario: {message}") from None
        self.stdout.write(json.dumps(result_to_json(result), indent=1, ensure_ascii=False))
