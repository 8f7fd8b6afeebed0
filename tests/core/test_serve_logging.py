"""``agnost_serve --no-access-log`` (the README's production command) writes no line per
request and none per websocket; without it, uvicorn logs each socket's accept and open."""

from __future__ import annotations

import asyncio
import urllib.error
import urllib.request

import pytest
import websockets
from django.conf import settings

from tests.interop.server import InteropServer
from tests.realtime.sockets import open_socket

WEBSOCKET_LINES = ('"WebSocket /socket.io/', "connection open", "connection closed")


def use(server) -> None:
    async def socket() -> None:
        ws = await open_socket(server)
        await ws.close()
        try:  # a websocket path nothing routes: the application fails, uvicorn logs an error
            async with websockets.connect(f"ws://127.0.0.1:{server.port}/nowhere/"):
                pass
        except websockets.exceptions.WebSocketException:
            pass

    asyncio.run(socket())
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    with pytest.raises(urllib.error.HTTPError):  # no client key: 401, logged like any request
        opener.open(f"http://127.0.0.1:{server.port}/_api/rest/v1/db/model-names")


@pytest.mark.parametrize("quiet", [False, True], ids=["default", "no-access-log"])
def test_no_access_log_also_drops_the_websocket_lines(quiet):
    server = InteropServer(settings.INTEROP_STACK, serve_args=("--no-access-log",) if quiet else ())
    server.start()
    try:
        use(server)
        log = server.log()
    finally:
        server.stop()
    assert "Uvicorn running on" in log  # startup lines stay
    assert "Exception in ASGI application" in log, log[-2000:]  # errors stay, websockets' too
    lines = [line for line in log.splitlines() if any(text in line for text in WEBSOCKET_LINES)]
    if quiet:
        assert lines == [], lines
        assert "GET /_api/rest/v1" not in log
    else:
        assert "GET /_api/rest/v1/db/model-names" in log
        assert any('"WebSocket /socket.io/' in line and "[accepted]" in line for line in lines), log[-2000:]
        assert any("connection open" in line for line in lines), log[-2000:]
