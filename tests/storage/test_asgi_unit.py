"""``BodySizeLimit`` in process, around a stand-in for Django's ASGI handler: what the
wrapped application sees of a refused body (nothing, or a disconnect), and what passes."""

from __future__ import annotations

import asyncio
import json

import pytest
from django.core.checks import run_checks

from agnost_django.storage.asgi import BodySizeLimit

UPLOAD = "/_api/rest/v1/storage/bucket/upload-object"


class App:
    """Reads the whole body like Django's ASGIHandler, then answers 200 with its size."""

    def __init__(self) -> None:
        self.called = False
        self.saw_disconnect = False

    async def __call__(self, scope, receive, send):
        self.called = True
        size = 0
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                self.saw_disconnect = True
                return
            size += len(message.get("body", b""))
            if not message.get("more_body"):
                break
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": str(size).encode()})


def run(path, pieces, *, headers=(), query=b"bucket=root&fileName=a.bin", scope_type="http"):
    app = App()
    remaining = list(pieces)
    read = []
    sent = []

    async def receive():
        body = remaining.pop(0)
        read.append(body)
        return {"type": "http.request", "body": body, "more_body": bool(remaining)}

    async def send(message):
        sent.append(message)

    scope = {"type": scope_type, "method": "POST", "path": path, "root_path": "", "query_string": query,
             "headers": [(name.lower(), value) for name, value in headers]}
    asyncio.run(BodySizeLimit(app)(scope, receive, send))
    return app, read, sent


def answer(sent):
    status = sent[0]["status"]
    headers = dict(sent[0]["headers"])
    return status, headers, json.loads(sent[1]["body"]) if status == 413 else sent[1]["body"]


@pytest.mark.django_db
def test_announced_size_is_refused_before_the_app_runs(settings):
    settings.AGNOST_STORAGE_MAX_UPLOAD_SIZE = 100
    app, read, sent = run(UPLOAD, [b"x" * 10], headers=[(b"content-length", b"101")])
    assert not app.called and read == []
    status, headers, body = answer(sent)
    assert status == 413 and headers[b"connection"] == b"close"
    assert body["errors"][0]["code"] == "file_too_large" and body["errors"][0]["details"] == {"limit": 100}


@pytest.mark.django_db
def test_streamed_body_ends_in_a_disconnect_for_the_app(settings):
    settings.AGNOST_STORAGE_MAX_UPLOAD_SIZE = 100
    pieces = [b"x" * 60] * 10
    app, read, sent = run(UPLOAD, pieces, headers=[(b"transfer-encoding", b"chunked")])
    assert app.saw_disconnect and len(read) == 2  # the rest is never asked for
    status, _headers, body = answer(sent)
    assert status == 413 and body["errors"][0]["code"] == "file_too_large"


@pytest.mark.django_db
def test_bodies_within_their_limit_and_other_paths_pass(settings):
    settings.AGNOST_STORAGE_MAX_UPLOAD_SIZE = 100
    app, _read, sent = run(UPLOAD, [b"x" * 50, b"x" * 50], headers=[(b"transfer-encoding", b"chunked")])
    assert answer(sent)[:1] == (200,) and sent[1]["body"] == b"100"
    # JSON bodies of the client are widened like the view widens them (a Buffer's "255,").
    _app, _read, sent = run(UPLOAD, [b"x" * 400], headers=[(b"content-length", b"400"),
                                                          (b"content-type", b"application/json")])
    assert sent[0]["status"] == 200
    # The host's own views keep their own rules.
    _app, _read, sent = run("/admin/upload", [b"x" * 10**6], headers=[(b"content-length", b"1000000")])
    assert sent[0]["status"] == 200


def test_other_api_paths_get_djangos_memory_limit(settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    app, _read, sent = run("/_api/rest/v1/cache/set", [b"{}"], headers=[(b"content-length", b"1001")])
    assert not app.called
    status, _headers, body = answer(sent)
    assert status == 413 and body["errors"][0]["code"] == "request_body_size_too_large"
    assert body["errors"][0]["details"] == {"limit": 1000}
    _app, _read, sent = run("/_api/rest/v1/cache/set", [b"{}"], headers=[(b"content-length", b"2")])
    assert sent[0]["status"] == 200


def test_checks_of_the_quota_and_cache_settings(settings):
    settings.AGNOST_STORAGE_USER_QUOTA_BYTES = "1 GB"
    settings.AGNOST_STORAGE_PUBLIC_CACHE_MAX_AGE = -1
    ids = {message.id for message in run_checks()}
    assert {"agnost_storage.E002", "agnost_storage.E003"} <= ids
    settings.AGNOST_STORAGE_USER_QUOTA_BYTES = None
    settings.AGNOST_STORAGE_PUBLIC_CACHE_MAX_AGE = 0
    ids = {message.id for message in run_checks()}
    assert not {"agnost_storage.E002", "agnost_storage.E003"} & ids
