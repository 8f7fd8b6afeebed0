"""uvicorn's HTTP and websocket protocols as ``agnost_serve`` runs them: the websocket
handshake is answered from the request httptools has already parsed.

uvicorn hands an upgrade request to its websocket protocol as bytes: it writes the parsed
request out again, and the websockets library parses it a second time (in Python, a header
at a time), checks it and builds its answer through its ``Headers`` and ``Response``
objects. Here :class:`HttpToolsProtocol` passes the parsed request on, and
:class:`WebSocketProtocol` checks what RFC 6455 asks of it and writes the ``101`` itself:

* ``GET``, else a 405;
* HTTP/1.1 and one ``Sec-WebSocket-Key`` of 16 bytes, else a 400;
* ``Sec-WebSocket-Version: 13``, else a 426 naming it.

uvicorn's part of a handshake goes from 125 to 52 µs (the application aside; in-process, a
fake transport).

The application's data frames are framed here too (a server's frames are not masked, so a
frame is a header and the payload) and written together at the end of the event loop's turn:
during a fan-out a socket gets several messages per turn, and a write per frame, a system
call each, was the largest part of a delivery's CPU (A B A B, 500 subscribers: 16.6 → 12.1 µs
per delivery, 1.34× the deliveries per second). Everything else (reading frames, pings,
closing) is uvicorn's ``websockets-sansio`` implementation, on the websockets library's
protocol: this class is that implementation with another handshake and data frames.

No extension is negotiated (``agnost_serve`` declines permessage-deflate, as the Socket.IO
server does), and the ASGI ``websocket.http.response`` extension is not offered: a handshake
the application refuses is a 403, as Channels' ``WebsocketDenier`` sends it. The classes set
up uvicorn's attributes themselves, so another uvicorn release than :data:`UVICORN` keeps
uvicorn's own protocols (see :func:`protocols`).
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import hashlib
import logging
import struct
from typing import Any
from urllib.parse import unquote

import httptools
from uvicorn.protocols.http.httptools_impl import STATUS_LINE
from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol as UvicornHttpToolsProtocol
from uvicorn.protocols.utils import ClientDisconnected, get_client_addr, get_path_with_query_string
from uvicorn.protocols.websockets.websockets_sansio_impl import WebSocketsSansIOProtocol
from websockets.protocol import OPEN
from websockets.server import ServerProtocol

UVICORN = "0.54."  # WebSocketProtocol sets up WebSocketsSansIOProtocol's attributes itself
GUID = b"258EAFA5-E914-47DA-95CA-C5AB0DC85B11"  # RFC 6455, 1.3


class WarningsOnly(logging.LoggerAdapter):
    """``uvicorn.error`` from WARNING up: INFO and below are dropped before a record is made
    (``agnost_serve --no-access-log``: a log record per socket was a tenth of a handshake)."""

    level = logging.WARNING  # uvicorn reads ``logger.level`` before its TRACE lines

    def isEnabledFor(self, level: int) -> bool:
        return level >= logging.WARNING and self.logger.isEnabledFor(level)

    def info(self, msg, *args, **kwargs) -> None:  # one line per socket: the cheapest no-op
        pass

    debug = info


class HttpToolsProtocol(UvicornHttpToolsProtocol):
    def handle_websocket_upgrade(self) -> None:
        self.connections.discard(self)
        protocol = self.ws_protocol_class(config=self.config, server_state=self.server_state,
                                          app_state=self.app_state)
        self.transport.set_protocol(protocol)
        protocol.upgrade(self.transport, self.scope, self.url, self.server, self.client)


class WebSocketProtocol(WebSocketsSansIOProtocol):
    quiet = False  # QuietWebSocketProtocol: no INFO line per socket

    def __init__(self, config, server_state, app_state, _loop=None) -> None:
        # WebSocketsSansIOProtocol.__init__ without a connection waiting for its handshake.
        self.config = config
        self.app = config.loaded_app
        self.loop = _loop or asyncio.get_event_loop()
        uvicorn_logger = logging.getLogger("uvicorn.error")
        self.logger = WarningsOnly(uvicorn_logger, {}) if self.quiet else uvicorn_logger
        self.root_path = config.root_path
        self.asgi_version = config.asgi_version
        self.app_state = app_state
        self.connections = server_state.connections
        self.tasks = server_state.tasks
        self.default_headers = server_state.default_headers
        self.transport = None
        self.server = self.client = self.scheme = None
        self.queue: asyncio.Queue = asyncio.Queue()
        self.handshake_initiated = self.handshake_complete = False
        self.close_sent = self.disconnected = False
        self.close_timer = None
        self.close_timeout = 10.0
        self.initial_response = None
        self.conn = ServerProtocol(state=OPEN, max_size=config.ws_max_size, logger=self.logger)
        self.read_paused = False
        self.writable = asyncio.Event()
        self.writable.set()
        self.ping_interval, self.ping_timeout = config.ws_ping_interval, config.ws_ping_timeout
        self.ping_timer = self.pong_timer = self.pending_ping_payload = None
        self.ping_sent_at = self.last_ping_rtt = 0.0
        self.frames: list[bytes] = []
        self.curr_msg_data_type = "bytes"
        self.corked: list[bytes] = []  # data frames to write at the end of this loop turn

    def connection_made(self, transport) -> None:  # only ever reached through upgrade()
        raise RuntimeError("WebSocketProtocol is reached through agnost's HttpToolsProtocol")

    def upgrade(self, transport, http_scope: dict, url: bytes, server, client) -> None:
        """Take over the connection of an upgrade request (its HTTP scope without the path,
        headers lowercased by httptools, and its request target): refuse a handshake that is
        not RFC 6455's, else start the application."""
        self.connections.add(self)
        self.transport = transport
        self.server, self.client = server, client
        self.scheme = "wss" if http_scope["scheme"] == "https" else "ws"
        self.handshake_initiated = True
        keys, versions, subprotocols = [], [], []
        for name, value in http_scope["headers"]:
            if name == b"sec-websocket-key":
                keys.append(value)
            elif name == b"sec-websocket-version":
                versions.append(value)
            elif name == b"sec-websocket-protocol":
                subprotocols.extend(token.strip() for token in value.decode("latin-1").split(",") if token.strip())
        if http_scope["method"] != "GET":
            self.refuse(405, f"unsupported HTTP method: {http_scope['method']}", [(b"allow", b"GET")])
            return
        if versions != [b"13"]:
            self.refuse(426, "unsupported Sec-WebSocket-Version; expected 13", [(b"Sec-WebSocket-Version", b"13")])
            return
        problem = _request_problem(http_scope, keys)
        try:
            target = httptools.parse_url(url)
            path = target.path.decode("ascii")
        except (httptools.HttpParserInvalidURLError, UnicodeDecodeError):
            problem = problem or "invalid request target"
        if problem:
            self.refuse(400, problem)
            return
        self.accept_key = base64.b64encode(hashlib.sha1(keys[0] + GUID).digest())
        self.scope = {
            "type": "websocket",
            "asgi": {"version": self.asgi_version, "spec_version": "2.4"},
            "http_version": "1.1",
            "scheme": self.scheme,
            "server": server,
            "client": client,
            "root_path": self.root_path,
            "path": self.root_path + (unquote(path) if "%" in path else path),
            "raw_path": self.root_path.encode("ascii") + target.path,
            "query_string": target.query or b"",
            "headers": http_scope["headers"],
            "subprotocols": subprotocols,
            "state": self.app_state.copy(),
        }
        self.queue.put_nowait({"type": "websocket.connect"})
        task = self.loop.create_task(self.run_asgi())
        task.add_done_callback(self.on_task_complete)
        self.tasks.add(task)

    def refuse(self, status: int, reason: str, headers: list[tuple[bytes, bytes]] = ()) -> None:
        """An HTTP error instead of the handshake, then the connection is closed."""
        self.handshake_complete = self.close_sent = True
        body = f"Failed to open a WebSocket connection: {reason}.\n".encode()
        self.transport.write(self.response(status, [
            *headers, (b"content-type", b"text/plain; charset=utf-8"),
            (b"content-length", str(len(body)).encode()), (b"connection", b"close")]) + body)
        self.transport.close()

    def uncork(self) -> None:
        if self.corked:
            data = b"".join(self.corked)
            self.corked.clear()
            if not self.transport.is_closing():
                self.transport.write(data)

    def response(self, status: int, headers) -> bytes:
        lines = [STATUS_LINE[status]]
        for name, value in (*self.default_headers, *headers):
            lines.append(b"%s: %s\r\n" % (name, value))
        lines.append(b"\r\n")
        return b"".join(lines)

    def send_500_response(self) -> None:
        if not self.handshake_complete:
            self.refuse(500, "the server failed")

    async def send(self, message: dict[str, Any]) -> None:
        if self.handshake_complete:
            if message["type"] == "websocket.send" and not self.close_sent and self.conn.state is OPEN:
                # A data frame is framed here (a server's frames are not masked) and written
                # with the others the application sends in this turn of the event loop: one
                # system call for a socket's share of a burst, not one per frame.
                if not self.writable.is_set():
                    await self.writable.wait()
                if self.disconnected:
                    raise ClientDisconnected()
                text = message.get("text")
                data = message.get("bytes")
                if data is not None:
                    self.corked.append(frame(0x82, data))
                elif text is not None:
                    self.corked.append(frame(0x81, text.encode()))
                if len(self.corked) == 1:
                    self.loop.call_soon(self.uncork)
                return
            self.uncork()  # what waits goes first
            return await super().send(message)
        await self.writable.wait()
        if self.disconnected:
            raise ClientDisconnected()
        kind = message["type"]
        if kind == "websocket.accept":
            self.logger.info('%s - "WebSocket %s" [accepted]', get_client_addr(self.scope),
                             get_path_with_query_string(self.scope))
            headers = [(b"upgrade", b"websocket"), (b"connection", b"Upgrade"),
                       (b"sec-websocket-accept", self.accept_key), *message.get("headers", ())]
            if message.get("subprotocol"):
                headers.append((b"sec-websocket-protocol", message["subprotocol"].encode("latin-1")))
            if not self.transport.is_closing():
                self.handshake_complete = True
                self.transport.write(self.response(101, headers))
                self.logger.info("connection open")  # as the websockets library logs it
                self.start_keepalive()
        elif kind == "websocket.close":
            self.queue.put_nowait({"type": "websocket.disconnect", "code": 1006})
            self.logger.info('%s - "WebSocket %s" 403', get_client_addr(self.scope),
                             get_path_with_query_string(self.scope))
            self.handshake_complete = self.close_sent = True
            self.transport.write(self.response(403, [(b"content-length", b"0"), (b"connection", b"close")]))
            self.transport.close()
        else:
            raise RuntimeError(f"Expected ASGI message 'websocket.accept' or 'websocket.close', but got {kind!r}.")


class QuietWebSocketProtocol(WebSocketProtocol):
    quiet = True


def frame(first_byte: int, payload: bytes) -> bytes:
    """A server's unfragmented, unmasked frame (RFC 6455, 5.2): FIN and the opcode, then the
    payload's length in 7, 7 + 16 or 7 + 64 bits."""
    size = len(payload)
    if size < 126:
        return bytes((first_byte, size)) + payload
    if size < 65536:
        return struct.pack("!BBH", first_byte, 126, size) + payload
    return struct.pack("!BBQ", first_byte, 127, size) + payload


def _request_problem(http_scope: dict, keys: list[bytes]) -> str:
    if http_scope["http_version"] != "1.1":
        return f"unsupported protocol; expected HTTP/1.1; got HTTP/{http_scope['http_version']}"
    if len(keys) != 1:
        return "missing Sec-WebSocket-Key header" if not keys else "more than one Sec-WebSocket-Key header"
    try:
        raw = base64.b64decode(keys[0], validate=True)
    except binascii.Error:
        raw = b""
    if len(raw) != 16:
        return "invalid Sec-WebSocket-Key header"
    return ""


def protocols(*, quiet: bool) -> dict[str, type]:
    """uvicorn.Config's ``http`` and ``ws`` for agnost_serve. Another uvicorn release than the
    one these classes were written against (:data:`UVICORN`) keeps uvicorn's own protocols."""
    import uvicorn

    if not uvicorn.__version__.startswith(UVICORN):
        return {}
    return {"http": HttpToolsProtocol, "ws": QuietWebSocketProtocol if quiet else WebSocketProtocol}
