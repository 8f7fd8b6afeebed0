"""``agnost.cache(alias)``: the cache module in the server library.

Method names are the Agnost server library's, in snake_case; TTLs are in seconds (or a
``timedelta``); every method returns a :class:`~agnost_django.core.result.Result`, and has
an ``a``-prefixed async twin.
"""

from __future__ import annotations

from typing import Any

from asgiref.sync import sync_to_async
from django.conf import settings
from django.core.cache import caches

from agnost_django.cache import services
from agnost_django.cache.exceptions import CacheNotFound
from agnost_django.core.result import FailedAccessor, Result, returns_result


class CacheManager:
    """Key-value operations on one ``CACHES`` alias, inside the agnost namespace."""

    def __init__(self, alias: str) -> None:
        self.alias = alias

    def __repr__(self) -> str:
        return f"<CacheManager {self.alias!r}>"

    @returns_result
    def get_key_value(self, key: str, *, use_read_replica: bool = False) -> Any:
        """The value of ``key``, or ``None``. ``use_read_replica`` is accepted for
        compatibility; django-redis routes reads to replicas by its own configuration."""
        return services.get_value(key, alias=self.alias)

    @returns_result
    def set_key_value(self, key: str, value: Any, ttl: Any = None) -> None:
        """Store a JSON-compatible value; ``ttl`` in seconds, ``None`` for no expiry."""
        services.set_value(key, value, ttl=ttl, alias=self.alias)

    @returns_result
    def delete_key(self, keys: str | list[str]) -> None:
        """Delete one key or a list of keys."""
        services.delete_keys(keys, alias=self.alias)

    @returns_result
    def expire_key(self, key: str, ttl: Any) -> None:
        """Make ``key`` expire in ``ttl`` seconds."""
        services.expire(key, ttl, alias=self.alias)

    @returns_result
    def increment_key_value(self, key: str, increment: int = 1, ttl: Any = None) -> int:
        """Atomically add ``increment`` (a missing key counts as 0); returns the new value."""
        return services.increment(key, increment, ttl=ttl, alias=self.alias)

    @returns_result
    def decrement_key_value(self, key: str, decrement: int = 1, ttl: Any = None) -> int:
        """Atomically subtract ``decrement``; returns the new value."""
        return services.decrement(key, decrement, ttl=ttl, alias=self.alias)

    @returns_result
    def list_keys(self, pattern: str = "*", count: int = 100, *, use_read_replica: bool = False) -> list:
        """Every ``{"key", "value"}`` whose key matches the glob ``pattern``; ``count`` is the
        batch size, as in Agnost."""
        return services.list_keys(pattern, count=count, alias=self.alias)

    @returns_result
    def list_keys_page(self, pattern: str = "*", *, cursor: str | None = None, count: int | None = None) -> dict:
        """One page ``{"data", "next"}``, as the client API returns it."""
        return services.list_keys_page(pattern, cursor=cursor, count=count, alias=self.alias)

    @returns_result
    def get_ttl(self, key: str) -> float | None:
        """Seconds before ``key`` expires, or ``None``."""
        return services.get_ttl(key, alias=self.alias)

    @returns_result
    def get_stats(self) -> dict:
        """Number of keys and bytes used in the agnost namespace."""
        return services.get_stats(alias=self.alias)

    def get_client(self) -> Any:
        """The native client: the redis-py connection with django-redis, else the Django
        cache object. Keys written through it are not namespaced."""
        try:
            from django_redis import get_redis_connection
            from django_redis.cache import RedisCache
        except ImportError:
            return caches[self.alias]
        if isinstance(caches[self.alias], RedisCache):
            return get_redis_connection(self.alias)
        return caches[self.alias]

    async def aget_key_value(self, key: str) -> Result:
        return await sync_to_async(self.get_key_value)(key)

    async def aset_key_value(self, key: str, value: Any, ttl: Any = None) -> Result:
        return await sync_to_async(self.set_key_value)(key, value, ttl)

    async def adelete_key(self, keys: str | list[str]) -> Result:
        return await sync_to_async(self.delete_key)(keys)

    async def aexpire_key(self, key: str, ttl: Any) -> Result:
        return await sync_to_async(self.expire_key)(key, ttl)

    async def aincrement_key_value(self, key: str, increment: int = 1, ttl: Any = None) -> Result:
        return await sync_to_async(self.increment_key_value)(key, increment, ttl)

    async def adecrement_key_value(self, key: str, decrement: int = 1, ttl: Any = None) -> Result:
        return await sync_to_async(self.decrement_key_value)(key, decrement, ttl)

    async def alist_keys(self, pattern: str = "*", count: int = 100) -> Result:
        return await sync_to_async(self.list_keys)(pattern, count)


def get_manager(alias: str) -> CacheManager | FailedAccessor:
    if alias not in settings.CACHES:
        return FailedAccessor.for_exception(
            CacheNotFound(f"There is no cache {alias!r} in settings.CACHES.", details={"alias": alias})
        )
    return CacheManager(alias)
