"""How far a running import has got, for its page: rows read, share of the file, stage.

The import writes in one transaction that nobody else sees until it commits, so its
progress goes through a database connection of its own (autocommit) into the batch's
``progress``: ``{"rows": 120000, "percent": 45, "stage": "reading"}``, then ``"writing"``
once every row is read and checked. At most one short UPDATE a second.
A report that cannot be written (no connection to spare, a lock) stops the reports,
never the import.
"""

from __future__ import annotations

import json
import logging
import os
import time
from collections.abc import Iterator
from typing import IO, Any

from django.db import Error, connection

from payments.models import ImportBatch, ImportStatus

log = logging.getLogger(__name__)

READING, WRITING = "reading", "writing"


class Progress:
    EVERY_ROWS = 1000  # rows between looks at the clock
    EVERY_SECONDS = 1.0  # between reports

    def __init__(self, batch_id: int, stream: IO[bytes], *, by_position: bool) -> None:
        self.batch_id = batch_id
        self.stream = stream
        # A zip (XLSX) is not read front to back: there the rows alone are told.
        self.size = _size(stream) if by_position else 0
        self.side: Any = None
        self.last = time.monotonic()
        self.enabled = True

    def counted(self, rows: Iterator[Any]) -> Iterator[Any]:
        """``rows`` as they are, reporting on the way; "writing" once the last is read."""
        count = 0
        for count, row in enumerate(rows, start=1):
            if count % self.EVERY_ROWS == 0 and self._due():
                self._report(count, READING)
            yield row
        self._report(count, WRITING)

    def close(self) -> None:
        if self.side is not None:
            self.side.close()
            self.side = None

    def _due(self) -> bool:
        now = time.monotonic()
        if now - self.last < self.EVERY_SECONDS:
            return False
        self.last = now
        return True

    def _percent(self, stage: str) -> int | None:
        if not self.size:
            return None
        if stage == WRITING:
            return 100
        return min(99, int(self.stream.tell() * 100 / self.size))

    def _report(self, rows: int, stage: str) -> None:
        if not self.enabled:
            return
        progress = {"rows": rows, "percent": self._percent(stage), "stage": stage}
        try:
            if self.side is None:
                self.side = connection.copy()
                with self.side.cursor() as cursor:
                    # Never wait on the batch's row: the import would wait on itself.
                    cursor.execute("SET lock_timeout = '500ms'")
            with self.side.cursor() as cursor:
                cursor.execute(
                    f"UPDATE {ImportBatch._meta.db_table} SET progress = %s::jsonb"  # noqa: S608  # nosec B608
                    " WHERE id = %s AND status = %s",
                    [json.dumps(progress), self.batch_id, ImportStatus.RUNNING],
                )
        except Error as error:
            log.warning(
                "import %s: progress not reported (%s); the import goes on", self.batch_id, error
            )
            self.enabled = False
            self.close()


def _size(stream: IO[bytes]) -> int:
    position = stream.tell()
    size = stream.seek(0, os.SEEK_END)
    stream.seek(position)
    return size
