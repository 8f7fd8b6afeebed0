"""Settings of the storage module (``AGNOST_STORAGE_*``), read at use time."""

from __future__ import annotations

from agnost_django.core.conf import APISettings


class StorageSettings(APISettings):
    prefix = "AGNOST_STORAGE_"

    @property
    def ALIAS(self) -> str:
        """Key of ``settings.STORAGES`` whose buckets the client REST API serves."""
        return self._get("ALIAS", "default")

    @property
    def ADAPTER(self) -> type:
        """The policy class (who may do what); see :mod:`agnost_django.storage.adapter`."""
        return self._import("ADAPTER", "agnost_django.storage.adapter.DefaultStorageAdapter")

    @property
    def KEY_PREFIX(self) -> str:
        """Folder of the storage backend under which file bytes are kept
        (``<prefix>/<2 hex>/<uuid>``; never derived from a file's name)."""
        return self._get("KEY_PREFIX", "agnost-storage")

    @property
    def MAX_UPLOAD_SIZE(self) -> int:
        """Largest file accepted, in bytes (a bucket's own ``max_file_size`` may lower it)."""
        return self._get("MAX_UPLOAD_SIZE", 100 * 1024 * 1024)

    @property
    def USER_QUOTA_BYTES(self) -> int | None:
        """Most bytes the files a user owns may take in total (uploads, replacements, copies
        and duplicates by that user past it are refused with ``storage_quota_exceeded``);
        ``None``: no cap. The adapter's ``storage_quota(user)`` may decide per user."""
        return self._get("USER_QUOTA_BYTES", 1024 * 1024 * 1024)

    @property
    def MAX_JSON_UPLOAD_SIZE(self) -> int:
        """Largest JSON-encoded upload body decoded in memory (strings and plain JSON values).
        Node Buffers and typed arrays are decoded as a stream, up to ``MAX_UPLOAD_SIZE``
        bytes of file."""
        return self._get("MAX_JSON_UPLOAD_SIZE", 10 * 1024 * 1024)

    @property
    def SPOOL_SIZE(self) -> int:
        """Upload bodies larger than this many bytes are spooled to a temporary file."""
        return self._get("SPOOL_SIZE", 1024 * 1024)

    @property
    def CHUNK_SIZE(self) -> int:
        """Bytes read or sent at a time when streaming uploads, copies and downloads."""
        return self._get("CHUNK_SIZE", 256 * 1024)

    @property
    def DEFAULT_LIMIT(self) -> int:
        """Page size of list-buckets / list-files / search-files without a ``limit``."""
        return self._get("DEFAULT_LIMIT", 100)

    @property
    def MAX_LIMIT(self) -> int:
        """Largest page size a client may ask for (larger limits are lowered to it)."""
        return self._get("MAX_LIMIT", 1000)

    @property
    def ROOT_BUCKET_PUBLIC(self) -> bool:
        """Whether the ``root`` bucket, created on first use, is public."""
        return self._get("ROOT_BUCKET_PUBLIC", False)

    @property
    def BASE_URL(self) -> str | None:
        """Scheme and host of ``publicPath`` URLs made outside a request (server library,
        admin), e.g. ``"https://api.example.com"``; ``None`` gives host-relative paths."""
        return self._get("BASE_URL", None)

    @property
    def SIGNED_URL_MAX_AGE(self) -> int:
        """Default lifetime in seconds of ``file.url(expires=...)`` signed URLs."""
        return self._get("SIGNED_URL_MAX_AGE", 3600)

    @property
    def PUBLIC_CACHE_MAX_AGE(self) -> int:
        """Seconds a browser or a CDN may serve a public file from its cache without asking
        the public route again. ``0`` (the default) sends ``Cache-Control: public, no-cache``:
        caches revalidate on every use (a 304 without the bytes while the file is unchanged),
        so a file made private, deleted or replaced is never served from a cache afterwards.
        ``N`` sends ``public, max-age=N``: such a change can take up to N seconds to be seen."""
        return self._get("PUBLIC_CACHE_MAX_AGE", 0)


storage_settings = StorageSettings()
