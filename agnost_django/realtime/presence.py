"""Who is in which channel, shared by every server process.

Channel-layer groups cannot be listed, so members live in a registry: per channel a map of
``socket id -> {data, ts}``. Each connection refreshes ``ts`` every
``AGNOST_REALTIME_HEARTBEAT_INTERVAL`` seconds; entries older than ``AGNOST_REALTIME_PRESENCE_TTL``
are ignored and swept, so the members of a crashed process disappear within the TTL.

With a django-redis ``PRESENCE_CACHE`` the registry is a Redis hash per channel (every process
sees it). With any other cache it is a dict in this process, which is right only for a
one-process server (the embedded default, whose in-memory channel layer is one-process too).
"""

from __future__ import annotations

import hashlib
import json
import threading
import time
from typing import Any

from django.core.cache import caches

from agnost_django.realtime.conf import realtime_settings


def _digest(channel: str) -> str:
    return hashlib.sha256(channel.encode()).hexdigest()[:48]


def shared_alias() -> str | None:
    """``PRESENCE_CACHE`` when it is a django-redis cache, which every process shares (the
    member registry and the resumable channels' history then live in its Redis), else None."""
    alias = realtime_settings.PRESENCE_CACHE
    try:
        from django_redis.cache import RedisCache
    except ImportError:
        return None
    return alias if isinstance(caches[alias], RedisCache) else None


def redis_keyspace(alias: str):
    """The Redis connection of the cache ``alias`` and the prefix of the realtime keys in it
    (``<KEY_PREFIX>:agnost:rt:``)."""
    from django_redis import get_redis_connection

    prefix = caches[alias].key_prefix
    return get_redis_connection(alias), f"{prefix}:agnost:rt:" if prefix else "agnost:rt:"


def _alive(ts: float) -> bool:
    return ts >= time.time() - realtime_settings.PRESENCE_TTL


class LocalPresence:
    """Members in this process's memory."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.channels: dict[str, dict[str, tuple[Any, float]]] = {}

    def join(self, channel: str, sid: str, data: Any) -> bool:
        with self.lock:
            members = self.channels.setdefault(channel, {})
            new = sid not in members or not _alive(members[sid][1])
            members[sid] = (data, time.time())
            return new

    def leave(self, channel: str, sid: str) -> bool:
        with self.lock:
            members = self.channels.get(channel, {})
            entry = members.pop(sid, None)
            if not members:
                self.channels.pop(channel, None)
            return entry is not None and _alive(entry[1])

    def touch(self, sid: str, channels: dict[str, Any]) -> None:
        """Refresh ``sid`` in each of ``channels`` (channel -> profile data)."""
        with self.lock:
            for channel, data in channels.items():
                self.channels.setdefault(channel, {})[sid] = (data, time.time())

    def members(self, channel: str) -> list[dict[str, Any]]:
        with self.lock:
            members = self.channels.get(channel, {})
            for sid in [sid for sid, (_data, ts) in members.items() if not _alive(ts)]:
                del members[sid]
            return [{"id": sid, "data": data} for sid, (data, _ts) in members.items()]

    def all_channels(self) -> dict[str, int]:
        with self.lock:
            return {name: sum(1 for _d, ts in members.values() if _alive(ts))
                    for name, members in self.channels.items()}


class RedisPresence:
    """Members in Redis hashes (``<prefix>agnost:rt:m:<channel digest>``)."""

    def __init__(self, alias: str) -> None:
        self.redis, self.prefix = redis_keyspace(alias)

    def _key(self, channel: str) -> str:
        return f"{self.prefix}m:{_digest(channel)}"

    def _value(self, data: Any) -> str:
        return json.dumps({"data": data, "ts": time.time()}, separators=(",", ":"))

    def join(self, channel: str, sid: str, data: Any) -> bool:
        key = self._key(channel)
        pipe = self.redis.pipeline()  # one round trip, in a MULTI: the old entry, then the new
        pipe.hget(key, sid)
        pipe.hset(key, sid, self._value(data))
        pipe.hset(f"{self.prefix}names", _digest(channel), channel)
        pipe.expire(f"{self.prefix}names", 86400)  # the channel index; pruned by all_channels()
        pipe.expire(key, int(realtime_settings.PRESENCE_TTL * 2) + 60)
        old = pipe.execute()[0]
        return old is None or not _alive(json.loads(old)["ts"])

    def leave(self, channel: str, sid: str) -> bool:
        key = self._key(channel)
        pipe = self.redis.pipeline()
        pipe.hget(key, sid)
        pipe.hdel(key, sid)
        old = pipe.execute()[0]
        return old is not None and _alive(json.loads(old)["ts"])

    def touch(self, sid: str, channels: dict[str, Any]) -> None:
        if not channels:
            return
        pipe = self.redis.pipeline()
        for channel, data in channels.items():
            key = self._key(channel)
            pipe.hset(key, sid, self._value(data))
            pipe.expire(key, int(realtime_settings.PRESENCE_TTL * 2) + 60)
        pipe.execute()

    def members(self, channel: str) -> list[dict[str, Any]]:
        key = self._key(channel)
        entries = self.redis.hgetall(key)
        alive, stale = [], []
        for sid, raw in entries.items():
            value = json.loads(raw)
            sid = sid.decode() if isinstance(sid, bytes) else sid
            (alive if _alive(value["ts"]) else stale).append((sid, value["data"]))
        if stale:
            self.redis.hdel(key, *[sid for sid, _data in stale])
        return [{"id": sid, "data": data} for sid, data in alive]

    def all_channels(self) -> dict[str, int]:
        names = {digest.decode(): name.decode() for digest, name in self.redis.hgetall(f"{self.prefix}names").items()}
        counts = {}
        for digest, name in names.items():
            count = len(self.members(name))
            if count:
                counts[name] = count
            else:
                self.redis.hdel(f"{self.prefix}names", digest)
        return counts


_local = LocalPresence()


def get_presence() -> LocalPresence | RedisPresence:
    alias = shared_alias()
    return RedisPresence(alias) if alias else _local
