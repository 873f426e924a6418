"""``python manage.py settle_imports``: record imports whose process ended as failed (cron)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from payments.tasks import import_batches_settle_lost


class Command(BaseCommand):
    help = "Record as failed every running import whose worker process has ended."

    def handle(self, *args: Any, **options: Any) -> None:
        settled = import_batches_settle_lost()
        if options["verbosity"] > 0:
            self.stdout.write(f"{settled} lost import(s) recorded as failed.")
