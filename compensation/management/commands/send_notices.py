"""Tell each head of the gates at risk whose notice is due today (cron, once a day)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from compensation.gate_watch import gate_notices_send


class Command(BaseCommand):
    help = (
        "Send the notices that depend on the date: a gate at risk, three working days "
        "before its day. Each is sent once; running again sends nothing new."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--date", help="the day to run for, YYYY-MM-DD (default: today)")

    def handle(self, *args: Any, **options: Any) -> None:
        today = timezone.localdate()
        if options["date"]:
            try:
                today = dt.date.fromisoformat(options["date"])
            except ValueError:
                raise CommandError(
                    f"--date: not a date like 2026-11-30: {options['date']}"
                ) from None
        sent = gate_notices_send(today=today)
        self.stdout.write(f"{sent} notice(s) sent")
