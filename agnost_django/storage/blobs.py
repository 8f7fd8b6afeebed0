"""File bytes in a ``STORAGES`` backend, under random keys that no file name reaches.

Writes happen before the metadata row is saved (and are removed again if saving fails);
deletions of bytes that a committed change no longer needs run on commit. Bytes orphaned
by a rollback of an outer transaction are found by ``manage.py agnost_storage_sweep``.
"""

from __future__ import annotations

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
    """Stream a copy of a blob (possibly into another backend); returns the new key."""
    with backend(src_alias).open(src_key, "rb") as source:
        return backend(dst_alias).save(new_key(), File(source, name="blob"))


def open_blob(alias: str, key: str) -> IO[bytes]:
    return backend(alias).open(key, "rb")


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
