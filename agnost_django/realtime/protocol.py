"""Engine.IO 4 / Socket.IO 5 frames over a websocket (the subset socket.io-client 4 uses).

A websocket text frame is an Engine.IO packet: its first character is the type (``0`` open,
``1`` close, ``2`` ping, ``3`` pong, ``4`` message, ``6`` noop), the rest its data. A
message's data is a Socket.IO packet: a type digit (``0`` CONNECT, ``1`` DISCONNECT, ``2``
EVENT, ``3`` ACK, ``4`` CONNECT_ERROR, ``5`` BINARY_EVENT, ``6`` BINARY_ACK), for binary
packets the attachment count and ``-``, an optional ``/namespace,``, an optional ack id, then
JSON. Binary attachments follow as binary websocket frames, referenced in the JSON by
``{"_placeholder": true, "num": n}``.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any

from agnost_django.core.wire import json_default

OPEN, CLOSE, PING, PONG, MESSAGE, UPGRADE, NOOP = "0123456"
CONNECT, DISCONNECT, EVENT, ACK, CONNECT_ERROR, BINARY_EVENT, BINARY_ACK = range(7)

_HEADER = re.compile(r"^(\d)(?:(\d+)-)?(?:(/[^,]*),)?(\d+)?")


class ProtocolError(ValueError):
    pass


@dataclass
class Packet:
    type: int
    data: Any = None
    namespace: str = "/"
    id: int | None = None
    attachments: int = 0
    buffers: list[bytes] = field(default_factory=list)

    @property
    def complete(self) -> bool:
        return len(self.buffers) >= self.attachments

    def reconstruct(self) -> Any:
        """The data with its placeholders replaced by the received binary attachments."""
        return _fill(self.data, self.buffers)


def decode(text: str) -> Packet:
    """A Socket.IO packet from the data of an Engine.IO message."""
    match = _HEADER.match(text)
    if not match:
        raise ProtocolError("not a Socket.IO packet")
    kind = int(match.group(1))
    if kind > BINARY_ACK:
        raise ProtocolError("unknown Socket.IO packet type")
    rest = text[match.end():]
    data = None
    if rest:
        try:
            data = json.loads(rest)
        except (ValueError, RecursionError):
            raise ProtocolError("invalid JSON in the packet") from None
    attachments = int(match.group(2) or 0)
    if attachments > 16:
        raise ProtocolError("too many attachments")
    return Packet(kind, data, match.group(3) or "/", int(match.group(4)) if match.group(4) else None, attachments)


def encode(kind: int, data: Any = None, *, namespace: str = "/", id: int | None = None) -> list[str | bytes]:
    """The websocket frames of one Socket.IO packet: a text frame, then any binary
    attachments (``bytes`` anywhere in ``data`` make it a binary packet)."""
    buffers: list[bytes] = []
    data = _extract(data, buffers)
    if buffers:
        kind = BINARY_EVENT if kind == EVENT else BINARY_ACK if kind == ACK else kind
    head = MESSAGE + str(kind)
    if buffers:
        head += f"{len(buffers)}-"
    if namespace != "/":
        head += namespace + ","
    if id is not None:
        head += str(id)
    if data is not None:
        head += json.dumps(data, separators=(",", ":"), ensure_ascii=False, default=json_default)
    return [head, *buffers]


def event(name: str, *args: Any) -> list[str | bytes]:
    return encode(EVENT, [name, *args])


def _extract(data: Any, buffers: list[bytes]) -> Any:
    if isinstance(data, (bytes, bytearray, memoryview)):
        buffers.append(bytes(data))
        return {"_placeholder": True, "num": len(buffers) - 1}
    if isinstance(data, list):
        return [_extract(item, buffers) for item in data]
    if isinstance(data, tuple):
        return [_extract(item, buffers) for item in data]
    if isinstance(data, dict):
        return {key: _extract(value, buffers) for key, value in data.items()}
    return data


def _fill(data: Any, buffers: list[bytes]) -> Any:
    if isinstance(data, dict):
        if data.get("_placeholder") is True and isinstance(data.get("num"), int) and len(data) == 2:
            if not 0 <= data["num"] < len(buffers):
                raise ProtocolError("attachment placeholder out of range")
            return buffers[data["num"]]
        return {key: _fill(value, buffers) for key, value in data.items()}
    if isinstance(data, list):
        return [_fill(item, buffers) for item in data]
    return data
