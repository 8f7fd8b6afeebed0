"""An ASGI middleware that refuses oversized request bodies while they arrive.

Django's ``ASGIHandler`` reads the whole request body into a temporary file before any
middleware or view runs, so a view's own size check saves the storing, not the receiving:
a client announcing 200 MB had to send all of it before hearing "too large". Wrap the
Django application of the ASGI router instead::

    application = ProtocolTypeRouter({
        "http": BodySizeLimit(django_asgi_app),
        ...
    })

For each HTTP request with a body it picks a limit from the path and the headers:

* the storage upload routes (``bucket/upload-object``, ``bucket/upload-formdata``,
  ``bucket/file/replace-object``, ``bucket/file/replace-formdata``): the upload limit of
  the bucket the query string names (``AGNOST_STORAGE_MAX_UPLOAD_SIZE``, lowered by the
  bucket's ``max_file_size``), widened for the encoding as the views widen it
  (:func:`~agnost_django.storage.uploads.body_limit`); refused with ``file_too_large``;
* any other path of the client API (``AGNOST_CORE_API_PATH_PATTERN``: ``/_api/``,
  ``/_auth/``, ``/_storage/``, ``/socket.io/``): ``DATA_UPLOAD_MAX_MEMORY_SIZE``, or, for a
  multipart body, ``AGNOST_STORAGE_MAX_UPLOAD_SIZE`` plus the multipart overhead;
  refused with ``request_body_size_too_large``;
* a JSON body the altogic client sends elsewhere (``X-Client`` or client-key header, e.g.
  to an endpoint): ``DATA_UPLOAD_MAX_MEMORY_SIZE``;
* anything else passes untouched (the host's own views keep their own rules).

A ``Content-Length`` over the limit is answered at once, before a byte of the body is
read (and without ``100 Continue``); a body without one (chunked) is counted as it arrives
and answered as soon as it passes the limit, Django being told the client went away. The
answer is a 413 with the usual JSON envelope, the CORS headers the origin would get from
django-cors-headers or a client key, and ``Connection: close``: the server then closes
the connection instead of reading the rest. The bucket's limit and the client-key origins
are looked up off the event loop.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from functools import partial
from typing import Any
from urllib.parse import parse_qs

from asgiref.sync import sync_to_async
from django.apps import apps
from django.conf import settings
from django.db import close_old_connections
from django.urls import Resolver404, resolve

from agnost_django.core.conf import core_settings
from agnost_django.core.exceptions import AgnostAPIError
from agnost_django.core.middleware import is_api_path
from agnost_django.core.parsers import body_too_large
from agnost_django.storage import uploads
from agnost_django.storage.conf import storage_settings

# url_name -> whether the route takes multipart (see urls.py).
UPLOAD_ROUTES = {
    "storage-bucket-upload-object": False,
    "storage-bucket-upload-formdata": True,
    "storage-bucket-file-replace-object": False,
    "storage-bucket-file-replace-formdata": True,
}


_UPLOAD_ROUTE_ENDS = ("/upload-object", "/upload-formdata", "/replace-object", "/replace-formdata")


class _Limit:
    """A body limit and how to refuse it (``error``: makes the exception, called only then)."""

    def __init__(self, size: int, error: Callable[[], AgnostAPIError]) -> None:
        self.size = size
        self.error = error


def _headers(scope) -> dict[bytes, bytes]:
    return {name.lower(): value for name, value in scope.get("headers", [])}


def _path_info(scope) -> str:
    path = scope.get("path", "")
    root = scope.get("root_path", "")
    return path[len(root):] if root and path.startswith(root) else path


def _upload_route(path: str) -> bool | None:
    """``True``/``False`` (multipart or not) for a storage upload route, else ``None``."""
    if not path.endswith(_UPLOAD_ROUTE_ENDS):  # every API POST comes here: resolve only these
        return None
    try:
        match = resolve(path)
    except Resolver404:
        return None
    if "agnost_storage" not in match.namespaces:
        return None
    return UPLOAD_ROUTES.get(match.url_name)


def _bucket_upload_limit(query_string: bytes) -> int:
    from agnost_django.storage import services

    params = parse_qs(query_string.decode("latin-1"), encoding="utf-8", errors="replace")
    bucket = (params.get("bucket") or [""])[0] or "root"
    close_old_connections()
    try:
        return services.bucket_upload_limit(storage_settings.ALIAS, bucket)
    finally:
        close_old_connections()


async def body_limit(scope, headers: dict[bytes, bytes] | None = None) -> _Limit | None:
    """The limit of this request's body, or ``None`` when it has none here (``headers``: the
    scope's, lower-cased, when the caller has them)."""
    headers = _headers(scope) if headers is None else headers
    content_type = headers.get(b"content-type", b"").decode("latin-1")
    multipart = content_type.lower().startswith("multipart/")
    path = _path_info(scope)
    memory_limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    upload = _upload_route(path)
    if upload is not None:
        limit = await sync_to_async(_bucket_upload_limit)(scope.get("query_string", b""))
        return _Limit(uploads.body_limit(limit, content_type, multipart=upload), partial(uploads.too_large, limit))
    if is_api_path(path):
        if multipart:
            size = uploads.body_limit(storage_settings.MAX_UPLOAD_SIZE, content_type, multipart=True)
            return _Limit(size, partial(body_too_large, size))
        return _Limit(memory_limit, partial(body_too_large, memory_limit)) if memory_limit is not None else None
    from_client = b"x-client" in headers or core_settings.CLIENT_KEY_HEADER.lower().encode() in headers
    if from_client and uploads.is_json_type(content_type) and memory_limit is not None:
        return _Limit(memory_limit, partial(body_too_large, memory_limit))
    return None


async def _cors_headers(scope) -> list[tuple[bytes, bytes]]:
    """What django-cors-headers (with the request's client key's origins, see
    ``agnost_django.core.receivers``) would add for this request's origin."""
    headers = _headers(scope)
    origin = headers.get(b"origin", b"").decode("latin-1")
    if not origin or not apps.is_installed("corsheaders"):
        return []
    if not re.match(getattr(settings, "CORS_URLS_REGEX", r"^.*$"), _path_info(scope)):
        return []
    from agnost_django.core import origins

    key = headers.get(core_settings.CLIENT_KEY_HEADER.lower().encode())
    allowed = (
        getattr(settings, "CORS_ALLOW_ALL_ORIGINS", False)
        or origin in getattr(settings, "CORS_ALLOWED_ORIGINS", ())
        or any(re.match(pattern, origin) for pattern in getattr(settings, "CORS_ALLOWED_ORIGIN_REGEXES", ()))
        or await origins.aallowed(origin, key.decode("latin-1") if key else None)
    )
    if not allowed:
        return []
    cors = [(b"access-control-allow-origin", origin.encode("latin-1")), (b"vary", b"origin")]
    if getattr(settings, "CORS_ALLOW_CREDENTIALS", False):
        cors.append((b"access-control-allow-credentials", b"true"))
    return cors


async def refuse(scope, send, limit: _Limit) -> None:
    """Send the 413 JSON answer, asking the server to close the connection."""
    error = limit.error()
    body = json.dumps({"errors": error.as_items()}).encode()
    headers = [
        (b"content-type", b"application/json"),
        (b"content-length", str(len(body)).encode()),
        (b"connection", b"close"),
        *await _cors_headers(scope),
    ]
    await send({"type": "http.response.start", "status": error.status_code, "headers": headers})
    await send({"type": "http.response.body", "body": body})


class BodySizeLimit:
    """ASGI middleware: refuse a request body over its limit while receiving it (see the
    module docstring)."""

    def __init__(self, app) -> None:
        self.app = app

    async def __call__(self, scope, receive, send) -> Any:
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        headers = _headers(scope)
        declared_header = headers.get(b"content-length")
        if declared_header is None and b"transfer-encoding" not in headers:
            return await self.app(scope, receive, send)  # no body
        limit = await body_limit(scope, headers)
        if limit is None:
            return await self.app(scope, receive, send)
        try:
            declared = int(declared_header) if declared_header is not None else None
        except ValueError:
            declared = None  # the server refuses a malformed Content-Length itself
        if declared is not None and declared > limit.size:
            return await refuse(scope, send, limit)
        if declared is not None and b"transfer-encoding" not in headers:
            # The server passes on exactly Content-Length bytes of body: nothing to watch.
            return await self.app(scope, receive, send)

        received = 0
        over = False
        started = False

        async def limited_receive():
            nonlocal received, over
            if over:
                return {"type": "http.disconnect"}
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit.size:
                    over = True  # the rest is never read
                    return {"type": "http.disconnect"}
            return message

        async def tracking_send(message):
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        await self.app(scope, limited_receive, tracking_send)
        if over and not started:
            await refuse(scope, send, limit)
