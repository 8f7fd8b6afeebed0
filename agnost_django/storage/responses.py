"""Streaming file responses with the safety headers of :mod:`.sniffing`."""

from __future__ import annotations

from asgiref.sync import sync_to_async
from django.core.handlers.asgi import ASGIRequest
from django.http import FileResponse, HttpResponseNotModified
from django.utils.cache import get_conditional_response
from django.utils.http import http_date

from agnost_django.storage import services
from agnost_django.storage.conf import storage_settings
from agnost_django.storage.models import StoredFile
from agnost_django.storage.sniffing import OCTET_STREAM, is_active, may_be_inline, safety_headers


async def _chunks(filelike, size: int):
    read = sync_to_async(filelike.read, thread_sensitive=False)
    while chunk := await read(size):
        yield chunk


def file_response(file: StoredFile, request=None, *, attachment: bool = False, neutralise_active: bool = False,
                  cache_control: str | None = None) -> FileResponse:
    """Stream ``file``. Active content (HTML, SVG, scripts...) is always an attachment;
    ``neutralise_active`` also sends it as ``application/octet-stream``."""
    inline = not attachment and may_be_inline(file.name, file.mime_type, file.detected_type)
    content_type = file.mime_type or OCTET_STREAM
    if neutralise_active and (is_active(content_type) or is_active(file.detected_type)):
        content_type = OCTET_STREAM
    opened = services.open_file(file)
    response = FileResponse(opened, as_attachment=not inline, filename=file.name.rsplit("/", 1)[-1],
                            content_type=content_type)
    response.block_size = storage_settings.CHUNK_SIZE
    if isinstance(getattr(request, "_request", request), ASGIRequest):
        # Under ASGI Django collects a sync iterator into a list before sending it: the
        # whole file in memory. An async iterator is streamed chunk by chunk.
        response.streaming_content = _chunks(opened, storage_settings.CHUNK_SIZE)
    response["Content-Length"] = str(file.size)
    for header, value in safety_headers().items():
        response[header] = value
    if cache_control:
        response["Cache-Control"] = cache_control
    for header, value in validators(file).items():
        response[header] = value
    return response


def validators(file: StoredFile) -> dict[str, str]:
    """``ETag`` (the SHA-256 of the bytes) and ``Last-Modified`` (the row's last change:
    content, name or privacy) of ``file``."""
    headers = {"Last-Modified": http_date(file.updated_at.timestamp())}
    if file.checksum:
        headers["ETag"] = f'"{file.checksum}"'
    return headers


def not_modified(request, file: StoredFile, cache_control: str) -> HttpResponseNotModified | None:
    """A 304 (no bytes opened) when the request's ``If-None-Match`` / ``If-Modified-Since``
    still match ``file``, else ``None``. Call it only once the caller may read the file."""
    headers = validators(file)
    response = get_conditional_response(
        getattr(request, "_request", request), etag=headers.get("ETag"),
        last_modified=int(file.updated_at.timestamp()),
    )
    if response is None or response.status_code != 304:
        return None
    for header, value in headers.items():
        response[header] = value
    response["Cache-Control"] = cache_control
    return response
