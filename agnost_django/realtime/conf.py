"""Settings of the realtime module (``AGNOST_REALTIME_*``), read at use time."""

from __future__ import annotations

from agnost_django.core.conf import APISettings


class RealtimeSettings(APISettings):
    prefix = "AGNOST_REALTIME_"

    @property
    def ENABLED(self) -> bool:
        """Off: websocket connections are refused and the server library and REST answer
        ``realtime_not_enabled``."""
        return self._get("ENABLED", True)

    @property
    def ADAPTER(self) -> type:
        """The policy class (who may connect, join, send, see members)."""
        return self._import("ADAPTER", "agnost_django.realtime.adapter.DefaultRealtimeAdapter")

    @property
    def CHANNEL_LAYER(self) -> str:
        """Alias of ``settings.CHANNEL_LAYERS`` that carries messages between processes."""
        return self._get("CHANNEL_LAYER", "default")

    @property
    def PRESENCE_CACHE(self) -> str:
        """``CACHES`` alias holding channel members: a django-redis cache is shared by every
        process; any other cache keeps members in the process (one-process servers only)."""
        return self._get("PRESENCE_CACHE", "default")

    @property
    def PRESENCE_TTL(self) -> float:
        """Seconds after its last heartbeat that a member of a crashed process disappears."""
        return self._get("PRESENCE_TTL", 60)

    @property
    def HEARTBEAT_INTERVAL(self) -> float:
        """Seconds between a connection's presence refreshes (keep well below the TTL)."""
        return self._get("HEARTBEAT_INTERVAL", 20)

    @property
    def PING_INTERVAL(self) -> int:
        """Engine.IO ``pingInterval`` in milliseconds."""
        return self._get("PING_INTERVAL", 25000)

    @property
    def PING_TIMEOUT(self) -> int:
        """Engine.IO ``pingTimeout`` in milliseconds: a client silent this long after a ping
        is disconnected."""
        return self._get("PING_TIMEOUT", 20000)

    @property
    def MAX_PAYLOAD(self) -> int:
        """Largest websocket frame accepted, in bytes (Engine.IO ``maxPayload``)."""
        return self._get("MAX_PAYLOAD", 1_000_000)

    @property
    def FRAME_RATE(self) -> float | None:
        """Websocket frames per second a connection may send, on average (the refill rate of
        its token bucket). Frames beyond it are dropped and the sender gets one
        ``agnost:error`` ``rate_limit_exceeded``; ``None`` turns the limit off."""
        return self._get("FRAME_RATE", 100)

    @property
    def FRAME_BURST(self) -> int:
        """Frames a connection may send at once above ``FRAME_RATE`` (the bucket's size). A
        connection that goes on sending this many more frames while limited is closed
        (websocket code 1008). Room for what the altogic client sends at once on a reconnect:
        its joins again (``autoJoinChannels``) and the messages it buffered (``bufferMessages``)."""
        return self._get("FRAME_BURST", 500)

    @property
    def GET_MEMBERS_TIMEOUT(self) -> float:
        """Seconds before ``get_members`` gives up with ``get_channel_members_error``."""
        return self._get("GET_MEMBERS_TIMEOUT", 5)

    @property
    def SEND_BUFFER(self) -> int:
        """Frames that may wait to be sent to one socket; a reader that falls further behind
        is disconnected (close code 1013) instead of holding the others up or growing memory."""
        return self._get("SEND_BUFFER", 1000)

    @property
    def RESUMABLE_CHANNELS(self) -> list[str]:
        """Channel names (shell patterns: ``"chat-*"``) whose messages are numbered and kept,
        so that a client reconnecting within ``RESUME_WINDOW`` gets what it missed."""
        return self._get("RESUMABLE_CHANNELS", [])

    @property
    def RESUME_WINDOW(self) -> float:
        """Seconds a resumable channel's message is kept."""
        return self._get("RESUME_WINDOW", 300)

    @property
    def RESUME_SIZE(self) -> int:
        """Messages kept per resumable channel (the oldest go first)."""
        return self._get("RESUME_SIZE", 1000)


realtime_settings = RealtimeSettings()
