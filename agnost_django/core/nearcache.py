"""A process-local copy of the entries every request reads (client keys, sessions), kept
exact by Redis pub/sub.

Reading a client key from Redis costs a round trip per request, about a quarter of a
request's Python time. When ``AGNOST_CORE_CACHE`` is a Redis cache (django-redis or Django's
own backend), each server process keeps what it read in memory and subscribes to one Redis
channel; whoever changes an entry (:mod:`keycache`, the auth app's session cache) publishes
its name (:func:`publish`) after changing the shared cache. Every read first takes, without
waiting, the invalidations that have already reached the process (a non-blocking look at the
subscription's socket that keeps the GIL, then a read when it has data), and Redis writes a
message to every subscriber's socket before it answers the ``PUBLISH``: so a change made
before a request starts, in any process, is seen by that request. Entries live at most
:data:`MAX_AGE` seconds (a change made behind the caches' back, such as flushing Redis, is
seen within that time).

An entry read from the shared cache is kept only if no invalidation arrived while it was
being read (:func:`epoch`), so a slow reader never keeps a value older than a change it
raced with. Without Redis, or while the subscription is down (it is retried at most once a
second, and everything kept is dropped when it comes back), :func:`get` always misses and
callers read the shared cache as before.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from typing import Any

from django.core.cache import caches

from agnost_django.core.conf import core_settings

logger = logging.getLogger("agnost_django.core")

CHANNEL = "agnost:near-cache"
ALL = "*"
MAX_ENTRIES = 10_000  # a flood of unknown keys (cached as None) cannot grow a process unboundedly
RETRY_EVERY = 1.0
MAX_AGE = 30.0

_MISS = object()


def _redis_client(cache) -> Any:
    """The redis-py client behind a Django cache, or ``None`` for a cache that is not Redis."""
    client = getattr(cache, "client", None)  # django-redis
    if client is not None and hasattr(client, "get_client"):
        return client.get_client(write=True)
    inner = getattr(cache, "_cache", None)  # django.core.cache.backends.redis
    if inner is not None and hasattr(inner, "get_client"):
        return inner.get_client(write=True)
    return None


def _gil_keeping_poll():
    """``readable(fd)``: whether a socket has something to read (data, end, error), asked
    without releasing the GIL. Every read asks, and a call that releases the GIL (any socket
    call of Python's own) waits to get it back behind the busy request threads: that wait,
    not the system call, made the check a tenth of a served request. ``None`` where libc's
    ``poll`` cannot be called this way (then redis-py's own non-blocking read is used)."""
    try:
        import ctypes
        import select

        poll = ctypes.PyDLL(None).poll  # PyDLL: the call keeps the GIL (it never blocks: timeout 0)
    except (ImportError, OSError, AttributeError):
        return None

    class PollFD(ctypes.Structure):
        _fields_ = [("fd", ctypes.c_int), ("events", ctypes.c_short), ("revents", ctypes.c_short)]

    poll.argtypes = [ctypes.POINTER(PollFD), ctypes.c_ulong, ctypes.c_int]
    poll.restype = ctypes.c_int
    pollin = select.POLLIN

    def readable(fd: int) -> bool:
        return poll(ctypes.byref(PollFD(fd, pollin, 0)), 1, 0) != 0  # -1 (an error): look anyway

    return readable


_readable = _gil_keeping_poll()


def _may_have_data(pubsub) -> bool:
    """False only when the subscription's socket certainly has nothing new: redis-py keeps no
    complete message buffered once ``get_message`` has answered None, so then whatever
    arrives next is in the socket."""
    if _readable is None:
        return True
    sock = getattr(pubsub.connection, "_sock", None)
    if sock is None:
        return True
    try:
        return _readable(sock.fileno())
    except (OSError, ValueError):
        return True


def channel_name(cache, client) -> str:
    """The invalidations' channel: the cache's prefix and version keep hosts apart, and the
    Redis database number too (pub/sub ignores it: hosts on one Redis in different databases
    would drop each other's entries)."""
    return f"{cache.make_key(CHANNEL)}:db{client.connection_pool.connection_kwargs.get('db', 0)}"


class NearCache:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._entries: dict[str, tuple[float, Any]] = {}
        self._epoch = 0
        self._pubsub = None
        self._pid = None
        self._alias = None
        self._retry_at = 0.0
        self._drained = False

    # Subscription ---------------------------------------------------------------------
    def _subscribe(self) -> None:
        """Subscribe (lock held); on failure stay without until the next retry."""
        self._retry_at = time.monotonic() + RETRY_EVERY
        self._pid, self._alias = os.getpid(), core_settings.CACHE
        cache = caches[self._alias]
        client = _redis_client(cache)
        if client is None:
            return
        try:
            pubsub = client.pubsub()
            pubsub.subscribe(channel_name(cache, client))
            # The subscription holds only once Redis confirms it: until then a message could be missed.
            deadline = time.monotonic() + 2
            while (message := pubsub.get_message(timeout=0.1)) is None or message["type"] != "subscribe":
                if time.monotonic() > deadline:
                    raise TimeoutError("no subscribe confirmation")
        except Exception:  # noqa: BLE001 - without a subscription, reads go to the shared cache
            logger.warning("near cache: cannot subscribe to Redis; reading the shared cache", exc_info=True)
            return
        self._pubsub = pubsub
        self._drained = False  # the confirmation's read may have buffered a message after it
        self._drop_all()

    def _drop_all(self) -> None:
        self._entries.clear()
        self._epoch += 1

    def _unsubscribe(self) -> None:
        pubsub, self._pubsub = self._pubsub, None
        self._drop_all()
        if pubsub is not None and self._pid == os.getpid():
            try:
                pubsub.close()
            except Exception:  # noqa: BLE001
                pass

    def _sync(self) -> bool:
        """Apply the invalidations that have arrived (lock held); whether entries can be trusted."""
        if self._pid != os.getpid() or self._alias != core_settings.CACHE:
            self._unsubscribe()  # a forked child leaves its parent's socket alone
            self._pid = None
        if self._pubsub is None:
            if time.monotonic() < self._retry_at:
                return False
            self._subscribe()
            return self._pubsub is not None
        if self._drained and not _may_have_data(self._pubsub):
            return True
        try:
            while (message := self._pubsub.get_message(timeout=0)) is not None:
                if message["type"] != "message":
                    continue
                self._drop_names(message["data"].decode().split("\n"))
            self._drained = True  # nothing complete left in redis-py's buffer
        except Exception:  # noqa: BLE001 - the connection dropped: messages may be lost
            logger.warning("near cache: Redis subscription lost; reading the shared cache", exc_info=True)
            self._unsubscribe()
            self._retry_at = time.monotonic() + RETRY_EVERY
            return False
        return True

    # Reading and writing --------------------------------------------------------------
    def get(self, name: str) -> Any:
        """The value kept for ``name``, or :data:`MISS`."""
        with self._lock:
            if not self._sync():
                return _MISS
            found = self._entries.get(name)
            if found is None:
                return _MISS
            if found[0] < time.monotonic():
                del self._entries[name]
                return _MISS
            return found[1]

    def epoch(self) -> int:
        """Take before reading the shared cache; hand to :meth:`put`."""
        return self._epoch

    def put(self, name: str, value: Any, epoch: int, timeout: float) -> None:
        """Keep ``value`` unless an invalidation arrived since ``epoch`` was taken."""
        with self._lock:
            if self._pubsub is None or epoch != self._epoch:
                return
            if len(self._entries) >= MAX_ENTRIES:
                self._entries.clear()
            self._entries[name] = (time.monotonic() + min(timeout, MAX_AGE), value)

    def publish(self, *names: str) -> None:
        """Tell every process (this one included) to drop ``names`` (:data:`ALL`: everything)."""
        cache = caches[core_settings.CACHE]
        client = _redis_client(cache)
        with self._lock:
            self._drop_names(names)
        if client is not None and names:
            client.publish(channel_name(cache, client), "\n".join(names))

    def clear(self) -> None:
        """Drop what this process keeps (tests: after clearing the shared cache)."""
        with self._lock:
            self._drop_all()

    def _drop_names(self, names) -> None:
        self._epoch += 1
        if ALL in names:
            self._entries.clear()
        else:
            for name in names:
                self._entries.pop(name, None)


near = NearCache()
MISS = _MISS
get, put, epoch, publish, clear = near.get, near.put, near.epoch, near.publish, near.clear
