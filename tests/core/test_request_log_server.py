"""The request log under the real server (uvicorn through ``agnost_serve``, this pass's
stack): the writer thread of the server process writes the client's calls and realtime
handshakes within seconds; rows still waiting are written when the server stops, also from
the forked ``--workers`` processes."""

from __future__ import annotations

import asyncio
import http.client
import json
import signal
import time

import pytest
import websockets
from django.conf import settings

from tests.interop.server import InteropServer

pytestmark = pytest.mark.xdist_group("request-log-server")

ROWS = ("from agnost_django.core.models import RequestLog; import json; "
        "print(json.dumps(list(RequestLog.objects.order_by('pk').values("
        "'method', 'path', 'module', 'operation', 'status', 'error_code', 'client_key_name', 'ip', 'weight'))))")


def logged(server: InteropServer) -> list[dict]:
    """The rows of the server's database, but the server start's polls of the API root."""
    rows = json.loads(server.manage("shell", "-c", ROWS).stdout.strip().splitlines()[-1])
    return [row for row in rows if row["path"] != "/_api/rest/v1"]


def call(server: InteropServer, method: str, path: str, key: str | None, body: dict | None = None) -> int:
    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
    headers = {"X-Client": "altogic-js", "Content-Type": "application/json"}
    if key:
        headers["X-Client-Key"] = key
    connection.request(method, path, body=json.dumps(body) if body is not None else None, headers=headers)
    response = connection.getresponse()
    response.read()
    connection.close()
    return response.status


async def handshake(server: InteropServer, key: str) -> str:
    async with websockets.connect(f"ws://127.0.0.1:{server.port}/socket.io/?EIO=4&transport=websocket") as ws:
        assert (await ws.recv()).startswith("0")
        await ws.send("40" + json.dumps({"clientKey": key}))
        return await ws.recv()


def wait_for_rows(server: InteropServer, count: int, timeout: float = 20) -> list[dict]:
    deadline = time.monotonic() + timeout
    while True:
        rows = logged(server)
        if len(rows) >= count or time.monotonic() > deadline:
            return rows
        time.sleep(0.5)


def test_calls_and_handshakes_reach_the_log_within_seconds(asgi_server):
    server = asgi_server
    assert call(server, "POST", "/_api/rest/v1/cache", server.client_key, {"key": "k", "value": 1}) == 200
    assert call(server, "GET", "/_api/rest/v1/cache?key=k", "agk_wrong") == 401
    assert call(server, "GET", "/_api/rest/v1/nowhere", server.client_key) == 404
    assert asyncio.run(handshake(server, server.client_key)).startswith("40{")
    assert asyncio.run(handshake(server, "agk_wrong")).startswith("44")
    started = time.monotonic()
    rows = wait_for_rows(server, 5)
    assert time.monotonic() - started < 20
    summary = [(r["method"], r["path"], r["module"], r["status"], r["error_code"], r["client_key_name"]) for r in rows]
    assert summary == [
        ("POST", "/_api/rest/v1/cache", "cache", 200, "", "interop"),
        ("GET", "/_api/rest/v1/cache", "cache", 401, "invalid_client_key", ""),
        ("GET", "/_api/rest/v1/nowhere", "", 404, "resource_not_found", ""),
        ("GET", "/socket.io/", "realtime", 101, "", "interop"),
        ("GET", "/socket.io/", "realtime", 401, "invalid_client_key", ""),
    ]
    assert {r["ip"] for r in rows} == {"127.0.0.1"} and {r["weight"] for r in rows} == {1}
    assert rows[3]["operation"] == "realtime.connect"


def test_waiting_rows_are_written_when_the_server_stops():
    # A writer that would wait an hour: only the exit writes the rows. On the services stack,
    # from two forked worker processes (agnost_serve --workers 2).
    workers = ("--workers", "2") if settings.INTEROP_STACK == "services" else ()
    server = InteropServer(settings.INTEROP_STACK, env={"AGNOST_CORE_REQUEST_LOG_FLUSH_INTERVAL": "3600"},
                           serve_args=workers)
    server.start()
    try:
        for index in range(12):  # new connections: the kernel spreads them over the workers
            assert call(server, "GET", f"/_api/rest/v1/cache?key=k{index}", server.client_key) == 200
        time.sleep(0.5)
        assert logged(server) == []
        server.process.send_signal(signal.SIGTERM)
        server.process.wait(timeout=20)
        rows = logged(server)
        assert sorted(r["path"] for r in rows) == ["/_api/rest/v1/cache"] * 12
        assert {r["status"] for r in rows} == {200}
    finally:
        server.stop()
