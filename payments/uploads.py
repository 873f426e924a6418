"""Uploaded files kept in the database until they are imported (``ImportUpload``).

A large file waits there for a worker (``payments.tasks``); a small one waits for its
uploader to confirm the dry run's preview. Neither lives on a web server's disk, so the
upload, the preview and the confirmation may each be answered by another web process,
on another machine, and a worker on any machine can take a job.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import uuid
from collections.abc import Iterable, Iterator
from typing import IO, Any

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from accounts import policy
from payments.models import ImportStatus, ImportUpload, ImportUploadPart

# A preview nobody confirmed or cancelled cannot be confirmed after this long; the file
# of an import that failed, or whose process died, can be imported again for as long.
# The next upload drops either after that.
UPLOAD_KEEP = dt.timedelta(days=1)


def upload_parts_store(upload: ImportUpload, chunks: Iterable[bytes]) -> str:
    """Write the file's bytes as the upload's parts; returns their SHA-256."""
    digest = hashlib.sha256()
    for number, part in enumerate(_parts(chunks), start=1):
        digest.update(part)
        ImportUploadPart.objects.create(upload=upload, number=number, data=part)
    return digest.hexdigest()


def _parts(chunks: Iterable[bytes]) -> Iterator[bytes]:
    """Re-cut the upload's chunks into parts of ``ImportUpload.PART_BYTES``."""
    buffer = bytearray()
    for chunk in chunks:
        buffer += chunk
        while len(buffer) >= ImportUpload.PART_BYTES:
            yield bytes(buffer[: ImportUpload.PART_BYTES])
            del buffer[: ImportUpload.PART_BYTES]
    if buffer:
        yield bytes(buffer)


def upload_spool(upload: ImportUpload, spool: IO[bytes]) -> None:
    """Copy the upload's bytes into ``spool`` part by part and rewind it."""
    parts = upload.parts.order_by("number").values_list("data", flat=True)
    for data in parts.iterator(chunk_size=1):
        spool.write(data)
    spool.seek(0)


def preview_upload_store(
    *, chunks: Iterable[bytes], size: int, fmt: str, user: Any
) -> ImportUpload:
    """Keep a small file until its uploader confirms or cancels the preview."""
    with transaction.atomic():
        uploads_expired().delete()
        upload = ImportUpload.objects.create(
            token=uuid.uuid4(), created_by=user, requested_format=fmt, size=size
        )
        upload_parts_store(upload, chunks)
    return upload


def preview_upload(token: str, user: Any) -> ImportUpload | None:
    """The preview ``token`` names, if ``user`` uploaded it and it still waits."""
    try:
        key = uuid.UUID(hex=token)
    except ValueError:
        return None
    waiting = policy.visible_import_previews(user)
    return waiting.filter(token=key, created_at__gte=_keep_cutoff()).first()


def preview_upload_claim(upload: ImportUpload) -> bool:
    """Take the preview out of the waiting ones; False when another request took it first
    (a second click on "Import", or "Cancel" in another tab)."""
    _, deleted = ImportUpload.objects.filter(pk=upload.pk).delete()
    return bool(deleted.get(ImportUpload._meta.label))


def uploads_expired() -> Any:
    """Files kept longer than ``UPLOAD_KEEP``: previews left waiting, and the files of
    imports that ended without their worker dropping them (failed, or the worker died)."""
    cutoff = _keep_cutoff()
    return ImportUpload.objects.filter(
        Q(batch=None, created_at__lt=cutoff) | Q(batch__finished_at__lt=cutoff)
    )


def uploads_to_run_again() -> Any:
    """Files of imports that stopped before they finished, within ``UPLOAD_KEEP``."""
    return ImportUpload.objects.filter(
        batch__status=ImportStatus.FAILED, batch__finished_at__gte=_keep_cutoff()
    )


def _keep_cutoff() -> dt.datetime:
    return timezone.now() - UPLOAD_KEEP
