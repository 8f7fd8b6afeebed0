"""Resumable channels: the recent messages of the channels named in
``AGNOST_REALTIME_RESUMABLE_CHANNELS``, numbered per channel where they are published.

Every message sent to such a channel (by a client's ``send`` or by the server library; not
the ``channel:*`` membership events) gets the channel's next number, ``seq``, before it goes
to the channel layer, and is kept for ``RESUME_WINDOW`` seconds, at most ``RESUME_SIZE`` per
channel. A client that reconnects asks for what came after the last number it saw (see
``SocketIOConsumer._resume``).

With a django-redis ``PRESENCE_CACHE`` (production) the numbers and messages live in Redis, a
counter and a stream per channel, appended in one script so that the numbers are the order in
which the messages were kept. Otherwise they live in the database (``ChannelSequence``,
``ChannelMessage``), which every process of the embedded default shares.
"""

from __future__ import annotations

import pickle
import re
import time
from datetime import timedelta
from fnmatch import translate
from functools import lru_cache
from typing import Any, NamedTuple

from channels.db import database_sync_to_async
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from agnost_django.realtime import threads
from agnost_django.realtime.conf import realtime_settings
from agnost_django.realtime.presence import _digest, redis_keyspace, shared_alias

COUNTER_TTL = 30 * 86400  # a channel's numbering outlives its messages by far


class Replay(NamedTuple):
    messages: list[tuple[int, dict[str, Any]]]  # (seq, layer message), oldest first
    last: int  # the channel's last number (0: nothing was ever kept)
    complete: bool  # False: some messages after ``since`` are no longer kept


@lru_cache(maxsize=8)
def _pattern(patterns: tuple[str, ...]) -> re.Pattern | None:
    return re.compile("|".join(translate(p) for p in patterns)) if patterns else None


def is_resumable(channel: str | None) -> bool:
    if channel is None:
        return False
    pattern = _pattern(tuple(realtime_settings.RESUMABLE_CHANNELS))
    return pattern is not None and pattern.match(channel) is not None


def _replay(entries: list[tuple[int, dict]], since: int, last: int) -> Replay:
    if since > last:  # numbering restarted since (its counter expired): send what is kept
        return Replay(entries, last, False)
    complete = since == last or (bool(entries) and entries[0][0] == since + 1)
    return Replay(entries, last, complete)


class RedisHistory:
    """Per channel a counter ``<prefix>agnost:rt:seq:<digest>`` and a stream
    ``<prefix>agnost:rt:hist:<digest>`` whose entry ids are the numbers."""

    # KEYS: counter, stream. ARGV: pickled message, size, window ms, counter ttl ms, now ms.
    APPEND = """
local seq = redis.call('INCR', KEYS[1])
redis.call('PEXPIRE', KEYS[1], ARGV[4])
redis.call('XADD', KEYS[2], 'MAXLEN', ARGV[2], seq .. '-0', 't', ARGV[5], 'm', ARGV[1])
redis.call('PEXPIRE', KEYS[2], ARGV[3])
return seq
"""

    def __init__(self, alias: str) -> None:
        self.redis, self.prefix = redis_keyspace(alias)
        self.script = self.redis.register_script(self.APPEND)

    def _keys(self, channel: str) -> list[str]:
        digest = _digest(channel)
        return [f"{self.prefix}seq:{digest}", f"{self.prefix}hist:{digest}"]

    def append(self, channel: str, message: dict[str, Any]) -> int:
        window_ms = int(realtime_settings.RESUME_WINDOW * 1000)
        return int(self.script(keys=self._keys(channel), args=[
            pickle.dumps(message, protocol=pickle.HIGHEST_PROTOCOL), realtime_settings.RESUME_SIZE,
            window_ms, COUNTER_TTL * 1000, int(time.time() * 1000)]))

    def last(self, channel: str) -> int:
        return int(self.redis.get(self._keys(channel)[0]) or 0)

    def since(self, channel: str, since: int) -> Replay:
        counter, stream = self._keys(channel)
        pipe = self.redis.pipeline()
        pipe.get(counter)
        pipe.xrange(stream, min=f"{since + 1}-0", max="+")
        last, rows = pipe.execute()
        last = int(last or 0)
        if since > last:
            rows = self.redis.xrange(stream, min="-", max="+")
        oldest = (time.time() - realtime_settings.RESUME_WINDOW) * 1000
        entries = [(int(entry_id.split(b"-")[0]), pickle.loads(fields[b"m"]))
                   for entry_id, fields in rows if int(fields[b"t"]) >= oldest]
        return _replay(entries, since, last)


class DatabaseHistory:
    """The ``ChannelSequence`` and ``ChannelMessage`` tables."""

    def append(self, channel: str, message: dict[str, Any]) -> int:
        from agnost_django.realtime.models import ChannelMessage, ChannelSequence

        payload = pickle.dumps(message, protocol=pickle.HIGHEST_PROTOCOL)
        for _attempt in range(3):
            try:
                with transaction.atomic():
                    # The UPDATE takes the counter's row lock first: appends to one channel
                    # are serialised, and numbers are the order of the rows.
                    if not ChannelSequence.objects.filter(channel=channel).update(last=F("last") + 1):
                        ChannelSequence.objects.create(channel=channel, last=1)
                    seq = ChannelSequence.objects.values_list("last", flat=True).get(channel=channel)
                    ChannelMessage.objects.create(channel=channel, seq=seq, event=message.get("event", ""),
                                                  payload=payload)
                    cutoff = timezone.now() - timedelta(seconds=realtime_settings.RESUME_WINDOW)
                    ChannelMessage.objects.filter(channel=channel, seq__lte=seq - realtime_settings.RESUME_SIZE).delete()
                    expired = ChannelMessage.objects.filter(created_at__lt=cutoff)
                    if seq % 100 == 0:  # now and then, those of channels no longer used too
                        expired.delete()
                    else:
                        expired.filter(channel=channel).delete()
                    return seq
            except IntegrityError:  # two first messages of a channel at once: count again
                continue
        raise RuntimeError(f"could not number a message of {channel!r}")

    def last(self, channel: str) -> int:
        from agnost_django.realtime.models import ChannelSequence

        return ChannelSequence.objects.filter(channel=channel).values_list("last", flat=True).first() or 0

    def since(self, channel: str, since: int) -> Replay:
        from agnost_django.realtime.models import ChannelMessage

        last = self.last(channel)
        cutoff = timezone.now() - timedelta(seconds=realtime_settings.RESUME_WINDOW)
        rows = ChannelMessage.objects.filter(channel=channel, seq__gt=since if since <= last else 0,
                                             created_at__gte=cutoff)
        entries = [(seq, pickle.loads(payload)) for seq, payload in rows.values_list("seq", "payload")]
        return _replay(entries, since, last)


async def aappend(channel: str, message: dict[str, Any]) -> int:
    return await _run(get_history().append, channel, message)


async def asince(channel: str, since: int) -> Replay:
    return await _run(get_history().since, channel, since)


async def alast(channel: str) -> int:
    return await _run(get_history().last, channel)


async def _run(method, *args):
    if isinstance(method.__self__, DatabaseHistory):
        # Channels' thread-sensitive call: from synchronous code (agnost.realtime.send in a
        # view) the caller's own thread and database connection.
        return await database_sync_to_async(method)(*args)
    return await threads.run(method, *args)


def get_history() -> RedisHistory | DatabaseHistory:
    alias = shared_alias()
    return RedisHistory(alias) if alias else DatabaseHistory()
