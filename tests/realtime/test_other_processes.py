"""``agnost.realtime.send``/``broadcast`` from another process (``manage.py shell``, as the
django-q2 worker would) reach the sockets of the running ASGI server on this pass's stack:
the embedded default's ``LocalChannelLayer`` (a Unix socket to the server process) or
channels_redis. With no server to reach, the call returns an error Result."""

from __future__ import annotations

import asyncio
import json

import pytest
from django.conf import settings

from tests.interop.server import InteropServer
from tests.realtime.sockets import open_socket

pytestmark = pytest.mark.xdist_group("realtime-processes")


@pytest.fixture(scope="module")
def server(asgi_server):
    return asgi_server


def shell(server, code: str) -> str:
    return server.manage("shell", "-c", code).stdout.strip().splitlines()[-1]


async def next_event(ws, name, timeout=10.0):
    """The next event called ``name`` (membership notifications are passed over)."""
    while True:
        frame = await asyncio.wait_for(ws.recv(), timeout)
        if frame == "2":
            await ws.send("3")
        elif frame.startswith("42") and json.loads(frame[2:])[0] == name:
            return json.loads(frame[2:])


def test_send_and_broadcast_from_the_shell_reach_a_socket(server):
    # Served through agnost_serve, the server takes sends before any socket connected.
    assert shell(server, "from agnost_django import agnost; print(agnost.realtime.broadcast('x', 1).errors)") \
        == "None"

    async def scenario():
        ws = await open_socket(server)
        try:
            await ws.send('421["join",{"channel":"room1"}]')
            while (frame := await ws.recv()) != "431[null]":  # the join's acknowledgement
                assert frame.startswith(("2", "42")), frame
            code = ("from agnost_django import agnost; r = agnost.realtime.{}; "
                    "print(r.errors is None)")
            ok = await asyncio.to_thread(shell, server, code.format("broadcast('notice', {'at': 6})"))
            assert ok == "True"
            assert await next_event(ws, "notice") == ["notice", {"channel": None, "message": {"at": 6}}]
            ok = await asyncio.to_thread(shell, server, code.format("send('room1', 'chat', 'hi')"))
            assert ok == "True"
            assert await next_event(ws, "chat") == ["chat", {"channel": "room1", "message": "hi"}]
        finally:
            await ws.close()

    asyncio.run(scenario())


@pytest.mark.skipif(settings.INTEROP_STACK != "embedded", reason="the Unix-socket layer is the embedded default's")
def test_without_a_server_the_send_is_an_error_result():
    server = InteropServer("embedded")
    server.start()
    try:

        server.process.terminate()
        server.process.wait(10)
        out = shell(server, "from agnost_django import agnost; r = agnost.realtime.broadcast('x', 1); "
                            "print(r.errors.items[0].code if r.errors else 'ok')")
        assert out == "realtime_unreachable"
    finally:
        server.stop()
