"""Issue #16: fan-out per process (hub.py). The channel layer carries a message once per server
process, whatever the number of its sockets in the channel, and a socket that stops reading
neither delays the others nor grows the server's memory: past AGNOST_REALTIME_SEND_BUFFER
waiting frames it is disconnected (1013)."""

from __future__ import annotations

import asyncio
import base64
import json
import os
import socket
import time

import pytest
from django.conf import settings as django_settings

from agnost_django.realtime import names
from tests.interop.server import InteropServer
from tests.realtime.sockets import open_socket

pytestmark = [pytest.mark.anyio, pytest.mark.django_db(transaction=True)]


async def test_the_layer_holds_one_member_per_process_not_per_socket(connect):
    from channels.layers import InMemoryChannelLayer, get_channel_layer

    layer = get_channel_layer()
    if not isinstance(layer, InMemoryChannelLayer):
        pytest.skip("reads the in-memory layer's groups (the services pass runs two processes on Redis in interop)")
    await layer.flush()  # groups of earlier tests' event loops
    clients = [await connect() for _ in range(5)]
    for client in clients:
        await client.call("join", {"channel": "crowd"})
    assert len(layer.groups[names.channel_group("crowd")]) == 1
    assert len(layer.groups[names.ALL]) == 1
    await clients[0].emit("message", {"channel": "crowd", "eventName": "hello", "message": 1})
    for client in clients:  # each gets the joins after its own, then hello once (echo included)
        events = [await client.receive_event()]
        while events[-1][0] != "hello":
            events.append(await client.receive_event())
        assert events[-1] == ["hello", {"channel": "crowd", "message": 1}]
        assert {event[0] for event in events[:-1]} <= {"channel:join"}


class StalledSocket:
    """A websocket client that stops reading once connected, as a stalled browser tab does: a
    raw socket with a small receive buffer (no autotuning up to tcp_rmem's maximum), so the
    kernel's buffers, then the server's transport, then its send buffer fill up."""

    def __init__(self, server) -> None:
        self.sock = socket.socket()
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 65536)
        self.sock.connect(("127.0.0.1", server.port))
        key = base64.b64encode(os.urandom(16)).decode()
        self.sock.sendall((f"GET /socket.io/?EIO=4&transport=websocket HTTP/1.1\r\nHost: 127.0.0.1:{server.port}\r\n"
                           f"Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: {key}\r\n"
                           "Sec-WebSocket-Version: 13\r\n\r\n").encode())
        self.buffer = b""
        while b"\r\n\r\n" not in self.buffer:
            self.buffer += self.sock.recv(4096)
        assert self.buffer.startswith(b"HTTP/1.1 101"), self.buffer
        self.buffer = self.buffer.split(b"\r\n\r\n", 1)[1]
        self.send("40" + json.dumps({"clientKey": server.client_key}))

    def send(self, text: str) -> None:
        data, mask = text.encode(), os.urandom(4)
        size = len(data)
        header = bytes([0x81]) + (bytes([0x80 | size]) if size < 126 else bytes([0x80 | 126]) + size.to_bytes(2, "big"))
        self.sock.sendall(header + mask + bytes(byte ^ mask[i % 4] for i, byte in enumerate(data)))

    def _read(self, count: int) -> bytes:
        while len(self.buffer) < count:
            chunk = self.sock.recv(1 << 20)
            if not chunk:
                raise ConnectionError("closed without a close frame")
            self.buffer += chunk
        data, self.buffer = self.buffer[:count], self.buffer[count:]
        return data

    def read_until_close(self) -> int:
        """Read frames until the server's close frame; its code."""
        self.sock.settimeout(20)
        while True:
            first, second = self._read(2)
            size = second & 0x7F
            if size == 126:
                size = int.from_bytes(self._read(2), "big")
            elif size == 127:
                size = int.from_bytes(self._read(8), "big")
            payload = self._read(size)
            if first & 0x0F == 0x8:
                return int.from_bytes(payload[:2], "big")


@pytest.fixture(scope="module")
def small_buffer_server():
    server = InteropServer(django_settings.INTEROP_STACK, env={"AGNOST_REALTIME_SEND_BUFFER": "40"})
    server.start()
    yield server
    server.stop()


async def test_a_slow_reader_does_not_delay_a_fast_one_and_is_disconnected(small_buffer_server):
    server = small_buffer_server
    fast = await open_socket(server)
    slow = StalledSocket(server)
    publisher = await open_socket(server)
    slow.send('420["join",{"channel":"stream"}]')
    await fast.send('420["join",{"channel":"stream"}]')
    for _ in range(2):  # the join ack and fast's own channel:join
        await fast.recv()
    await asyncio.sleep(0.3)  # slow's join is handled (its frames are not read)

    count, payload = 300, "x" * 64_000
    got = set()

    async def read_fast():  # reads while the publisher sends (19 MB: more than the kernel holds)
        while len(got) < count:
            frame = await asyncio.wait_for(fast.recv(), timeout=20)
            if frame.startswith('42["chunk"'):
                got.add(json.loads(frame[2:])[1]["message"]["i"])

    started = time.monotonic()
    reading = asyncio.create_task(read_fast())
    for i in range(count):
        # At most half the buffer ahead of the fast reader, so that only the reader that does not
        # read falls behind, however busy the machine (the slow one still gets all 19 MB).
        while i - len(got) >= 20 and not reading.done():
            await asyncio.sleep(0.005)
        await publisher.send("42" + json.dumps(["message", {"channel": "stream", "eventName": "chunk",
                                                            "message": {"i": i, "data": payload}}]))
    await reading
    fast_seconds = time.monotonic() - started
    assert got == set(range(count))
    assert fast_seconds < 20

    # The slow socket, read now: what the kernel held, then the server's close (1013).
    assert await asyncio.to_thread(slow.read_until_close) == 1013
    assert "fell 40 frames behind" in server.log()
    for ws in (fast, publisher):
        await ws.close()
    slow.sock.close()
