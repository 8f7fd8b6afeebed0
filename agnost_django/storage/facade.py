"""``agnost.storage(alias)``: buckets and files in the server library.

Method names are the Agnost server library's in snake_case (spec 4.3); every method returns a
:class:`~agnost_django.core.result.Result` whose data is the same JSON shape the REST API
returns. Server code acts as the system: the adapter's rules do not apply, and ``user_id``
records an owner. The altogic client's string tags are ``tags`` (``add_tags``,
``remove_tags``); Agnost's key/value tags are ``metadata`` (``set_tag``, ``remove_tag``,
``remove_all_tags``).

    >>> agnost.storage("default").bucket("avatars").upload(b"...", path="me.png")
    >>> agnost.storage("default").bucket("profile picture").file("profile1.png").get_info()
    Result(data=None, errors=Errors(status=404, ... code='bucket_not_found' ...))
"""

from __future__ import annotations

import mimetypes
import os
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction

from agnost_django.core.result import FailedAccessor, returns_result
from agnost_django.storage import services, uploads
from agnost_django.storage.adapter import SYSTEM
from agnost_django.storage.exceptions import FileUploadError, StorageNotFound
from agnost_django.storage.links import public_url, signed_url
from agnost_django.storage.serializers import bucket_json, file_json, listing_json


def _options(page: int, limit: int, sort: Any, return_count_info: bool) -> dict[str, Any]:
    return {"page": page, "limit": limit, "sort": sort, "returnCountInfo": return_count_info}


def _owner(user_id: Any):
    if user_id is None:
        return None
    User = get_user_model()
    return user_id if isinstance(user_id, User) else User._default_manager.filter(pk=user_id).first()


def _incoming(content: Any, limit: int, mime_type: str | None) -> uploads.Incoming:
    """Bytes, a local path (``str`` or ``Path``), a Django ``File``, or any binary file object."""
    if isinstance(content, (bytes, bytearray, memoryview)):
        return uploads.from_chunks([bytes(content)], limit, mime_type)
    if isinstance(content, (str, os.PathLike)):
        path = Path(content)
        if not path.is_file():
            raise FileUploadError(f"There is no file at {str(path)!r}.", details={"path": str(path)})
        with path.open("rb") as handle:
            return uploads.from_chunks(uploads.read_stream(handle), limit, mime_type)
    if hasattr(content, "chunks"):
        return uploads.from_chunks(content.chunks(), limit, mime_type or getattr(content, "content_type", None))
    if hasattr(content, "read"):
        return uploads.from_chunks(uploads.read_stream(content), limit, mime_type)
    raise FileUploadError("content must be bytes, a path, or a file object.")


def _default_path(content: Any) -> str | None:
    if isinstance(content, (str, os.PathLike)):
        return Path(content).name
    name = getattr(content, "name", None)
    return os.path.basename(name) if isinstance(name, str) and name else None


class FileManager:
    def __init__(self, bucket: BucketManager, path: str) -> None:
        self.bucket = bucket
        self.path = path

    def __repr__(self) -> str:
        return f"<FileManager {self.bucket.name!r}/{self.path!r}>"

    @property
    def alias(self) -> str:
        return self.bucket.alias

    @property
    def service(self) -> services.FileService:
        return self.bucket.service.file(self.path)

    def _file(self):
        return self.service.get()

    def _out(self, file) -> dict[str, Any]:
        return file_json(file)

    @returns_result
    def exists(self) -> bool:
        return self.service.exists()

    @returns_result
    def get_info(self) -> dict[str, Any]:
        return self._out(self._file())

    @returns_result
    def delete(self) -> None:
        self.service.delete()

    @returns_result
    def make_public(self) -> dict[str, Any]:
        return self._out(self.service.set_public(True))

    @returns_result
    def make_private(self) -> dict[str, Any]:
        return self._out(self.service.set_public(False))

    @returns_result
    def open(self):
        """A binary file object (``with`` it, or hand it to ``FileResponse``)."""
        return services.open_file(self._file())

    create_read_stream = open

    @returns_result
    def read(self) -> bytes:
        """The whole content (for small files; prefer :meth:`open`)."""
        with services.open_file(self._file()) as handle:
            return handle.read()

    @returns_result
    def add_tags(self, tags: str | list[str]) -> dict[str, Any]:
        return self._out(self.service.add_tags(tags))

    @returns_result
    def remove_tags(self, tags: str | list[str]) -> dict[str, Any]:
        return self._out(self.service.remove_tags(tags))

    @returns_result
    def set_tag(self, key: str, value: Any) -> dict[str, Any]:
        file = self._file()
        return self._out(services.set_file_metadata(file, {**file.metadata, str(key): value}))

    @returns_result
    def remove_tag(self, key: str) -> dict[str, Any]:
        file = self._file()
        return self._out(services.set_file_metadata(file, {k: v for k, v in file.metadata.items() if k != key}))

    @returns_result
    def remove_all_tags(self) -> dict[str, Any]:
        return self._out(services.set_file_metadata(self._file(), {}))

    @returns_result
    def copy_to(self, to_path: str | None = None, *, bucket: str | None = None) -> dict[str, Any]:
        """A copy at ``to_path`` in this bucket (or in ``bucket``); an existing path is an error."""
        return self._out(self.service.copy_to(bucket or self.bucket.name, name=to_path, unique=False))

    @returns_result
    def move_to(self, to_path: str | None = None, *, bucket: str | None = None) -> dict[str, Any]:
        """Rename to ``to_path`` and/or move to ``bucket``; no bytes are copied within a storage."""
        file = self.service.move_to(bucket, name=to_path, unique=False)
        if file.bucket.name != self.bucket.name:
            self.bucket = BucketManager(self.bucket.storage, file.bucket.name)
        self.path = file.name
        return self._out(file)

    @returns_result
    def replace(self, content: Any, *, mime_type: str | None = None, size: int | None = None) -> dict[str, Any]:
        file = self._file()
        incoming = _incoming(content, services.upload_limit(file.bucket),
                             mime_type or mimetypes.guess_type(file.name)[0])
        try:
            _check_size(incoming, size)
            return self._out(services.replace(file, SYSTEM, incoming))
        finally:
            incoming.close()

    @returns_result
    def update_info(self, new_path: str | None, is_public: bool | None, tags: Any = None) -> dict[str, Any]:
        file = self.service.update(new_name=new_path, is_public=is_public, tags=tags)
        self.path = file.name
        return self._out(file)

    @returns_result
    def url(self, *, expires: int | None = None, base: str | None = None) -> str:
        """The ``publicPath`` of a public file; for a private one (or with ``expires``) a signed
        URL valid ``expires`` seconds (``AGNOST_STORAGE_SIGNED_URL_MAX_AGE`` by default)."""
        file = self._file()
        if file.is_public and expires is None:
            return public_url(file, base)
        return signed_url(file, expires, base)


def _check_size(incoming: uploads.Incoming, size: int | None) -> None:
    if size is not None and size != incoming.size:
        incoming.close()
        raise FileUploadError(f"size is {size} but the content has {incoming.size} bytes.",
                              details={"size": size, "actual": incoming.size})


class BucketManager:
    def __init__(self, storage: StorageManager, name: str) -> None:
        self.storage = storage
        self.name = name.strip() if isinstance(name, str) else name

    def __repr__(self) -> str:
        return f"<BucketManager {self.name!r}>"

    @property
    def alias(self) -> str:
        return self.storage.alias

    def file(self, path: str) -> FileManager:
        return FileManager(self, path)

    @property
    def service(self) -> services.BucketService:
        return self.storage.service.bucket(self.name)

    def _bucket(self):
        return self.service.find()

    @returns_result
    def exists(self) -> bool:
        return self.service.exists()

    @returns_result
    def get_info(self, detailed: bool = False) -> dict[str, Any]:
        bucket = self._bucket()
        return bucket_json(bucket, services.bucket_stats(bucket) if detailed else None)

    @returns_result
    def rename(self, new_name: str) -> dict[str, Any]:
        bucket = self.service.rename(new_name)
        self.name = bucket.name
        return bucket_json(bucket)

    @returns_result
    def empty(self) -> int:
        return self.service.empty()

    @returns_result
    def delete(self, *, only_if_empty: bool = False) -> None:
        self.service.delete(only_if_empty=only_if_empty)

    @returns_result
    def make_public(self, include_files: bool = False) -> dict[str, Any]:
        return bucket_json(self.service.set_public(True, include_files=include_files))

    @returns_result
    def make_private(self, include_files: bool = False) -> dict[str, Any]:
        return bucket_json(self.service.set_public(False, include_files=include_files))

    @returns_result
    def add_tags(self, tags: str | list[str]) -> dict[str, Any]:
        return bucket_json(self.service.add_tags(tags))

    @returns_result
    def remove_tags(self, tags: str | list[str]) -> dict[str, Any]:
        return bucket_json(self.service.remove_tags(tags))

    @returns_result
    def set_tag(self, key: str, value: Any) -> dict[str, Any]:
        bucket = self._bucket()
        return bucket_json(self.storage.service.bucket(bucket).set_metadata({**bucket.metadata, str(key): value}))

    @returns_result
    def remove_tag(self, key: str) -> dict[str, Any]:
        bucket = self._bucket()
        metadata = {k: v for k, v in bucket.metadata.items() if k != key}
        return bucket_json(self.storage.service.bucket(bucket).set_metadata(metadata))

    @returns_result
    def remove_all_tags(self) -> dict[str, Any]:
        return bucket_json(self.service.set_metadata({}))

    @returns_result
    def update_info(self, new_name: str | None, is_public: bool | None, tags: Any = None,
                    include_files: bool = False) -> dict[str, Any]:
        bucket = self.service.update(new_name=new_name, is_public=is_public, tags=tags, include_files=include_files)
        self.name = bucket.name
        return bucket_json(bucket)

    @returns_result
    def delete_files(self, paths: list[str]) -> int:
        """Delete the files with these paths or ids; unknown ones are skipped."""
        return self.service.delete_files([paths] if isinstance(paths, str) else list(paths))

    @returns_result
    def list_files(self, *, search: str | None = None, expression: str | None = None, page: int = 1,
                   limit: int = 20, sort: Any = None, return_count_info: bool = False):
        result = self.service.list_files(expression, _options(page, limit, sort, return_count_info), search=search)
        return listing_json(result, file_json)

    @returns_result
    def upload(self, content: Any, *, path: str | None = None, mime_type: str | None = None,
               size: int | None = None, is_public: bool | None = None, upsert: bool = False,
               tags: Any = None, user_id: Any = None) -> dict[str, Any]:
        """Store ``content`` (bytes, a local path, a Django ``File``/``UploadedFile`` or a binary
        file object) at ``path`` (default: the content's own file name). An existing path is
        ``file_already_exists`` unless ``upsert``, which replaces its content."""
        path = path or _default_path(content)
        bucket = self._bucket()
        incoming = _incoming(content, services.upload_limit(bucket),
                             mime_type or (mimetypes.guess_type(path)[0] if path else None))
        try:
            _check_size(incoming, size)
            with transaction.atomic():
                file = services.upload(bucket, SYSTEM, incoming, path, is_public=is_public, tags=tags,
                                       unique=False, upsert=upsert, owner=_owner(user_id))
        finally:
            incoming.close()
        return file_json(file)


class StorageManager:
    def __init__(self, alias: str) -> None:
        self.alias = alias

    def __repr__(self) -> str:
        return f"<StorageManager {self.alias!r}>"

    @property
    def service(self) -> services.StorageService:
        return services.storage(self.alias, SYSTEM)

    def bucket(self, name: str) -> BucketManager:
        return BucketManager(self, name)

    @property
    def root(self) -> BucketManager:
        return BucketManager(self, services.ROOT)

    @returns_result
    def create_bucket(self, name: str, is_public: bool = True, tags: Any = None, user_id: Any = None) -> dict:
        return bucket_json(self.service.create_bucket(name, is_public=is_public, tags=tags, owner=_owner(user_id)))

    @returns_result
    def list_buckets(self, *, search: str | None = None, expression: str | None = None, page: int = 1,
                     limit: int = 20, sort: Any = None, return_count_info: bool = False):
        result = self.service.list_buckets(expression, _options(page, limit, sort, return_count_info), search=search)
        return listing_json(result, bucket_json)

    @returns_result
    def list_files(self, *, search: str | None = None, expression: str | None = None, page: int = 1,
                   limit: int = 20, sort: Any = None, return_count_info: bool = False):
        result = self.service.list_files(expression, _options(page, limit, sort, return_count_info), search=search)
        return listing_json(result, file_json)

    @returns_result
    def get_stats(self) -> dict[str, Any]:
        return self.service.stats()


def get_manager(alias: str) -> StorageManager | FailedAccessor:
    if alias not in settings.STORAGES:
        return FailedAccessor.for_exception(
            StorageNotFound(f"There is no storage {alias!r} in settings.STORAGES.", details={"storage": alias})
        )
    return StorageManager(alias)
