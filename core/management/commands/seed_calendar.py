"""Add the public holidays and transferred working days of some years to the calendar."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from core.calendar import calendar_seed


class Command(BaseCommand):
    help = (
        "Add Russia's public holidays and transferred working days for the given years "
        "(from the holidays library); days already in the calendar are kept."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("years", nargs="+", type=int, help="e.g. 2027 2028")

    def handle(self, *args: Any, years: list[int], **options: Any) -> None:
        added = calendar_seed(years=years)
        self.stdout.write(f"{added} days added to the calendar.")
