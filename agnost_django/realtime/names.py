"""Channel and event names, and the channel-layer groups they map to.

Channel-layer group names allow only ASCII letters, digits, ``-``, ``_`` and ``.`` and fewer
than 100 characters, so a channel's group is a hash of its name; the readable name travels in
the message."""

from __future__ import annotations

import hashlib
from typing import Any

from agnost_django.realtime.exceptions import InvalidChannel, InvalidEventName

MAX_CHANNEL = 256
MAX_EVENT = 128
RESERVED_EVENTS = frozenset({"connect", "connect_error", "disconnect", "disconnecting", "newListener",
                             "removeListener", "error"})
RESERVED_PREFIXES = ("channel:", "user:", "agnost:")

ALL = "agnost.all"


def channel_group(channel: str) -> str:
    return "agnost.ch." + hashlib.sha256(channel.encode()).hexdigest()[:48]


def user_group(user_pk: Any) -> str:
    return "agnost.user." + hashlib.sha256(str(user_pk).encode()).hexdigest()[:48]


def clean_channel(value: Any) -> str:
    if not isinstance(value, str) or not value.strip() or len(value) > MAX_CHANNEL:
        raise InvalidChannel(details={"channel": value if isinstance(value, (str, int, float, type(None))) else None})
    return value


def clean_event(value: Any, *, from_client: bool) -> str:
    """Clients may not use Socket.IO's reserved names, nor spoof ``channel:*``, ``user:*`` and
    ``agnost:*`` notifications; server code may send any non-reserved name."""
    if not isinstance(value, str) or not value or len(value) > MAX_EVENT or value in RESERVED_EVENTS:
        raise InvalidEventName(details={"eventName": value if isinstance(value, str) else None})
    if from_client and value.startswith(RESERVED_PREFIXES):
        raise InvalidEventName("Events named channel:*, user:* or agnost:* are sent by the server only.",
                               details={"eventName": value})
    return value
