"""The websocket handshake as ``agnost_serve`` answers it (``core/uvicorn_protocols.py``: from
the request httptools parsed, without the websockets library's second parse), on the wire,
against the real server."""

from __future__ import annotations

import base64
import hashlib
import os
import socket

import pytest
from django.conf import settings

from tests.interop.server import InteropServer

GUID = b"258EAFA5-E914-47DA-95CA-C5AB0DC85B11"


@pytest.fixture(scope="module")
def server():
    with InteropServer(settings.INTEROP_STACK, serve_args=("--no-access-log",)) as running:
        yield running


def handshake(server, *, method="GET", target="/socket.io/?EIO=4&transport=websocket", version="13",
              key: str | None = "", extra: str = "") -> tuple[int, dict[bytes, bytes], bytes, str]:
    """(status, headers with lowercased names, what followed the head, the key sent)."""
    key = base64.b64encode(os.urandom(16)).decode() if key == "" else key
    head = (f"{method} {target} HTTP/1.1\r\nHost: 127.0.0.1:{server.port}\r\nUpgrade: websocket\r\n"
            f"Connection: Upgrade\r\nSec-WebSocket-Version: {version}\r\n{extra}")
    if key is not None:
        head += f"Sec-WebSocket-Key: {key}\r\n"
    with socket.create_connection(("127.0.0.1", server.port), timeout=5) as sock:
        sock.sendall((head + "\r\n").encode())
        data = b""
        while b"\r\n\r\n" not in data:
            chunk = sock.recv(4096)
            assert chunk, data
            data += chunk
        top, rest = data.split(b"\r\n\r\n", 1)
        if top.startswith(b"HTTP/1.1 101"):
            while len(rest) < 2 or len(rest) < 2 + (rest[1] & 0x7F):  # the first frame
                rest += sock.recv(4096)
        else:
            while chunk := sock.recv(4096):  # an error response: the server closes
                rest += chunk
    status_line, *lines = top.split(b"\r\n")
    headers = {}
    for line in lines:
        name, _, value = line.partition(b":")
        headers[name.strip().lower()] = value.strip()
    return int(status_line.split()[1]), headers, rest, key


def test_the_handshake_is_rfc_6455s_and_the_consumer_gets_the_query(server):
    status, headers, rest, key = handshake(server)
    assert status == 101
    assert headers[b"upgrade"].lower() == b"websocket" and headers[b"connection"].lower() == b"upgrade"
    assert headers[b"sec-websocket-accept"] == base64.b64encode(hashlib.sha1(key.encode() + GUID).digest())
    assert b"date" in headers and b"sec-websocket-extensions" not in headers  # no deflate offered
    assert rest[0] == 0x81 and rest[2:3] == b"0"  # the Engine.IO open frame

    # The query string reaches the consumer: Engine.IO 3 is refused (closed before accepting).
    status, _headers, _rest, _key = handshake(server, target="/socket.io/?EIO=3&transport=websocket")
    assert status == 403


@pytest.mark.parametrize(("options", "status", "reason"), [
    ({"version": "8"}, 426, b"unsupported Sec-WebSocket-Version"),
    ({"key": None}, 400, b"missing Sec-WebSocket-Key"),
    ({"key": "c2hvcnQ="}, 400, b"invalid Sec-WebSocket-Key"),
    ({"key": "not base64!"}, 400, b"invalid Sec-WebSocket-Key"),
    ({"extra": "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"}, 400, b"more than one Sec-WebSocket-Key"),
    ({"method": "POST"}, 405, b"unsupported HTTP method"),
], ids=["version", "no-key", "short-key", "bad-key", "two-keys", "post"])
def test_a_handshake_that_is_not_rfc_6455s_is_refused(server, options, status, reason):
    got, headers, body, _key = handshake(server, **options)
    assert got == status and reason in body, body
    assert headers[b"connection"] == b"close" and int(headers[b"content-length"]) == len(body)
    if status == 426:
        assert headers[b"sec-websocket-version"] == b"13"
    if status == 405:
        assert headers[b"allow"] == b"GET"


def test_a_refusal_by_the_application_is_a_403_and_a_failure_a_500(server):
    status, _headers, _body, _key = handshake(server, extra="Origin: https://elsewhere.example\r\n")
    assert status == 403  # an origin neither the host nor any key allows
    status, _headers, body, _key = handshake(server, target="/nowhere/")
    assert status == 500, body  # no route: the application raised before accepting


def test_frames_of_every_length_class_arrive_whole_and_in_order(server):
    """Data frames are framed by agnost_serve's protocol and written together per turn of the
    event loop: payload lengths on both sides of the 7-, 16- and 64-bit length encodings, and
    a burst, reach a websockets client (which checks every frame) intact and in order."""
    import asyncio
    import json

    from tests.realtime.sockets import open_socket

    async def scenario() -> None:
        member, publisher = await open_socket(server), await open_socket(server)
        try:
            await member.send('421["join",{"channel":"sizes"}]')
            while not (await member.recv()).startswith("431"):  # the join's ack
                pass

            async def publish(text: str) -> str:
                await publisher.send("42" + json.dumps(["message", {"channel": "sizes", "eventName": "size", "message": text}]))
                while True:
                    frame = await asyncio.wait_for(member.recv(), 5)
                    if frame.startswith('42["size"'):
                        return frame

            overhead = len(await publish(""))
            for length in (125, 126, 127, 65535, 65536, 65537):
                frame = await publish("x" * (length - overhead))
                assert len(frame) == length and json.loads(frame[2:])[1]["message"] == "x" * (length - overhead)
            for number in range(60):
                await publisher.send("42" + json.dumps(["message", {"channel": "sizes", "eventName": "size",
                                                                "message": str(number)}]))
            received = []
            while len(received) < 60:
                frame = await asyncio.wait_for(member.recv(), 5)
                if frame.startswith('42["size"'):
                    received.append(json.loads(frame[2:])[1]["message"])
            assert received == [str(number) for number in range(60)]
        finally:
            await member.close()
            await publisher.close()

    asyncio.run(scenario())
