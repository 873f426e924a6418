"""``python manage.py run_worker``: ``db_worker`` that also settles lost imports.

A page never writes, so an import whose worker died is recorded as failed here: once
as the worker starts (the usual moment: a restart after a crash or a deploy) and after
every job it runs. Takes every option of ``db_worker``.

A lost database connection (a database restart, a failover, a dropped network, an
administrator ending sessions) does not end the worker: it drops the connection, waits a
little longer each time the database is still away, and takes the next job.
"""

from __future__ import annotations

import logging
import time
from typing import Any

from django.db import InterfaceError, OperationalError, ProgrammingError, connections
from django_tasks.signals import task_finished
from django_tasks_db.management.commands import db_worker

from payments.tasks import import_batches_settle_lost

logger = logging.getLogger(__name__)

# Errors of a connection, not of a job: the job loop's own queries raise them when the
# server ends the session. Django raises ProgrammingError when a query inside the job
# loop's transaction finds that its connection was closed by a failed health check.
CONNECTION_ERRORS = (OperationalError, InterfaceError, ProgrammingError)


def settle(**_kwargs: Any) -> None:
    try:
        settled = import_batches_settle_lost()
    except Exception:
        # The worker goes on taking jobs; the next job or a restart settles them.
        logger.exception("Settling lost imports failed")
        return
    if settled:
        logger.warning("%d lost import(s) recorded as failed", settled)


class Worker(db_worker.Worker):
    """The library's worker, started again on a fresh connection when its own is lost."""

    first_delay = 1.0  # seconds
    longest_delay = 30.0
    # A loss longer ago than this is another incident: the wait starts short again.
    calm = 60.0

    def run(self) -> None:
        delay, last_loss = self.first_delay, None  # no loss yet
        while self.running:
            try:
                super().run()
                return  # --batch or --max-tasks: done
            except CONNECTION_ERRORS as error:
                now = time.monotonic()
                calm = last_loss is None or now - last_loss > self.calm
                delay = self.first_delay if calm else delay * 2
                delay, last_loss = min(delay, self.longest_delay), now
                logger.warning(
                    "Database connection lost (%s); trying again in %.0f s", error, delay
                )
                connections.close_all()
                time.sleep(delay)
                # Jobs this worker had claimed when the connection went are settled by
                # whoever settles next (imports), or stay for an administrator.
                settle()


class Command(db_worker.Command):
    help = "Run the background worker; imports whose process ended are recorded failed."

    def handle(self, *args: Any, **options: Any) -> None:
        settle()
        task_finished.connect(settle, dispatch_uid="payments.run_worker.settle")
        db_worker.Worker = Worker  # the library's handle() builds the worker by this name
        super().handle(*args, **options)
