"""Browsers send ``Origin`` on every POST: under the ASGI server (uvicorn, as ``make run``
serves the example project) no such request may fail, and the CORS answer for client-key
origins must follow key changes. Runs on this pass's stack (SQLite + local memory, or
PostgreSQL + Redis)."""

from __future__ import annotations

import json
import time
import urllib.error
import urllib.request

import pytest
from django.conf import settings


pytestmark = pytest.mark.xdist_group("asgi-origins")

APP_ORIGIN = "http://app.example.com"
_opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))


@pytest.fixture(scope="module")
def server(asgi_server):
    return asgi_server


def request(server, method, path, headers=None, body=None):
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(f"http://127.0.0.1:{server.port}{path}", data=data, method=method,
                                 headers={"Content-Type": "application/json", **(headers or {})})
    try:
        with _opener.open(req, timeout=10) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()


def preflight(server, origin):
    return request(server, "OPTIONS", "/_api/rest/v1/cache/stats",
                   {"Origin": origin, "Access-Control-Request-Method": "GET",
                    "Access-Control-Request-Headers": "x-client-key"})


def shell(server, code):
    return server.manage("shell", "-c", code).stdout.strip()


def test_posts_with_any_origin_never_fail(server):
    for origin in ("https://evil.example", f"http://127.0.0.1:{server.port}", "null"):
        status, _headers, _body = request(server, "POST", "/admin/login/", {"Origin": origin},
                                          {"username": "x"})
        assert status == 403, (origin, status)  # CSRF refuses, nothing fails
        status, headers, body = request(server, "POST", "/_api/rest/v1/cache", {"Origin": origin}, {})
        assert 400 <= status < 500, (origin, status, body)
        assert headers["content-type"].startswith("application/json")
        assert json.loads(body)["errors"][0]["code"] == "missing_client_key"
    assert " 500 " not in server.log()


def test_key_origins_follow_changes(server):
    assert "access-control-allow-origin" not in {h.lower() for h in preflight(server, APP_ORIGIN)[1]}
    secret = server.manage("agnost_create_client_key", "web", "--origin", APP_ORIGIN).stdout.split()[-1]

    def allowed():
        headers = {k.lower(): v for k, v in preflight(server, APP_ORIGIN)[1].items()}
        return headers.get("access-control-allow-origin") == APP_ORIGIN

    # Another process changed the key: with Redis the server sees it at once; the local-memory
    # cache of the embedded default holds the origins for at most LOCAL_TIMEOUT seconds.
    wait = 0 if settings.INTEROP_STACK == "services" else 6
    deadline = time.monotonic() + wait
    while not allowed() and time.monotonic() < deadline:
        time.sleep(0.25)
    assert allowed()
    status, headers, body = request(server, "GET", "/_api/rest/v1/cache/stats",
                                    {"Origin": APP_ORIGIN, "X-Client-Key": secret})
    assert status == 200, body
    assert headers["access-control-allow-origin"] == APP_ORIGIN

    shell(server, "from agnost_django.core.models import ClientKey; "
                  "k = ClientKey.objects.get(name='web'); k.active = False; k.save()")

    def key_call():
        return request(server, "GET", "/_api/rest/v1/cache/stats", {"Origin": APP_ORIGIN, "X-Client-Key": secret})

    # The origins and the key are two entries, filled at different times: each may take up to
    # LOCAL_TIMEOUT seconds on the embedded default.
    deadline = time.monotonic() + wait
    while (allowed() or key_call()[0] == 200) and time.monotonic() < deadline:
        time.sleep(0.25)
    assert not allowed()
    status, _headers, body = key_call()
    assert status == 403 and json.loads(body)["errors"][0]["code"] == "inactive_client_key"
    assert " 500 " not in server.log()
