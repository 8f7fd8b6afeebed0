"""Streaming file responses with the safety headers of :mod:`.sniffing`."""

from __future__ import annotations

from asgiref.sync import sync_to_async
from django.core.handlers.asgi import ASGIRequest
from django.http import FileResponse

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
    if file.checksum:
        response["ETag"] = f'"{file.checksum}"'
    return response
