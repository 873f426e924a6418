"""``python manage.py run_worker``: ``db_worker`` that also settles lost imports.

A page never writes, so an import whose worker died is recorded as failed here: once
as the worker starts (the usual moment: a restart after a crash or a deploy) and after
every job it runs. Takes every option of ``db_worker``.
"""

from __future__ import annotations

import logging
from typing import Any

from django_tasks.signals import task_finished
from django_tasks_db.management.commands import db_worker

from payments.tasks import import_batches_settle_lost

logger = logging.getLogger(__name__)


def settle(**_kwargs: Any) -> None:
    try:
        settled = import_batches_settle_lost()
    except Exception:
        # The worker goes on taking jobs; the next job or a restart settles them.
        logger.exception("Settling lost imports failed")
        return
    if settled:
        logger.warning("%d lost import(s) recorded as failed", settled)


class Command(db_worker.Command):
    help = "Run the background worker; imports whose process ended are recorded failed."

    def handle(self, *args: Any, **options: Any) -> None:
        settle()
        task_finished.connect(settle, dispatch_uid="payments.run_worker.settle")
        super().handle(*args, **options)
