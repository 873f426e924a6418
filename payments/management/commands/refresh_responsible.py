"""Daily: hand each client to its holder of the day (a cover that ended comes back)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from payments.assignments import responsible_refresh


class Command(BaseCommand):
    help = "Set each client's responsible employee to the one in force today (run daily)."

    def handle(self, *args: Any, **options: Any) -> None:
        changed = responsible_refresh()
        self.stdout.write(f"{changed} client(s) changed hands.")
