"""File addresses: the public route and signed URLs.

``publicPath`` is ``<base>/_storage/<file id>``: stable for the file's whole life (renames,
moves to another bucket, replacements and privacy changes keep it). A public file is served
there to anyone; a private one to its owner's or a staff session (``Session`` header or
``session_token`` cookie), or with a signed ``?token=`` from :func:`signed_url`.
"""

from __future__ import annotations

import time
import uuid
from urllib.parse import urlsplit

from django.core import signing
from django.urls import reverse

from agnost_django.storage.conf import storage_settings

SALT = "agnost_django.storage.signed-file-url"


def file_path(file_id) -> str:
    return reverse("agnost_storage_public:file", kwargs={"file_id": file_id})


def public_url(file, base: str | None = None) -> str:
    """The absolute ``publicPath`` of a file (host-relative without a base)."""
    base = base if base is not None else (storage_settings.BASE_URL or "")
    return base.rstrip("/") + file_path(file.pk)


def signed_url(file, expires: int | None = None, base: str | None = None) -> str:
    """A URL that serves ``file`` to anyone for ``expires`` seconds."""
    expires = storage_settings.SIGNED_URL_MAX_AGE if expires is None else int(expires)
    token = signing.dumps({"f": str(file.pk), "e": int(time.time()) + expires}, salt=SALT, compress=True)
    return f"{public_url(file, base)}?token={token}"


def token_allows(token: str, file_id) -> bool:
    try:
        value = signing.loads(token, salt=SALT)
    except signing.BadSignature:
        return False
    return isinstance(value, dict) and value.get("f") == str(file_id) and value.get("e", 0) > time.time()


def file_id_from_url(url: str) -> uuid.UUID | None:
    """The file id in a ``publicPath`` of this server, or ``None``."""
    if not isinstance(url, str):
        return None
    path = urlsplit(url).path
    prefix = file_path(uuid.UUID(int=0))[: -len(str(uuid.UUID(int=0)))]
    if not path.startswith(prefix):
        return None
    try:
        return uuid.UUID(path[len(prefix):].strip("/"))
    except ValueError:
        return None
