"""The ``/socket.io/`` websocket: Engine.IO 4 / Socket.IO 5 in a Channels consumer.

One consumer per connection. After the Engine.IO open frame the client sends CONNECT with its
``auth`` (client key, ``Session``, ``echoMessages``); the consumer checks them, joins the
channel-layer groups of everyone and of its user, and answers with its socket id. Client
events (``join``, ``leave``, ``update``, ``message``) become channel-layer group messages;
group messages become ``42[...]`` frames, filtered by echo. Membership and profiles are in
:mod:`.presence`, refreshed on every heartbeat and pinged on time by the hub's clock (one
per process); the hub re-adds its process to its layer groups hourly, because channels_redis
forgets a group member after ``group_expiry``.

Every frame a client sends takes a token from the connection's bucket (``FRAME_RATE`` per
second, ``FRAME_BURST`` at most): a frame finding it empty is dropped unread, the first drop
of a spell is answered with one ``agnost:error`` ``rate_limit_exceeded``, and a client that
goes on for ``FRAME_BURST`` more drops is closed (1008). Dropping costs no parsing, so a
flooding socket cannot starve the others of the process.
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import secrets
import time
from typing import Any
from urllib.parse import parse_qs

from channels.exceptions import StopConsumer
from channels.generic.websocket import AsyncWebsocketConsumer
from django.core.exceptions import SynchronousOnlyOperation

from agnost_django.core import requestlog
from agnost_django.core.exceptions import AgnostAPIError, error_item
from agnost_django.core.wire import to_json_deep
from agnost_django.realtime import history, names, protocol, services, threads
from agnost_django.realtime.adapter import DefaultRealtimeAdapter, get_adapter
from agnost_django.realtime.conf import realtime_settings
from agnost_django.realtime.exceptions import (
    ChannelNotAllowed,
    ChannelNotResumable,
    FrameRateExceeded,
    InvalidResumePoint,
    RealtimeNotEnabled,
)
from agnost_django.realtime.hub import SendBuffer, frames_of, get_hub, send_events
from agnost_django.realtime.presence import get_presence
from agnost_django.realtime.security import is_own_origin

logger = logging.getLogger("agnost_django.realtime")


PING = [{"type": "websocket.send", "text": protocol.PING}]
# DJANGO_ALLOW_ASYNC_UNSAFE lifts Django's guard that sends the checks to a thread when they
# need the database: then they always take the thread.
INLINE_CHECKS = not os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")


def _sid() -> str:
    return secrets.token_urlsafe(15)


def _connect_error(exc: AgnostAPIError) -> str:
    body = {"message": exc.message, "data": exc.as_item()}
    return protocol.MESSAGE + str(protocol.CONNECT_ERROR) + json.dumps(body, separators=(",", ":"))


class SocketIOConsumer(AsyncWebsocketConsumer):
    groups: list[str] = []
    closing = False  # set by close(): frames still arriving are ignored

    # No layer channel per socket: the process's hub (hub.py) receives each message once, on
    # AGNOST_REALTIME_CHANNEL_LAYER, and hands it to its sockets.
    channel_layer_alias = None

    def deliver(self, frames: list[dict], channel: str | None = None, seq: int | None = None) -> None:
        """Frames from the hub, sent in order through the bounded buffer. A resumable
        channel's message (``seq``) waits while that channel is being replayed, and its
        number is remembered so that a later replay does not send it twice."""
        if seq is not None:
            held = self.holding.get(channel)
            if held is not None:
                held.append((seq, frames))
                return
            seen = self.live_seqs.get(channel)
            if seen is not None and len(seen) < self.resume_size:
                seen.add(seq)  # bounded (a resume long after joining may then repeat some)
        self.outbox.put(frames)

    async def connect(self) -> None:
        self.started = time.perf_counter()  # the handshake's, for the request log
        self.client_key_name = ""
        query = parse_qs(self.scope.get("query_string", b"").decode())
        if query.get("EIO") != ["4"] or query.get("transport") != ["websocket"]:
            await self.close(code=4400)  # only Engine.IO 4 over websocket (what socket.io-client 4 uses)
            requestlog.record_websocket(self.scope, status=400, started=self.started,
                                        operation="realtime.connect", error_code="unsupported_transport")
            return
        self.sid: str | None = None
        self.user = None
        self.echo_default = True
        self.channels: dict[str, bool] = {}  # joined channel -> True
        self.live_seqs: dict[str, set[int]] = {}  # resumable channel -> numbers delivered since joining
        self.holding: dict[str, list[tuple[int, list]]] = {}  # channel being replayed -> live frames
        self.resume_size = realtime_settings.RESUME_SIZE
        # Joins, leaves and heartbeats change presence one at a time: a heartbeat that read the
        # channels before a leave must not put the leaver back after it.
        self.presence_lock = asyncio.Lock()
        self.profile: Any = None
        self.pending: protocol.Packet | None = None
        now = asyncio.get_running_loop().time()
        self.next_ping = now + realtime_settings.PING_INTERVAL / 1000
        self.pong_due: float | None = None  # while a ping waits for its pong
        self.next_beat = now + realtime_settings.HEARTBEAT_INTERVAL
        self.hub = get_hub()
        self.outbox = SendBuffer(self.base_send, self._close_slow)
        self.frame_rate = realtime_settings.FRAME_RATE
        self.frame_burst = realtime_settings.FRAME_BURST
        self.tokens = float(self.frame_burst)
        self.tokens_at = time.monotonic()
        self.dropped = 0  # frames dropped since the bucket was last full
        await self.accept()
        await self.send(protocol.OPEN + json.dumps({
            "sid": _sid(), "upgrades": [], "pingInterval": realtime_settings.PING_INTERVAL,
            "pingTimeout": realtime_settings.PING_TIMEOUT, "maxPayload": realtime_settings.MAX_PAYLOAD,
        }, separators=(",", ":")))
        self.hub.watch(self)

    async def __call__(self, scope, receive, send):
        # Channels' consumer loop, without a layer channel (the hub listens for the process)
        # and without a task per message read (await_many_dispatch's).
        self.scope, self.channel_layer, self.base_send = scope, None, send
        try:
            while True:
                await self.dispatch(await receive())
                await asyncio.sleep(0)  # a socket with frames queued must not starve the others
        except StopConsumer:
            pass
        finally:
            # When the client is already gone, sending to it raises out of the consumer
            # (uvicorn's ClientDisconnected) and ``disconnect`` is never called.
            await self._cleanup()

    async def dispatch(self, message):
        # Channels runs close_old_connections() on the shared sync thread before every handler:
        # half of the fan-out CPU (bench/realtime_bench.py). This consumer touches the database
        # only through threads.run(..., database=True), which does that hygiene itself.
        from channels.consumer import get_handler_name

        handler = getattr(self, get_handler_name(message), None)
        if handler is None:
            raise ValueError(f"No handler for message type {message['type']}")
        await handler(message)

    async def websocket_disconnect(self, message):
        # Channels' own also awaits close_old_connections() on the shared sync thread: a hop
        # per socket closed, for a consumer that reaches the database only through
        # threads.run(..., database=True) (which does that hygiene itself).
        await self.disconnect(message.get("code"))
        raise StopConsumer()

    async def disconnect(self, code: int) -> None:
        await self._cleanup()

    async def _cleanup(self) -> None:
        """Idempotent: stop the pings, leave every channel (telling the others), leave the groups."""
        if getattr(self, "hub", None) is not None:
            self.hub.unwatch(self)
        if getattr(self, "outbox", None) is not None:
            self.outbox.cancel()
        if getattr(self, "sid", None) and not getattr(self, "cleaned", False):
            self.cleaned = True
            await self._leave_everything()

    # -- frames ---------------------------------------------------------------------------

    async def receive(self, text_data: str | None = None, bytes_data: bytes | None = None) -> None:
        if self.closing:
            return
        if self.frame_rate and not self._take_token():
            await self._limited()
            return
        size = len(text_data.encode()) if text_data is not None else len(bytes_data or b"")
        if size > realtime_settings.MAX_PAYLOAD:
            await self.close(code=1009)
            return
        if bytes_data is not None:
            await self._attachment(bytes_data)
            return
        if not text_data:
            return
        kind, data = text_data[0], text_data[1:]
        if kind == protocol.PONG:
            self.pong_due = None
        elif kind == protocol.PING:
            await self.send(protocol.PONG + data)
        elif kind == protocol.MESSAGE:
            try:
                packet = protocol.decode(data)
            except protocol.ProtocolError:
                await self.close(code=1003)
                return
            if packet.attachments:
                self.pending = packet
                return
            await self._packet(packet)
        elif kind == protocol.CLOSE:
            await self.close()

    def _take_token(self) -> bool:
        """The token bucket: True when this frame may be read."""
        now = time.monotonic()
        self.tokens = min(self.frame_burst, self.tokens + (now - self.tokens_at) * self.frame_rate)
        self.tokens_at = now
        if self.tokens >= self.frame_burst:
            self.dropped = 0  # calm again: a later excess is told again
        if self.tokens >= 1:
            self.tokens -= 1
            return True
        self.dropped += 1
        return False

    async def _limited(self) -> None:
        """A dropped frame: tell the client once per spell, close it if it goes on."""
        if self.dropped == 1:
            error = FrameRateExceeded(details={"frameRate": self.frame_rate, "frameBurst": self.frame_burst})
            await self.send_frames(protocol.event("agnost:error", {"event": None, "errors": error.as_items()}))
        elif self.dropped > self.frame_burst:
            logger.warning("realtime: closing %s, which kept sending over %s frames/s", self.sid, self.frame_rate)
            await self.close(code=1008)

    async def close(self, code=None, reason=None) -> None:
        self.closing = True
        await super().close(code=code, reason=reason)

    async def _attachment(self, data: bytes) -> None:
        packet = self.pending
        if packet is None:
            await self.close(code=1003)
            return
        packet.buffers.append(data)
        if packet.complete:
            self.pending = None
            try:
                packet.data = packet.reconstruct()
            except protocol.ProtocolError:
                await self.close(code=1003)
                return
            await self._packet(packet)

    async def send_frames(self, frames: list[str | bytes]) -> None:
        for frame in frames:
            await self._send_frame(frame)

    def tick(self, now: float) -> None:
        """Called by the hub's clock: ping when due (a client that has not answered the last
        ping within ``PING_TIMEOUT`` is closed), and refresh presence when due."""
        if self.closing:
            return
        if self.pong_due is not None and now >= self.pong_due:
            self.pong_due = None
            self.hub.loop.create_task(self.close())
            return
        if now >= self.next_ping and self.pong_due is None:
            self.next_ping = now + realtime_settings.PING_INTERVAL / 1000
            self.pong_due = now + realtime_settings.PING_TIMEOUT / 1000
            self.outbox.put(PING)
        if now >= self.next_beat:
            self.next_beat = now + realtime_settings.HEARTBEAT_INTERVAL
            if self.sid and self.channels:
                self.hub.loop.create_task(self._heartbeat())

    # -- Socket.IO packets ---------------------------------------------------------------

    async def _packet(self, packet: protocol.Packet) -> None:
        if packet.type == protocol.CONNECT:
            await self._connect_namespace(packet)
        elif self.sid is None:
            return  # nothing but CONNECT before the namespace is joined
        elif packet.type in (protocol.EVENT, protocol.BINARY_EVENT):
            await self._event(packet)
        elif packet.type == protocol.DISCONNECT:
            await self._cleanup()  # the client closes the socket right after sending this
            await self.close()

    async def _connect_namespace(self, packet: protocol.Packet) -> None:
        if packet.namespace != "/":
            body = {"message": "Invalid namespace", "data": error_item(400, "invalid_namespace", "Invalid namespace")}
            await self.send(protocol.MESSAGE + "4" + packet.namespace + "," + json.dumps(body))
            return
        if self.sid is not None:
            await self.send(protocol.MESSAGE + "0" + json.dumps({"sid": self.sid}))
            return
        auth = packet.data if isinstance(packet.data, dict) else {}
        try:
            self.user = await self._checked_user(auth)
        except AgnostAPIError as exc:
            await self.send(_connect_error(exc))
            requestlog.record_websocket(self.scope, status=exc.status_code, started=self.started,
                                        operation="realtime.connect", error_code=exc.code,
                                        client_key_name=getattr(getattr(exc, "client_key", None), "name", ""))
            return
        self.echo_default = auth.get("echoMessages") if isinstance(auth.get("echoMessages"), bool) else True
        self.sid = _sid()
        self.groups_joined = [names.ALL]
        if self.user is not None:
            self.groups_joined.append(names.user_group(self.user.pk))
        for group in self.groups_joined:
            await self.hub.add(group, self)
        await self.send(protocol.MESSAGE + "0" + json.dumps({"sid": self.sid}))
        requestlog.record_websocket(self.scope, status=101, started=self.started, operation="realtime.connect",
                                    client_key_name=self.client_key_name, user=self.user)

    async def _checked_user(self, auth: dict[str, Any]):
        """:meth:`_authenticate`, on the event loop when what it reads is in this process's
        caches (a key and a session seen lately: no thread hop, the most of a handshake's
        checks), else in a thread: Django refuses database access on the loop
        (``SynchronousOnlyOperation``), and a custom ``can_connect`` always takes a thread."""
        if INLINE_CHECKS:
            try:
                return self._authenticate(auth, inline=True)
            except SynchronousOnlyOperation:
                pass
        return await threads.run(self._authenticate, auth, database=True)

    def _authenticate(self, auth: dict[str, Any], inline: bool = False):
        from agnost_django.core.services import check_client_key

        if not realtime_settings.ENABLED:
            raise RealtimeNotEnabled()
        headers = dict(self.scope.get("headers") or [])
        origin = headers.get(b"origin", b"").decode() or None
        key = check_client_key(auth.get("clientKey") if isinstance(auth.get("clientKey"), str) else None,
                               operation="realtime.connect", origin=origin)
        self.client_key_name = key.name
        if origin and not key.allowed_origins and not is_own_origin(origin):
            # A browser page of another site: only a key that lists that site may be used.
            from agnost_django.core.exceptions import DomainNotAuthorized

            raise DomainNotAuthorized(details={"origin": origin})
        token = auth.get("Session", auth.get("session"))  # the client sends "Session", Agnost read "session"
        user = _session_user(token) if token else None
        adapter = get_adapter()
        if inline and type(adapter).can_connect is not DefaultRealtimeAdapter.can_connect:
            raise SynchronousOnlyOperation("a custom can_connect runs in a thread")
        if not adapter.can_connect(user, auth):
            from agnost_django.core.exceptions import OperationNotAllowed

            raise OperationNotAllowed("The connection is not allowed.")
        return user

    async def _event(self, packet: protocol.Packet) -> None:
        data = packet.data
        if not isinstance(data, list) or not data or not isinstance(data[0], str):
            return
        name, args = data[0], data[1:]
        payload = args[0] if args and isinstance(args[0], dict) else {}
        handler = {"join": self._join, "leave": self._leave, "update": self._update, "message": self._message}.get(name)
        try:
            if handler is None:
                raise names.InvalidEventName(f"Unknown event {name!r}.", details={"eventName": name})
            await handler(payload)
        except AgnostAPIError as exc:
            if packet.id is not None:
                await self.send_frames(protocol.encode(protocol.ACK, [{"errors": exc.as_items()}], id=packet.id))
            else:
                await self.send_frames(protocol.event("agnost:error", {"event": name, "errors": exc.as_items()}))
            return
        if packet.id is not None:
            await self.send_frames(protocol.encode(protocol.ACK, [None], id=packet.id))

    def _echo(self, payload: dict[str, Any]) -> bool:
        echo = payload.get("echo")
        return echo if isinstance(echo, bool) else self.echo_default

    async def _join(self, payload: dict[str, Any], since: int | None = None) -> None:
        """``since``: a resume point already checked (``agnost:resume``'s); else the
        payload's, if it has one."""
        channel = names.clean_channel(payload.get("channel"))
        if since is None and "since" in payload:
            since = _since(channel, payload)
        if not await threads.run(get_adapter().can_join, self.user, channel, database=True):
            raise ChannelNotAllowed(details={"channel": channel})
        async with self.presence_lock:
            new = await threads.run(get_presence().join, channel, self.sid, to_json_deep(self.profile))
            self.channels[channel] = True
        resumable = history.is_resumable(channel)
        if resumable:
            self.live_seqs.setdefault(channel, set())
        if since is not None:
            self.holding.setdefault(channel, [])  # live messages wait for the replay
        await self.hub.add(names.channel_group(channel), self, channel if resumable else None)
        if new:  # join is idempotent: no second notification
            await self._notify(channel, "channel:join", self._echo(payload))
        if since is not None:
            await self._replay(channel, since)

    async def _resume(self, payload: dict[str, Any]) -> None:
        """``send(channel, "agnost:resume", {since})``: the altogic client's way to join a
        resumable channel with ``since`` (its ``join`` cannot carry it); on a channel joined
        already, the kept messages after ``since`` that this connection has not had."""
        channel = names.clean_channel(payload.get("channel"))
        message = payload.get("message")
        since = _since(channel, message if isinstance(message, dict) else {})
        if channel not in self.channels:
            await self._join({"channel": channel, "echo": payload.get("echo")}, since=since)
            return
        self.holding.setdefault(channel, [])
        await self._replay(channel, since)

    async def _replay(self, channel: str, since: int) -> None:
        """Send the kept messages after ``since`` that this connection has not had yet, then
        ``channel:resume`` ``{since, last, replayed, complete}``, then the live messages that
        arrived meanwhile; ``complete`` is false when some were no longer kept."""
        replayed: set[int] = set()
        try:
            replay = await history.asince(channel, since)
            seen = self.live_seqs.get(channel, set())
            for seq, message in replay.messages:
                if seq in seen or not message.get("echo", True) and message.get("sender") == self.sid:
                    continue
                replayed.add(seq)
                self.outbox.put(send_events(frames_of({**message, "seq": seq})))
            self.outbox.put(send_events(protocol.event("channel:resume", {"channel": channel, "message": {
                "since": since, "last": replay.last, "replayed": len(replayed), "complete": replay.complete}})))
        finally:
            for seq, frames in self.holding.pop(channel, []):
                if seq not in replayed:
                    self.deliver(frames, channel, seq)

    async def _leave(self, payload: dict[str, Any]) -> None:
        channel = names.clean_channel(payload.get("channel"))
        async with self.presence_lock:
            if self.channels.pop(channel, None) is None:
                return  # leaving a channel one is not in is a no-op
            self.live_seqs.pop(channel, None)
            await threads.run(get_presence().leave, channel, self.sid)
        # The others through the layer; the leaver, if echoed, directly: it leaves the hub's
        # group before the layer brings the notification back.
        await self._notify(channel, "channel:leave", False)
        if self._echo(payload):
            self.deliver(send_events(frames_of(services.event_message(
                "channel:leave", channel, {"id": self.sid, "data": self.profile}))))
        await self.hub.discard(names.channel_group(channel), self)

    async def _update(self, payload: dict[str, Any]) -> None:
        self.profile = payload.get("data")
        async with self.presence_lock:
            if self.channels:
                await threads.run(get_presence().touch, self.sid,
                                  dict.fromkeys(self.channels, to_json_deep(self.profile)))
        for channel in self.channels:
            await self._notify(channel, "channel:update", self._echo(payload))

    async def _message(self, payload: dict[str, Any]) -> None:
        if payload.get("eventName") == "agnost:resume":
            await self._resume(payload)
            return
        event = names.clean_event(payload.get("eventName"), from_client=True)
        channel = payload.get("channel")
        adapter = get_adapter()
        if channel is None or channel == "":
            if not adapter.can_broadcast(self.user, event):
                raise ChannelNotAllowed("You are not allowed to broadcast.")
            await services.apublish(None, event, payload.get("message"), sender=self.sid, echo=self._echo(payload))
            return
        channel = names.clean_channel(channel)
        if not await threads.run(adapter.can_send, self.user, channel, event, database=True):
            raise ChannelNotAllowed(details={"channel": channel})
        await services.apublish(channel, event, payload.get("message"), sender=self.sid, echo=self._echo(payload))

    async def _notify(self, channel: str, event: str, echo: bool) -> None:
        await services.apublish(channel, event, {"id": self.sid, "data": self.profile}, sender=self.sid, echo=echo)

    async def _heartbeat(self) -> None:
        try:
            async with self.presence_lock:
                await threads.run(get_presence().touch, self.sid,
                                  dict.fromkeys(self.channels, to_json_deep(self.profile)))
        except Exception:  # noqa: BLE001 - a missed heartbeat is retried on the next one
            logger.exception("realtime heartbeat failed for %s", self.sid)

    async def _leave_everything(self) -> None:
        for channel in list(self.channels):
            try:
                async with self.presence_lock:
                    await threads.run(get_presence().leave, channel, self.sid)
                await self.hub.discard(names.channel_group(channel), self)
                await self._notify(channel, "channel:leave", True)
            except Exception:  # noqa: BLE001 - the presence TTL removes what is left
                logger.exception("realtime cleanup failed for %s in %s", self.sid, channel)
        self.channels.clear()
        for group in getattr(self, "groups_joined", []):
            await self.hub.discard(group, self)

    async def _send_frame(self, frame: str | bytes) -> None:
        # Straight to the server's send (what Channels' send() wraps): once per delivery.
        if isinstance(frame, bytes):
            await self.base_send({"type": "websocket.send", "bytes": frame})
        else:
            await self.base_send({"type": "websocket.send", "text": frame})

    async def _close_slow(self, code: int) -> None:
        if not self.closing:
            await self.close(code=code)


def _since(channel: str, payload: dict[str, Any]) -> int:
    """The ``since`` of a join or resume: a number of a resumable channel (0: from the start)."""
    since = payload.get("since")
    if not history.is_resumable(channel):
        raise ChannelNotResumable(details={"channel": channel})
    if isinstance(since, bool) or not isinstance(since, int) or since < 0:
        raise InvalidResumePoint(details={"since": since if isinstance(since, (int, float, str)) else None})
    return since


def _session_user(token: Any):
    """The user of a handshake's session token (without an app keeping sessions, tokens are ignored)."""
    from agnost_django.core.callers import session_user

    return session_user(token)
