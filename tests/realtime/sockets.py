"""A Socket.IO client over a real websocket, for the tests that run the ASGI server."""

from __future__ import annotations

import json

import websockets


async def open_socket(server, **auth):
    """A connected socket of ``server`` (Engine.IO open and Socket.IO CONNECT done)."""
    ws = await websockets.connect(f"ws://127.0.0.1:{server.port}/socket.io/?EIO=4&transport=websocket")
    assert (await ws.recv()).startswith("0")
    await ws.send("40" + json.dumps({"clientKey": server.client_key, **auth}))
    assert (await ws.recv()).startswith("40")
    return ws
