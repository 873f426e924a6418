"""Whether a running import still has a process: a PostgreSQL advisory lock per batch.

The process that runs an import holds a session-level advisory lock on its batch from
before the batch says "running" until after it has its outcome. The database releases
the lock when that process's connection ends, however it ends (a killed worker, a
restarted machine): a batch that says "running" while nobody holds its lock has lost
its process, and its transaction, never committed, wrote nothing.

Pages only read this (:func:`as_seen`); the worker records a lost import as failed
(``payments.tasks.import_batches_settle_lost``, run as it starts and after every job,
and by ``manage.py settle_imports`` for cron).
"""

from __future__ import annotations

import copy
from typing import TYPE_CHECKING

from django.db import Error, connection
from django.utils.translation import gettext_lazy as _

if TYPE_CHECKING:
    from payments.models import ImportBatch

# What a lost import's batch says once failed (payments.services records the same words).
LOST = _(
    "The import stopped before it finished: its process ended (a worker was"
    " stopped or restarted). Nothing was saved; import the file again."
)

# The lock's first key, so that the batch's id as the second cannot meet another lock.
NAMESPACE = 0x7B0715  # "import batch"
_KEY_SPACE = 2**31  # the second key is a 4-byte integer


def _keys(batch_id: int) -> tuple[int, int]:
    return NAMESPACE, batch_id % _KEY_SPACE


def hold(batch_id: int) -> None:
    """Take the batch's lock for this connection's session (kept across commits)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_lock(%s, %s)", _keys(batch_id))


def release(batch_id: int) -> None:
    """Let the lock go; a connection already lost has let it go with itself."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_unlock(%s, %s)", _keys(batch_id))
    except Error:
        pass


def is_held(batch_id: int) -> bool:
    """Whether any session holds the batch's lock."""
    classid, objid = _keys(batch_id)
    with connection.cursor() as cursor:
        # Advisory locks are the database's own; the two-key form shows in pg_locks as
        # (classid, objid, objsubid 2).
        cursor.execute(
            "SELECT EXISTS (SELECT 1 FROM pg_locks WHERE locktype = 'advisory'"
            " AND database = (SELECT oid FROM pg_database WHERE datname = current_database())"
            " AND classid = %s AND objid = %s AND objsubid = 2 AND granted)",
            [classid, objid],
        )
        return bool(cursor.fetchone()[0])


def is_lost(batch: ImportBatch) -> bool:
    """The batch says "running" while nobody holds its lock: its process has ended."""
    from payments.models import ImportStatus

    return batch.status == ImportStatus.RUNNING and is_held(batch.pk) is False


def as_seen(batch: ImportBatch) -> ImportBatch:
    """The batch as a page shows it: a lost import is shown failed, and why.

    Nothing is written (a page only reads); the copy returned is never to be saved.
    """
    from payments.models import ImportStatus

    if not is_lost(batch):
        return batch
    seen = copy.copy(batch)
    seen.status = ImportStatus.FAILED
    seen.errors = [*batch.errors, {"line": 0, "field": "file", "message": str(LOST)}]
    return seen
