"""File bytes in a ``STORAGES`` backend, under random keys that no file name reaches.

Writes happen before the metadata row is saved (and are removed again if saving fails);
deletions of bytes that a committed change no longer needs run on commit. Bytes orphaned
by a rollback of an outer transaction are found by ``manage.py agnost_storage_sweep``.
"""

from __future__ import annotations

import io
import logging
import uuid
from typing import IO

from django.core.files import File
from django.core.files.storage import InvalidStorageError, Storage, storages
from django.db import transaction

from agnost_django.storage.conf import storage_settings
from agnost_django.storage.exceptions import StorageNotFound

logger = logging.getLogger("agnost_django.storage")


def backend(alias: str) -> Storage:
    try:
        return storages[alias]
    except InvalidStorageError:
        raise StorageNotFound(f"There is no storage {alias!r} in settings.STORAGES.",
                              details={"storage": alias}) from None


def new_key() -> str:
    token = uuid.uuid4().hex
    return f"{storage_settings.KEY_PREFIX.strip('/')}/{token[:2]}/{token}"


def save(alias: str, content: IO[bytes]) -> str:
    """Store ``content`` (rewound first) under a new key; returns the key."""
    content.seek(0)
    return backend(alias).save(new_key(), File(content, name="blob"))


def copy(src_alias: str, src_key: str, dst_alias: str) -> str:
    """Copy a blob (possibly into another backend); returns the new key. Within one S3
    backend the copy happens inside S3; otherwise the bytes are streamed."""
    source_backend = backend(src_alias)
    if src_alias == dst_alias and _is_s3(source_backend):
        key = new_key()
        source_backend.bucket.copy(
            {"Bucket": source_backend.bucket.name, "Key": _s3_name(source_backend, src_key)},
            _s3_name(source_backend, key),
        )
        return key
    with open_blob(src_alias, src_key) as source:
        return backend(dst_alias).save(new_key(), File(source, name="blob"))


def open_blob(alias: str, key: str) -> IO[bytes]:
    """A binary file object reading the blob as a stream.

    django-storages' ``S3File`` downloads a whole object into a ``SpooledTemporaryFile``
    that, with its default ``AWS_S3_MAX_MEMORY_SIZE = 0``, never spills to disk: a 1 GB file
    would take 1 GB of memory. S3 objects are therefore read straight from the response
    body."""
    storage = backend(alias)
    if _is_s3(storage):
        body = storage.bucket.Object(_s3_name(storage, key)).get()["Body"]
        return _Stream(body)
    return storage.open(key, "rb")


class _Stream(io.RawIOBase):
    """A read-only, unseekable file over a botocore ``StreamingBody``."""

    def __init__(self, body) -> None:
        self.body = body

    def readable(self) -> bool:
        return True

    def read(self, size: int = -1) -> bytes:
        return self.body.read(None if size is None or size < 0 else size)

    def readinto(self, buffer) -> int:
        data = self.body.read(len(buffer))
        buffer[: len(data)] = data
        return len(data)

    def close(self) -> None:
        if not self.closed:
            self.body.close()
        super().close()


def _is_s3(storage: Storage) -> bool:
    try:
        from storages.backends.s3 import S3Storage
    except ImportError:
        return False
    return isinstance(storage, S3Storage)


def _s3_name(storage: Storage, key: str) -> str:
    from storages.utils import clean_name

    return storage._normalize_name(clean_name(key))


def delete_now(alias: str, key: str) -> None:
    try:
        backend(alias).delete(key)
    except Exception:  # noqa: BLE001 - a failed delete leaves an orphan for the sweep, never an error
        logger.exception("Could not delete %s from storage %r; agnost_storage_sweep will.", key, alias)


def delete_on_commit(alias: str, key: str) -> None:
    """Delete a blob once the current transaction commits (at once outside one)."""
    transaction.on_commit(lambda: delete_now(alias, key))


def list_keys(alias: str) -> list[str]:
    """Every key under ``AGNOST_STORAGE_KEY_PREFIX`` in a backend (for the sweep and tests)."""
    storage = backend(alias)
    keys: list[str] = []
    stack = [storage_settings.KEY_PREFIX.strip("/")]
    while stack:
        folder = stack.pop()
        try:
            dirs, files = storage.listdir(folder)
        except FileNotFoundError:
            continue
        keys.extend(f"{folder}/{name}" for name in files)
        stack.extend(f"{folder}/{name}" for name in dirs)
    return sorted(keys)
