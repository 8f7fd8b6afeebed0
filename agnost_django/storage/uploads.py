"""Upload bodies turned into file bytes: streamed to a spooled temporary file (on disk above
``AGNOST_STORAGE_SPOOL_SIZE``), hashed and measured on the way, never held whole in memory.

Three encodings reach the upload routes (spec 3.4):

* multipart (``upload-formdata``): the part named ``file``, else the first file part,
  streamed by Django's multipart parser into :class:`SpoolingUploadHandler`;
* ``upload-object`` with a JSON body: the altogic client ``JSON.stringify``-es what it is
  given. A JSON string is stored as its UTF-8 text, a Node ``Buffer``
  (``{"type":"Buffer","data":[...]}``) and a typed array (``{"0":1,"1":2,...}``) as their byte
  values — these two decoded as a stream, so large Buffers work — ``{}`` (an ArrayBuffer) as an
  empty file, and any other JSON as its text;
* ``upload-object`` with any other content type: the raw body.
"""

from __future__ import annotations

import hashlib
import json
import re
import tempfile
from dataclasses import dataclass
from typing import IO, Iterable

from django.conf import settings
from django.core.files.uploadhandler import FileUploadHandler
from django.http.multipartparser import MultiPartParser, MultiPartParserError

from agnost_django.core.exceptions import AgnostAPIError, CoreErrorCode
from agnost_django.storage.conf import storage_settings
from agnost_django.storage.exceptions import FileTooLarge, FileUploadError
from agnost_django.storage.sniffing import HEAD_SIZE


def too_large(limit: int) -> FileTooLarge:
    return FileTooLarge(f"The file is larger than {limit} bytes.", details={"limit": limit})


class Spool:
    """A temporary file being written: counts, hashes and keeps the first bytes."""

    def __init__(self, limit: int, reported_limit: int | None = None) -> None:
        self.limit = limit
        self.reported_limit = reported_limit or limit
        self.file = tempfile.SpooledTemporaryFile(
            max_size=storage_settings.SPOOL_SIZE, dir=settings.FILE_UPLOAD_TEMP_DIR
        )
        self.size = 0
        self.sha256 = hashlib.sha256()
        self.head = b""

    def write(self, data: bytes) -> None:
        if not data:
            return
        self.size += len(data)
        if self.size > self.limit:
            self.file.close()
            raise too_large(self.reported_limit)
        if len(self.head) < HEAD_SIZE:
            self.head += data[: HEAD_SIZE - len(self.head)]
        self.sha256.update(data)
        self.file.write(data)

    def finish(self, declared_type: str | None = None) -> Incoming:
        self.file.seek(0)
        return Incoming(self.file, self.size, self.sha256.hexdigest(), self.head, declared_type)

    @property
    def on_disk(self) -> bool:
        return bool(getattr(self.file, "_rolled", False))


@dataclass
class Incoming:
    """File bytes ready to be stored."""

    file: IO[bytes]
    size: int
    checksum: str
    head: bytes
    declared_type: str | None = None

    def close(self) -> None:
        self.file.close()

    @property
    def on_disk(self) -> bool:
        """Whether the bytes were spooled to disk (SpooledTemporaryFile rolled over)."""
        return bool(getattr(self.file, "_rolled", True))


def from_chunks(chunks: Iterable[bytes], limit: int, declared_type: str | None = None, *,
                reported_limit: int | None = None) -> Incoming:
    spool = Spool(limit, reported_limit)
    for chunk in chunks:
        spool.write(chunk)
    return spool.finish(declared_type)


def read_stream(stream: IO[bytes], chunk_size: int | None = None) -> Iterable[bytes]:
    chunk_size = chunk_size or storage_settings.CHUNK_SIZE
    while True:
        chunk = stream.read(chunk_size)
        if not chunk:
            return
        yield chunk


def check_content_length(request, limit: int, reported_limit: int | None = None) -> None:
    """Refuse a body whose announced length is over ``limit`` before reading it."""
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        length = 0
    if length > limit:
        raise too_large(reported_limit or limit)


def json_allowance(limit: int) -> int:
    """Most characters a JSON-encoded file of ``limit`` bytes can take: a typed array spends
    up to ``"<index>":255,`` on each byte (a Buffer at most ``255,``)."""
    return (len(str(limit)) + 7) * limit + 64


#: Room for the boundaries, part headers and other fields of a multipart upload.
MULTIPART_OVERHEAD = 1024 * 1024


def is_json_type(content_type: str | None) -> bool:
    content_type = (content_type or "").split(";")[0].strip().lower()
    return content_type == "application/json" or content_type.endswith("+json")


def body_limit(limit: int, content_type: str | None, *, multipart: bool) -> int:
    """Largest request body of an upload route for a file of at most ``limit`` bytes: the
    file plus :data:`MULTIPART_OVERHEAD` for ``upload-formdata``, :func:`json_allowance`
    for a JSON ``upload-object``, the file itself for a raw one. The ASGI limit
    (:mod:`agnost_django.storage.asgi`) and the upload views apply the same rule."""
    if multipart:
        return limit + MULTIPART_OVERHEAD
    return json_allowance(limit) if is_json_type(content_type) else limit


# -- upload-object --------------------------------------------------------------------------

def from_raw_request(request, limit: int, declared_type: str | None) -> Incoming:
    """The body of an ``upload-object`` request (a Django ``HttpRequest``) as file bytes."""
    is_json = is_json_type(request.META.get("CONTENT_TYPE"))
    largest = body_limit(limit, request.META.get("CONTENT_TYPE"), multipart=False)
    check_content_length(request, largest, limit)
    raw = from_chunks(read_stream(request), largest, reported_limit=limit)
    if not is_json:
        raw.declared_type = declared_type
        return raw
    try:
        return decode_json_body(raw, limit, declared_type)
    finally:
        raw.close()


_BUFFER_START = re.compile(rb'\s*\{\s*"type"\s*:\s*"Buffer"\s*,\s*"data"\s*:\s*\[\s*')
_TYPED_START = re.compile(rb'\s*\{\s*"0"\s*:')
_EMPTY_OBJECT = re.compile(rb"\s*\{\s*\}\s*$")


class _NotThatForm(Exception):
    pass


def decode_json_body(raw: Incoming, limit: int, declared_type: str | None) -> Incoming:
    head = raw.head
    if raw.size == 0 or _EMPTY_OBJECT.match(head) and raw.size <= len(head):
        return from_chunks([], limit, declared_type)
    for start, decoder in ((_BUFFER_START, _buffer_values), (_TYPED_START, _typed_array_values)):
        match = start.match(head)
        if match:
            raw.file.seek(0)
            try:
                return _bytes_from_values(decoder(raw.file), limit, declared_type)
            except _NotThatForm:
                break  # some other JSON object: stored as text below
    raw.file.seek(0)
    if head.lstrip()[:1] == b'"':
        if raw.size > storage_settings.MAX_JSON_UPLOAD_SIZE:
            raise AgnostAPIError(
                "A JSON string upload is limited to AGNOST_STORAGE_MAX_JSON_UPLOAD_SIZE bytes; "
                "send large files as a Buffer, raw bytes or multipart.",
                code=CoreErrorCode.REQUEST_BODY_SIZE_TOO_LARGE, status_code=413,
                details={"limit": storage_settings.MAX_JSON_UPLOAD_SIZE},
            )
        try:
            text = json.loads(raw.file.read())
        except (ValueError, RecursionError):
            raise AgnostAPIError("The body is not valid JSON.",
                                 code=CoreErrorCode.INVALID_REQUEST_BODY_SYNTAX) from None
        if not isinstance(text, str):
            raise AgnostAPIError("The body is not valid JSON.", code=CoreErrorCode.INVALID_REQUEST_BODY_SYNTAX)
        return from_chunks([text.encode("utf-8")], limit, declared_type)
    # Any other JSON value: its text is the file.
    return from_chunks(read_stream(raw.file), limit, declared_type)


def _bytes_from_values(values: Iterable[bytes], limit: int, declared_type: str | None) -> Incoming:
    spool = Spool(limit)
    try:
        for block in values:
            spool.write(block)
    except BaseException:
        spool.file.close()
        raise
    return spool.finish(declared_type)


_CLOSE_BRACE = re.compile(rb"\s*\}\s*")
_PAIR = re.compile(rb'\s*"(\d+)"\s*:\s*(\d+)\s*')


def _comma_separated(stream: IO[bytes], closing: bytes) -> Iterable[bytes]:
    """Blocks of the comma-separated items that follow in ``stream``, up to ``closing``
    (which must be followed by ``}`` and the end of the body). Each block ends at an item
    boundary, so that no item is cut."""
    pending = b""
    while True:
        chunk = stream.read(storage_settings.CHUNK_SIZE)
        data = pending + chunk
        end = data.find(closing)
        if end >= 0:
            tail = data[end + 1:] + stream.read(1024)
            if stream.read(1) or not _CLOSE_BRACE.fullmatch(tail if closing == b"]" else b"}" + tail):
                raise _NotThatForm
            yield data[:end]
            return
        if not chunk:
            raise _NotThatForm
        cut = data.rfind(b",")
        if cut < 0:
            if len(data) > 64:  # no item is that long
                raise _NotThatForm
            pending = data
            continue
        yield data[:cut]
        pending = data[cut + 1:]


def _buffer_values(stream: IO[bytes]) -> Iterable[bytes]:
    """``{"type":"Buffer","data":[1,2,3]}`` -> the byte values, block by block."""
    stream.seek(_BUFFER_START.match(stream.read(256)).end())
    for block in _comma_separated(stream, b"]"):
        if not block.strip():
            continue
        try:
            yield bytes(map(int, block.split(b",")))  # ValueError: not an int, or not 0-255
        except ValueError:
            raise _NotThatForm from None


def _typed_array_values(stream: IO[bytes]) -> Iterable[bytes]:
    """``{"0":1,"1":2}`` (keys in order from 0) -> the byte values, block by block."""
    stream.seek(stream.read(256).index(b"{") + 1)
    expected = 0
    for block in _comma_separated(stream, b"}"):
        pairs = _PAIR.findall(block)
        if len(pairs) != block.count(b",") + 1:
            raise _NotThatForm
        keys = [int(key) for key, _value in pairs]
        if keys != list(range(expected, expected + len(keys))):
            raise _NotThatForm
        expected += len(keys)
        try:
            yield bytes(int(value) for _key, value in pairs)
        except ValueError:
            raise _NotThatForm from None


# -- multipart ------------------------------------------------------------------------------

class SpoolingUploadHandler(FileUploadHandler):
    """Streams each file part into a :class:`Spool` (size limit checked as it arrives)."""

    def __init__(self, limit: int, request=None) -> None:
        super().__init__(request)
        self.limit = limit
        self.spool: Spool | None = None

    def new_file(self, *args, **kwargs) -> None:
        super().new_file(*args, **kwargs)
        self.spool = Spool(self.limit)

    def receive_data_chunk(self, raw_data: bytes, start: int) -> None:
        self.spool.write(raw_data)
        return None

    def file_complete(self, file_size: int):
        return _Part(self.field_name, self.content_type, self.spool.finish(self.content_type))


@dataclass
class _Part:
    field_name: str
    content_type: str | None
    incoming: Incoming


def from_multipart(request, limit: int) -> Incoming:
    """The part named ``file`` (else the first file part) of a multipart request."""
    check_content_length(request, body_limit(limit, None, multipart=True), limit)
    content_type = request.META.get("CONTENT_TYPE", "")
    if not content_type.startswith("multipart/"):
        raise FileUploadError("upload-formdata needs a multipart/form-data body.",
                              details={"contentType": content_type})
    if hasattr(request, "_files"):  # already parsed by Django (a CSRF check read request.POST)
        uploaded = request.FILES.get("file") or next(iter(request.FILES.values()), None)
        if uploaded is None:
            raise FileUploadError("The multipart body has no file part.")
        return from_chunks(uploaded.chunks(), limit, uploaded.content_type)
    handler = SpoolingUploadHandler(limit, request)
    try:
        _data, files = MultiPartParser(request.META, request, [handler], request.encoding).parse()
    except MultiPartParserError as exc:
        raise FileUploadError(f"The multipart body cannot be read: {exc}") from None
    parts = files.getlist("file") or [part for key in files for part in files.getlist(key)]
    if not parts:
        raise FileUploadError("The multipart body has no file part.")
    chosen = parts[0]
    for key in files:
        for part in files.getlist(key):
            if part is not chosen:
                part.incoming.close()
    return chosen.incoming
