"""Key-value operations on one Django cache, per backend family.

* :class:`RedisOperations` (django-redis): atomic ``INCRBY`` + ``PEXPIRE`` in one Lua
  script, ``SCAN`` for listing, ``STRLEN`` for sizes.
* :class:`LocMemOperations` (Django's LocMemCache, the embedded default): Django's atomic
  ``incr`` and a locked walk over the process-local store for listing.
* :class:`GenericOperations` (any other backend: database, file, memcached): everything
  but listing and stats, which raise ``unsupported_function``.

All of them work on *logical* keys, i.e. keys already prefixed with the agnost namespace.
"""

from __future__ import annotations

import base64
import time
from collections.abc import Iterator
from typing import Any

from django.core.cache.backends.base import BaseCache
from django.core.cache.backends.locmem import LocMemCache
from django.utils.translation import gettext as _

from agnost_django.cache import glob
from agnost_django.cache.exceptions import CacheValueNotInteger, InvalidCursor
from agnost_django.core.exceptions import UnsupportedFunction

_MISSING = object()


def is_integer(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


class GenericOperations:
    """Operations any Django cache backend supports."""

    backend_name = "django"

    def __init__(self, cache: BaseCache, namespace: str) -> None:
        self.cache = cache
        self.namespace = namespace

    def get(self, key: str) -> Any:
        return self.cache.get(key)

    def set(self, key: str, value: Any, ttl: float | None) -> None:
        self.cache.set(key, value, timeout=ttl)

    def delete_many(self, keys: list[str]) -> None:
        self.cache.delete_many(keys)

    def incr(self, key: str, delta: int, ttl: float | None) -> int:
        # Django's incr is atomic on LocMem (a lock) and on most backends, but refuses a
        # missing key; add() creates it at 0 without overwriting a concurrent writer's.
        for _attempt in range(5):
            current = self.cache.get(key, _MISSING)
            if current is _MISSING:
                self.cache.add(key, 0, timeout=ttl)
            elif not is_integer(current):
                raise CacheValueNotInteger()
            try:
                value = self.cache.incr(key, delta)
            except ValueError:  # expired or deleted between add() and incr(): start over
                continue
            if ttl:
                self.cache.touch(key, ttl)
            return value
        raise CacheValueNotInteger(_("The key changed concurrently; try again."))

    def expire(self, key: str, ttl: float) -> None:
        self.cache.touch(key, ttl)

    def ttl(self, key: str) -> float | None:
        """Seconds left before ``key`` expires; ``None`` if it does not expire or is unknown."""
        return None

    def list_page(
        self, pattern: str, cursor: str | None, count: int
    ) -> tuple[list[str], str | None]:
        """Up to about ``count`` keys matching ``pattern`` (a glob over the keys without the
        namespace), and the cursor of the next page or ``None``."""
        raise UnsupportedFunction(
            _("Listing keys needs django-redis or the local-memory cache backend.")
        )

    def stats(self) -> dict[str, Any]:
        """``{"totalKeys": n, "totalSize": bytes}`` of the namespace."""
        raise UnsupportedFunction(
            _("Cache statistics need django-redis or the local-memory cache backend.")
        )


class LocMemOperations(GenericOperations):
    """Django's LocMemCache, which keeps pickled values in a dict guarded by a lock."""

    backend_name = "locmem"

    def ttl(self, key: str) -> float | None:
        internal = self.cache.make_key(key)
        expires = self.cache._expire_info.get(internal)
        return None if expires is None else max(0.0, expires - time.time())

    def _live_entries(self) -> Iterator[tuple[str, bytes]]:
        prefix = self.cache.make_key(self.namespace)
        now = time.time()
        with self.cache._lock:
            entries = [
                (internal[len(prefix) :], pickled)
                for internal, pickled in self.cache._cache.items()
                if internal.startswith(prefix)
                and (self.cache._expire_info.get(internal) or now + 1) > now
            ]
        return iter(entries)

    def list_page(self, pattern, cursor, count):
        after = _decode_text_cursor(cursor) if cursor else None
        matcher = glob.glob_to_regex(pattern)
        keys = sorted(
            name
            for name, _pickled in self._live_entries()
            if matcher.fullmatch(name) and (after is None or name > after)
        )
        page = keys[:count]
        more = len(keys) > count
        return page, _encode_text_cursor(page[-1]) if more else None

    def stats(self):
        total_keys = total_size = 0
        for _name, pickled in self._live_entries():
            total_keys += 1
            total_size += len(pickled)
        return {"totalKeys": total_keys, "totalSize": total_size}


_INCR_SCRIPT = """
local value = redis.call('INCRBY', KEYS[1], ARGV[1])
if tonumber(ARGV[2]) > 0 then redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
return value
"""


class RedisOperations(GenericOperations):
    """django-redis: server-side atomic operations and SCAN."""

    backend_name = "redis"

    @property
    def _redis(self):
        return self.cache.client.get_client(write=True)

    def _raw_prefix(self) -> str:
        return self.cache.make_key(self.namespace)

    def incr(self, key: str, delta: int, ttl: float | None) -> int:
        from redis.exceptions import ResponseError

        # django-redis stores integers as plain Redis integers, so INCRBY works on them;
        # the script applies the TTL in the same atomic step.
        milliseconds = int(ttl * 1000) if ttl else 0
        try:
            return int(self._redis.eval(_INCR_SCRIPT, 1, self.cache.make_key(key), delta, milliseconds))
        except ResponseError as exc:
            raise CacheValueNotInteger(
                _("The stored value is not an integer, or the result would overflow.")
            ) from exc

    def expire(self, key: str, ttl: float) -> None:
        self._redis.pexpire(self.cache.make_key(key), max(1, int(ttl * 1000)))

    def ttl(self, key: str) -> float | None:
        milliseconds = self._redis.pttl(self.cache.make_key(key))
        return None if milliseconds < 0 else milliseconds / 1000

    def _scan(self, pattern: str, cursor: int, count: int) -> tuple[int, list[str]]:
        prefix = self._raw_prefix()
        cursor, raw_keys = self._redis.scan(cursor, match=glob.escape(prefix) + pattern, count=count)
        names = [key.decode() if isinstance(key, bytes) else key for key in raw_keys]
        return cursor, [name[len(prefix) :] for name in names]

    def list_page(self, pattern, cursor, count):
        if cursor is not None and not cursor.isdigit():
            raise InvalidCursor()
        position = int(cursor or 0)
        keys: list[str] = []
        while True:
            position, batch = self._scan(pattern, position, count)
            keys.extend(batch)
            if position == 0 or len(keys) >= count:
                break
        return keys, str(position) if position else None

    def stats(self):
        total_keys = total_size = 0
        position = 0
        prefix = self._raw_prefix()
        while True:
            position, batch = self._scan("*", position, 1000)
            if batch:
                pipe = self._redis.pipeline(transaction=False)
                for name in batch:
                    pipe.strlen(prefix + name)
                sizes = pipe.execute()
                total_keys += sum(1 for size in sizes if size)
                total_size += sum(sizes)
            if position == 0:
                return {"totalKeys": total_keys, "totalSize": total_size}


def _encode_text_cursor(key: str) -> str:
    return base64.urlsafe_b64encode(key.encode()).decode()


def _decode_text_cursor(cursor: str) -> str:
    try:
        return base64.urlsafe_b64decode(cursor.encode()).decode()
    except (ValueError, UnicodeDecodeError) as exc:
        raise InvalidCursor() from exc


def operations_for(cache: BaseCache, namespace: str) -> GenericOperations:
    try:
        from django_redis.cache import RedisCache
    except ImportError:  # django-redis is optional for hosts without Redis
        RedisCache = None
    if RedisCache is not None and isinstance(cache, RedisCache):
        return RedisOperations(cache, namespace)
    if isinstance(cache, LocMemCache):
        return LocMemOperations(cache, namespace)
    return GenericOperations(cache, namespace)


