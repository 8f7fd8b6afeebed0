"""Fan-out inside one server process, as socket.io's Redis adapter does it.

The channel layer carries a message once per *process*, not once per socket: the process has
one channel on the layer (``AGNOST_REALTIME_CHANNEL_LAYER``), which is in a layer group as
long as one of its sockets is (a channel, a user's connections, everyone). A message arriving
there is encoded into Socket.IO frames once and handed to each local socket of its group.
Sockets have no layer channel and no receive loop of their own.

Each socket gets its frames through a bounded buffer (``AGNOST_REALTIME_SEND_BUFFER`` frames)
drained by a task that exists only while frames wait: a slow reader never delays the others,
and one that falls that far behind is disconnected (close code 1013, "try again later") rather
than let its buffer grow.
"""

from __future__ import annotations

import asyncio
import logging
import secrets
from collections import deque
from typing import Any, Protocol

from channels.layers import get_channel_layer

from agnost_django.realtime import history, protocol
from agnost_django.realtime.conf import realtime_settings

logger = logging.getLogger("agnost_django.realtime")

SLOW_READER_CLOSE_CODE = 1013
PROBE_ATTEMPTS, PROBE_WAIT = 40, 0.05  # seconds per attempt to see a new subscription work
REFRESH_INTERVAL = 3600.0  # re-adds the process to its groups well before the layer expires them


class Socket(Protocol):
    sid: str | None

    def deliver(self, events: list[dict[str, Any]], channel: str | None = None, seq: int | None = None) -> None: ...

    def tick(self, now: float) -> None: ...


def send_events(frames: list[str | bytes]) -> list[dict[str, Any]]:
    """The ASGI ``websocket.send`` events of ``frames``, made once and shared by every socket
    they go to (the server only reads them)."""
    return [{"type": "websocket.send", "bytes": frame} if isinstance(frame, bytes)
            else {"type": "websocket.send", "text": frame} for frame in frames]


def _is_pubsub(layer) -> bool:
    try:
        from channels_redis.pubsub import RedisPubSubChannelLayer
    except ImportError:
        return False
    return isinstance(layer, RedisPubSubChannelLayer)


def frames_of(message: dict[str, Any]) -> list[str | bytes]:
    if message.get("args") is not None:
        return protocol.event(message["event"], *message["args"])
    payload = {"channel": message.get("channel"), "message": message.get("message")}
    if message.get("seq") is not None:  # a resumable channel's message (history.py)
        payload["seq"] = message["seq"]
    return protocol.event(message["event"], payload)


class Hub:
    def __init__(self, alias: str) -> None:
        self.alias = alias
        self.loop = asyncio.get_running_loop()
        self.layer = get_channel_layer(alias)
        self.channel: str | None = None
        self.groups: dict[str, set[Socket]] = {}
        self.lock = asyncio.Lock()
        self.tasks: list[asyncio.Task] = []
        self.watched: set[Socket] = set()
        self.clock: asyncio.Task | None = None
        self.orderings: dict[str, Ordering] = {}  # group of a resumable channel -> its order
        self.probes: dict[str, asyncio.Future] = {}  # _subscribed's probes on their way

    async def add(self, group: str, socket: Socket, resumable: str | None = None) -> None:
        """Put ``socket`` in ``group``; ``resumable``: the group's channel when it is resumable
        (its messages are then delivered in the order of their numbers, from the next one)."""
        async with self.lock:
            members = self.groups.get(group)
            if members is None:
                if resumable is not None:
                    self.ordered(group).next = await history.alast(resumable) + 1
                await self._listen()
                await self.layer.group_add(group, self.channel)
                members = self.groups[group] = set()
                await self._subscribed(group)
            members.add(socket)

    async def _subscribed(self, group: str) -> None:
        """On a pub/sub layer, return once ``group``'s messages reach this process: its
        SUBSCRIBE and the next PUBLISH travel on two Redis connections, and a notification
        sent right after a join (the joiner's own ``channel:join``) must not be missed. A
        probe message is sent until one comes back (a list-based or in-memory layer has added
        the group when ``group_add`` returns)."""
        if not _is_pubsub(self.layer):
            return
        token = secrets.token_hex(8)
        arrived = self.probes[token] = self.loop.create_future()
        try:
            for _attempt in range(PROBE_ATTEMPTS):
                await self.layer.group_send(group, {"type": "agnost.probe", "probe": token, "group": group})
                try:
                    await asyncio.wait_for(asyncio.shield(arrived), PROBE_WAIT)
                    return
                except asyncio.TimeoutError:
                    continue
            logger.warning("realtime hub: no confirmation of the subscription to %s", group)
        finally:
            self.probes.pop(token, None)

    async def discard(self, group: str, socket: Socket) -> None:
        async with self.lock:
            members = self.groups.get(group)
            if members is None or socket not in members:
                return
            members.discard(socket)
            if not members:
                del self.groups[group]
                ordering = self.orderings.pop(group, None)
                if ordering is not None:
                    ordering.stop()
                await self.layer.group_discard(group, self.channel)

    def watch(self, socket: Socket) -> None:
        """Give ``socket`` the clock's ticks (its pings and heartbeats) until :meth:`unwatch`:
        one timer for the process instead of a task per socket."""
        self.watched.add(socket)
        if self.clock is None:
            self.clock = self.loop.create_task(self._tick())

    def unwatch(self, socket: Socket) -> None:
        self.watched.discard(socket)

    async def _tick(self) -> None:
        try:
            while self.watched:
                # A tick at least four times per shortest period: pings and presence are late by
                # at most a quarter of it (a second with the defaults).
                shortest = min(realtime_settings.PING_INTERVAL / 1000, realtime_settings.PING_TIMEOUT / 1000,
                               realtime_settings.HEARTBEAT_INTERVAL)
                await asyncio.sleep(min(max(shortest / 4, 0.02), 1.0))
                now = self.loop.time()
                for socket in list(self.watched):
                    try:
                        socket.tick(now)
                    except Exception:  # noqa: BLE001 - one socket never stops the others' pings
                        logger.exception("realtime hub: a socket's tick failed")
        finally:
            self.clock = None

    def dispatch(self, message: dict[str, Any]) -> None:
        """Hand ``message`` (a layer message of services.event_message) to the local sockets of
        its group, encoded once; a resumable channel's messages in the order of their numbers."""
        group = message.get("group")
        if "probe" in message:  # _subscribed's (another process's probes are not ours)
            arrived = self.probes.get(message["probe"])
            if arrived is not None and not arrived.done():
                arrived.set_result(None)
            return
        if not self.groups.get(group):
            return
        if message.get("seq") is not None:
            self.ordered(group).arrive(message)
        else:
            self.deliver(message)

    def ordered(self, group: str) -> Ordering:
        ordering = self.orderings.get(group)
        if ordering is None:
            ordering = self.orderings[group] = Ordering(self)
        return ordering

    def deliver(self, message: dict[str, Any]) -> None:
        members = self.groups.get(message.get("group"))
        if not members:
            return
        events = send_events(frames_of(message))
        sender, echo = message.get("sender"), message.get("echo", True)
        channel, seq = message.get("channel"), message.get("seq")
        for socket in list(members):
            if socket.sid is None or (not echo and socket.sid == sender):
                continue
            socket.deliver(events, channel, seq)

    async def _listen(self) -> None:
        if self.channel is not None:
            return
        self.channel = await self.layer.new_channel("agnost.hub.")
        self.tasks = [asyncio.create_task(self._receive()), asyncio.create_task(self._refresh())]

    async def _receive(self) -> None:
        while True:
            try:
                message = await self.layer.receive(self.channel)
            except asyncio.CancelledError:
                raise
            except Exception:  # noqa: BLE001 - a broken connection to the layer: try again
                logger.exception("realtime hub: receiving from the channel layer failed")
                await asyncio.sleep(1)
                continue
            try:
                self.dispatch(message)
            except Exception:  # noqa: BLE001 - one bad message never stops the hub
                logger.exception("realtime hub: a message could not be delivered")

    async def _refresh(self) -> None:
        while True:
            await asyncio.sleep(REFRESH_INTERVAL)
            for group in list(self.groups):
                try:
                    await self.layer.group_add(group, self.channel)
                except Exception:  # noqa: BLE001 - retried on the next round
                    logger.exception("realtime hub: refreshing %s failed", group)


class Ordering:
    """A resumable channel's messages in the order of their numbers. Publishers in several
    processes (or threads) number their messages before sending them, so two can cross on the
    way: one that arrives ahead of a missing number waits up to ``GAP_WAIT`` seconds for it,
    then the missing ones are read from the history (where they are kept before they are
    sent) and everything goes out in order. A number that turns up after that was delivered
    already and is dropped."""

    GAP_WAIT = 0.1

    def __init__(self, hub: Hub) -> None:
        self.hub = hub
        self.next: int | None = None  # the number due next (None: take the first that comes)
        self.early: dict[int, dict[str, Any]] = {}
        self.timer: asyncio.TimerHandle | None = None
        self.filling: asyncio.Task | None = None

    def arrive(self, message: dict[str, Any]) -> None:
        seq = message["seq"]
        if self.next is None:
            self.next = seq
        if seq < self.next:
            return  # delivered already, from the history
        self.early[seq] = message
        self._release()
        if self.early and self.timer is None and self.filling is None:
            self.timer = self.hub.loop.call_later(self.GAP_WAIT, self._fill)

    def _release(self) -> None:
        while self.next in self.early:
            self.hub.deliver(self.early.pop(self.next))
            self.next += 1
        if not self.early and self.timer is not None:
            self.timer.cancel()
            self.timer = None

    def _fill(self) -> None:
        self.timer = None
        if self.early and self.filling is None:
            self.filling = self.hub.loop.create_task(self._read_gap())

    async def _read_gap(self) -> None:
        try:
            first = next(iter(self.early.values()))
            replay = await history.asince(first["channel"], self.next - 1)
            for seq, message in replay.messages:
                if seq >= self.next and seq not in self.early and seq < max(self.early, default=0):
                    self.early[seq] = {**message, "seq": seq, "group": first["group"]}
        except Exception:  # noqa: BLE001 - the history is out of reach: skip the gap
            logger.exception("realtime hub: reading a resumable channel's missing messages failed")
        finally:
            self.filling = None
        if self.early and self.next not in self.early:
            self.next = min(self.early)  # no longer kept: skip it
        self._release()
        if self.early and self.timer is None:
            self.timer = self.hub.loop.call_later(self.GAP_WAIT, self._fill)

    def stop(self) -> None:
        if self.timer is not None:
            self.timer.cancel()
        if self.filling is not None:
            self.filling.cancel()


class SendBuffer:
    """A socket's outgoing frames (as ``send_events``): ``put`` never waits; a task sends while
    frames wait."""

    def __init__(self, send, close) -> None:
        self._send = send  # the server's ASGI send
        self._close = close  # async (code) -> None
        self.capacity = realtime_settings.SEND_BUFFER  # read once: put() runs per delivery
        self.frames: deque[dict[str, Any]] = deque()
        self.task: asyncio.Task | None = None
        self.closed = False

    def put(self, frames: list[dict[str, Any]]) -> None:
        if self.closed:
            return
        if len(self.frames) + len(frames) > self.capacity:
            self.closed = True
            self.frames.clear()
            logger.warning("realtime: a socket fell %s frames behind; disconnected", self.capacity)
            asyncio.get_running_loop().create_task(self._close(SLOW_READER_CLOSE_CODE))
            return
        self.frames.extend(frames)
        if self.task is None:
            self.task = asyncio.get_running_loop().create_task(self._drain())

    async def _drain(self) -> None:
        try:
            while self.frames and not self.closed:
                await self._send(self.frames.popleft())
        except Exception:  # noqa: BLE001 - the socket is gone; its disconnect cleans up
            self.closed = True
            self.frames.clear()
        finally:
            self.task = None

    def cancel(self) -> None:
        self.closed = True
        self.frames.clear()
        if self.task is not None:
            self.task.cancel()


_hubs: dict[str, Hub] = {}


def get_hub() -> Hub:
    """This process's hub on the configured layer (made again for another event loop or a
    reconfigured layer, as in tests)."""
    alias = realtime_settings.CHANNEL_LAYER
    hub = _hubs.get(alias)
    if hub is None or hub.loop is not asyncio.get_running_loop() or hub.layer is not get_channel_layer(alias):
        hub = _hubs[alias] = Hub(alias)
    return hub
