"""Upload bodies as the altogic client encodes them (spec 3.4), multipart, size limits, and
streaming: the body goes to a spooled temporary file, never whole into memory."""

from __future__ import annotations

import hashlib
import io
import json
import tracemalloc

import pytest
from django.core import signals
from django.core.handlers.wsgi import WSGIHandler
from django.db import close_old_connections

from agnost_django import agnost
from agnost_django.storage.models import Bucket, StoredFile
from agnost_django.storage.uploads import Spool, from_chunks

API = "/_api/rest/v1/storage"


def codes(response) -> list[str]:
    return [item["code"] for item in response.json()["errors"]]


def stored_bytes(file_id: str) -> bytes:
    file = StoredFile.objects.get(pk=file_id)
    with agnost.storage().bucket(file.bucket.name).file(file.name).open().unwrap() as handle:
        return handle.read()


@pytest.mark.parametrize(("body", "expected"), [
    ("hello world", b"hello world"),
    ("h\u00e9llo \u2603", "h\u00e9llo \u2603".encode()),
    ({"type": "Buffer", "data": [1, 2, 3, 0, 255]}, bytes([1, 2, 3, 0, 255])),
    ({"type": "Buffer", "data": []}, b""),
    ({"0": 1, "1": 2, "2": 3}, bytes([1, 2, 3])),
    ({}, b""),  # an ArrayBuffer: nothing recoverable
    ({"name": "x", "n": 1}, b'{"name": "x", "n": 1}'),  # other JSON: its text
    ({"type": "Buffer", "data": [1, 300]}, b'{"type": "Buffer", "data": [1, 300]}'),  # not bytes: JSON text
    ({"0": 1, "2": 3}, b'{"0": 1, "2": 3}'),  # keys out of order: JSON text
    ([1, 2], b"[1, 2]"),
    (42, b"42"),
])
def test_upload_object_json_bodies(alice_api, body, expected):
    response = alice_api.upload("root", "f.bin", body)
    assert response.status_code == 200, response.json()
    file = response.json()
    assert file["size"] == len(expected)
    assert stored_bytes(file["_id"]) == expected
    assert file["checksum"] == hashlib.sha256(expected).hexdigest()


def test_large_buffer_is_decoded_as_a_stream(alice_api, settings):
    settings.AGNOST_STORAGE_CHUNK_SIZE = 4096  # many chunk boundaries
    data = bytes(range(256)) * 2000
    body = json.dumps({"type": "Buffer", "data": list(data)}, separators=(",", ":"))
    response = alice_api.generic("POST", f"{API}/bucket/upload-object?bucket=root&fileName=big.bin", body,
                                 content_type="application/json")
    assert response.status_code == 200, response.json()
    assert stored_bytes(response.json()["_id"]) == data
    typed = json.dumps({str(i): b for i, b in enumerate(data[:20000])}, separators=(",", ":"))
    response = alice_api.generic("POST", f"{API}/bucket/upload-object?bucket=root&fileName=typed.bin", typed,
                                 content_type="application/json")
    assert stored_bytes(response.json()["_id"]) == data[:20000]


def test_raw_body_with_another_content_type(alice_api):
    data = bytes(range(256))
    response = alice_api.upload("root", "raw.bin", data, content_type="application/octet-stream",
                                options={"contentType": "application/x-thing"})
    assert response.status_code == 200, response.json()
    assert stored_bytes(response.json()["_id"]) == data
    assert response.json()["mimeType"] == "application/x-thing"


def test_empty_bodiless_upload(alice_api):
    # The client sends no body for a falsy fileBody ("").
    response = alice_api.generic("POST", f"{API}/bucket/upload-object?bucket=root&fileName=empty.txt")
    assert response.status_code == 200 and response.json()["size"] == 0


def test_invalid_json_string_body(alice_api):
    response = alice_api.generic("POST", f"{API}/bucket/upload-object?bucket=root&fileName=x", '"unterminated',
                                 content_type="application/json")
    assert codes(response) == ["invalid_request_body_syntax"]
    assert StoredFile.objects.count() == 0


def test_multipart_upload_takes_the_file_part(alice_api):
    png = b"\x89PNG\r\n\x1a\n" + bytes(64)
    response = alice_api.post(
        f"{API}/bucket/upload-formdata?bucket=root&fileName=pic.png&options=" + json.dumps({"isPublic": True}),
        {"other": io.BytesIO(b"ignored"), "file": _named(png, "blob", "image/png"), "note": "x"},
        format="multipart",
    )
    assert response.status_code == 200, response.json()
    file = response.json()
    assert file["fileName"] == "pic.png" and file["mimeType"] == "image/png" and file["isPublic"] is True
    assert stored_bytes(file["_id"]) == png


def test_multipart_first_file_part_and_errors(alice_api):
    response = alice_api.post(f"{API}/bucket/upload-formdata?bucket=root&fileName=a.txt",
                              {"upload": _named(b"abc", "a.txt", "text/plain")}, format="multipart")
    assert response.status_code == 200 and response.json()["size"] == 3
    response = alice_api.post(f"{API}/bucket/upload-formdata?bucket=root&fileName=b.txt", {"x": "no file"},
                              format="multipart")
    assert codes(response) == ["file_upload_error"]
    response = alice_api.post(f"{API}/bucket/upload-formdata?bucket=root&fileName=b.txt", {"x": 1}, format="json")
    assert codes(response) == ["file_upload_error"]
    response = alice_api.post(f"{API}/bucket/file/replace-formdata?bucket=root&file=a.txt",
                              {"file": _named(b"abcdef", "blob", "text/plain")}, format="multipart")
    assert response.status_code == 200 and response.json()["size"] == 6


def _named(data: bytes, name: str, content_type: str):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, data, content_type=content_type)


def test_size_limits_global_and_per_bucket(alice_api, settings, backend_keys):
    settings.AGNOST_STORAGE_MAX_UPLOAD_SIZE = 10
    assert alice_api.upload("root", "ok.txt", "0123456789").status_code == 200
    response = alice_api.upload("root", "big.txt", "01234567890")
    assert response.status_code == 413 and codes(response) == ["file_too_large"]
    response = alice_api.upload("root", "big.bin", {"type": "Buffer", "data": [1] * 11})
    assert codes(response) == ["file_too_large"]
    response = alice_api.post(f"{API}/bucket/upload-formdata?bucket=root&fileName=big.txt",
                              {"file": _named(b"x" * 11, "blob", "text/plain")}, format="multipart")
    assert codes(response) == ["file_too_large"]
    Bucket.objects.filter(name="root").update(max_file_size=3)
    assert codes(alice_api.upload("root", "four.txt", "four")) == ["file_too_large"]
    assert codes(alice_api.upload("root", "raw", b"four", content_type="application/octet-stream")) == ["file_too_large"]
    assert list(StoredFile.objects.values_list("name", flat=True)) == ["ok.txt"]
    assert len(backend_keys()) == 1


class _Socket(io.RawIOBase):
    """A request body arriving from a socket: counts what the server reads."""

    def __init__(self, size: int, path) -> None:
        self.handle = open(path, "rb")
        self.read_bytes = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        count = self.handle.readinto(buffer)
        self.read_bytes += count
        return count


def _environ(path: str, client, content_length: int, stream, content_type="application/octet-stream") -> dict:
    environ = {
        "REQUEST_METHOD": "POST", "PATH_INFO": path.split("?")[0], "QUERY_STRING": path.split("?", 1)[1],
        "SERVER_NAME": "testserver", "SERVER_PORT": "80", "wsgi.url_scheme": "http", "wsgi.input": stream,
        "CONTENT_TYPE": content_type, "CONTENT_LENGTH": str(content_length), "wsgi.errors": io.StringIO(),
    }
    for name, value in client._credentials.items():
        environ[name] = value
    return environ


def _call(environ) -> tuple[int, bytes]:
    """Run a request through Django's WSGI handler, keeping the test's database connection
    open as Django's test client does."""
    status = []
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    try:
        response = WSGIHandler()(environ, lambda s, h, *a: status.append(int(s.split()[0])))
        body = b"".join(response)
        response.close()
    finally:
        signals.request_started.connect(close_old_connections)
        signals.request_finished.connect(close_old_connections)
    return status[0], body


def test_raw_upload_is_spooled_not_held_in_memory(alice_api, tmp_path, settings):
    # The local file system, whatever the pass: in the services pass the S3 server (moto)
    # runs inside this process and keeps objects in memory, which tracemalloc would count.
    settings.STORAGES = {**settings.STORAGES, "default": {
        "BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": str(tmp_path / "media")}}}
    size = 24 * 1024 * 1024
    source = tmp_path / "body.bin"
    with source.open("wb") as out:
        for index in range(size // 65536):
            out.write(bytes([index % 256]) * 65536)
    path = f"{API}/bucket/upload-object?bucket=root&fileName=big.bin"
    _call(_environ(path.replace("big.bin", "warm.bin"), alice_api, 1, io.BytesIO(b"x")))  # warm up imports
    stream = _Socket(size, source)
    tracemalloc.start()
    try:
        status, body = _call(_environ(path, alice_api, size, stream))
        _current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
        stream.handle.close()
    assert status == 200, body
    assert json.loads(body)["size"] == size
    assert peak < 6 * 1024 * 1024, f"peak {peak} bytes for a {size}-byte upload"


def test_spool_rolls_to_disk_above_the_threshold(settings):
    settings.AGNOST_STORAGE_SPOOL_SIZE = 1024
    small = from_chunks([b"x" * 1000], limit=10_000)
    large = from_chunks([b"x" * 600, b"y" * 600], limit=10_000)
    assert not small.on_disk and large.on_disk
    assert large.file.read() == b"x" * 600 + b"y" * 600
    spool = Spool(limit=5)
    with pytest.raises(Exception) as error:
        spool.write(b"123456")
    assert error.value.code == "file_too_large"


def test_oversized_body_is_refused_before_it_is_read(alice_api, settings, tmp_path):
    settings.AGNOST_STORAGE_MAX_UPLOAD_SIZE = 1000
    source = tmp_path / "body.bin"
    source.write_bytes(b"x" * 100_000)
    stream = _Socket(100_000, source)
    status, body = _call(_environ(f"{API}/bucket/upload-object?bucket=root&fileName=x.bin", alice_api, 100_000, stream))
    stream.handle.close()
    assert status == 413 and json.loads(body)["errors"][0]["code"] == "file_too_large"
    assert stream.read_bytes == 0
    # A body that lies about its length is cut off at the limit while streaming.
    stream = _Socket(100_000, source)
    status, body = _call(_environ(f"{API}/bucket/upload-object?bucket=root&fileName=x.bin", alice_api, 900, stream))
    stream.handle.close()
    assert status == 200 and json.loads(body)["size"] == 900  # Django reads no more than Content-Length
