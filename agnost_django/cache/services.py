"""Cache operations: the logic behind both the REST views and ``agnost.cache(alias)``.

Keys are the client's keys; every one is stored under ``AGNOST_CACHE_NAMESPACE`` so that
a client can never read or overwrite the host's own cache entries. TTLs are in seconds.
Backend failures (Redis down) become ``backend_unavailable`` (503).
"""

from __future__ import annotations

import contextlib
import json
import math
import re
from collections.abc import Iterable, Iterator
from typing import Any

from django.conf import settings
from django.core.cache import caches
from django.utils.translation import gettext as _

from agnost_django.cache import glob
from agnost_django.cache.conf import cache_settings
from agnost_django.cache.exceptions import (
    CacheKeySizeExceeded,
    CacheNotFound,
    CacheValueSizeExceeded,
    InvalidCacheKey,
    InvalidCachePattern,
)
from agnost_django.cache.operations import GenericOperations, is_integer, operations_for
from agnost_django.core.exceptions import AgnostAPIError, BackendUnavailable, ValidationFailed

# Keys are any string the client can read back. It splices a key into its URL unencoded
# (`cache?key=<raw>`); the URL parser (browser or Node) percent-encodes spaces, non-ASCII and
# other characters, which arrive intact. What cannot come back the same is refused: "#"
# starts the URL's fragment, tab/CR/LF are removed by the parser, a space or control
# character at the end of the URL is trimmed, and "%" with two hex digits reads as an escape.
_UNREADABLE = (
    (re.compile(r"#"), "# (the client's URL would end there)"),
    (re.compile(r"[\t\n\r]"), "tab or line breaks (URLs drop them)"),
    (re.compile(r"[\x00-\x20]\Z"), "a space or control character at the end (URLs trim it)"),
    (re.compile(r"%[0-9A-Fa-f]{2}"), "% followed by two hex digits (read as an escape)"),
)
_INT64 = 2**63
MAX_TTL = 10 * 365 * 24 * 3600  # ten years: Redis refuses expiries past a 64-bit millisecond time


def validate_key(key: Any) -> str:
    if not isinstance(key, str) or not key:
        raise InvalidCacheKey(_("A cache key must be a non-empty string."), details={"key": key})
    limit = cache_settings.MAX_KEY_LENGTH
    if len(key) > limit:
        raise CacheKeySizeExceeded(
            _("A cache key may have at most %(limit)s characters.") % {"limit": limit},
            details={"limit": limit, "length": len(key)},
        )
    for pattern, reason in _UNREADABLE:
        if pattern.search(key):
            raise InvalidCacheKey(
                _("This key could not be read back by the client: it contains %(reason)s.") % {"reason": reason},
                details={"key": key, "reason": reason},
            )
    return key


def validate_ttl(ttl: Any, *, required: bool = False) -> float | None:
    if ttl is None and not required:
        return None
    if hasattr(ttl, "total_seconds"):
        ttl = ttl.total_seconds()
    if is_integer(ttl) or (isinstance(ttl, float) and math.isfinite(ttl)):
        if 0 < ttl <= MAX_TTL:
            return ttl
    raise ValidationFailed(
        _("ttl must be a positive number of seconds, at most %(max)s.") % {"max": MAX_TTL},
        details={"field": "ttl", "value": str(ttl), "max": MAX_TTL},
    )


def validate_amount(amount: Any, field: str) -> int:
    if not is_integer(amount) or not -_INT64 <= amount < _INT64:
        raise ValidationFailed(
            _("%(field)s must be an integer.") % {"field": field},
            details={"field": field, "value": str(amount)},
        )
    return amount


def value_size(value: Any) -> int:
    """Bytes of the value's JSON form."""
    try:
        encoded = json.dumps(value, allow_nan=False, separators=(",", ":"))
    except (TypeError, ValueError) as exc:
        raise ValidationFailed(
            _("The value must be JSON-serialisable: %(error)s") % {"error": exc},
            details={"field": "value"},
        ) from exc
    return len(encoded.encode())


def validate_value(value: Any) -> Any:
    limit = cache_settings.MAX_VALUE_SIZE
    size = value_size(value)
    if size > limit:
        raise CacheValueSizeExceeded(
            _("A cache value may have at most %(limit)s bytes (as JSON); this one has %(size)s.")
            % {"limit": limit, "size": size},
            details={"limit": limit, "size": size},
        )
    return value


@contextlib.contextmanager
def _backend_errors() -> Iterator[None]:
    try:
        yield
    except AgnostAPIError:
        raise
    except Exception as exc:
        if _is_connection_error(exc):
            raise BackendUnavailable(_("The cache backend is unavailable.")) from exc
        raise


def _is_connection_error(exc: Exception) -> bool:
    try:
        from django_redis.exceptions import ConnectionInterrupted
        from redis.exceptions import ConnectionError, TimeoutError
    except ImportError:
        return False
    return isinstance(exc, (ConnectionInterrupted, ConnectionError, TimeoutError))


def get_operations(alias: str | None = None) -> GenericOperations:
    alias = alias or cache_settings.ALIAS
    if alias not in settings.CACHES:
        raise CacheNotFound(
            _("There is no cache %(alias)s in settings.CACHES.") % {"alias": alias},
            details={"alias": alias},
        )
    return operations_for(caches[alias], cache_settings.NAMESPACE)


def _namespaced(key: str) -> str:
    return cache_settings.NAMESPACE + key


def get_value(key: str, *, alias: str | None = None) -> Any:
    """The stored value, or ``None`` for a missing key."""
    key = validate_key(key)
    operations = get_operations(alias)
    with _backend_errors():
        return operations.get(_namespaced(key))


def set_value(key: str, value: Any, *, ttl: Any = None, alias: str | None = None) -> None:
    """Store ``value`` (JSON-compatible); with ``ttl`` seconds it expires, without it it
    never does (any previous expiry is dropped)."""
    key = validate_key(key)
    ttl = validate_ttl(ttl)
    value = validate_value(value)
    operations = get_operations(alias)
    with _backend_errors():
        operations.set(_namespaced(key), value, ttl)


def delete_keys(keys: str | Iterable[str], *, alias: str | None = None) -> None:
    """Delete one key or several; missing keys are not an error."""
    if isinstance(keys, str):
        keys = [keys]
    keys = [validate_key(key) for key in keys]
    operations = get_operations(alias)
    if keys:
        with _backend_errors():
            operations.delete_many([_namespaced(key) for key in keys])


def increment(key: str, amount: int = 1, *, ttl: Any = None, alias: str | None = None,
              field: str = "increment") -> int:
    """Add ``amount`` atomically (a missing key counts as 0) and return the new value.
    With ``ttl`` the expiry is reset; without it an existing expiry is kept."""
    key = validate_key(key)
    amount = validate_amount(amount, field)
    ttl = validate_ttl(ttl)
    operations = get_operations(alias)
    with _backend_errors():
        return operations.incr(_namespaced(key), amount, ttl)


def decrement(key: str, amount: int = 1, *, ttl: Any = None, alias: str | None = None) -> int:
    """Subtract ``amount`` atomically; see :func:`increment`."""
    amount = validate_amount(amount, "decrement")
    return increment(key, -amount, ttl=ttl, alias=alias, field="decrement")


def expire(key: str, ttl: Any, *, alias: str | None = None) -> None:
    """Make ``key`` expire in ``ttl`` seconds; a missing key is left missing."""
    key = validate_key(key)
    ttl = validate_ttl(ttl, required=True)
    operations = get_operations(alias)
    with _backend_errors():
        operations.expire(_namespaced(key), ttl)


def get_ttl(key: str, *, alias: str | None = None) -> float | None:
    """Seconds before ``key`` expires, or ``None`` (no expiry, or unknown to the backend)."""
    key = validate_key(key)
    operations = get_operations(alias)
    with _backend_errors():
        return operations.ttl(_namespaced(key))


def get_stats(*, alias: str | None = None) -> dict[str, Any]:
    """``{"totalKeys", "totalSize", "backend", "alias"}``: the number of keys in the agnost
    namespace and the bytes their values occupy in the backend (serialised)."""
    alias = alias or cache_settings.ALIAS
    operations = get_operations(alias)
    with _backend_errors():
        stats = operations.stats()
    return {**stats, "backend": operations.backend_name, "alias": alias}


def list_keys_page(
    pattern: str | None = "*",
    *,
    cursor: str | None = None,
    count: int | None = None,
    alias: str | None = None,
) -> dict[str, Any]:
    """One page of ``{"data": [{"key", "value"}, ...], "next": cursor | None}`` for keys
    matching the Redis glob ``pattern``. Pages hold about ``count`` keys
    (``AGNOST_CACHE_LIST_PAGE_SIZE`` by default); ``next`` is opaque."""
    pattern = pattern or "*"
    if not isinstance(pattern, str) or len(pattern) > 2 * cache_settings.MAX_KEY_LENGTH:
        raise InvalidCachePattern(details={"pattern": str(pattern)[:100]})
    try:
        glob.glob_to_regex(pattern)
    except ValueError as exc:
        raise InvalidCachePattern(str(exc), details={"pattern": pattern}) from exc
    if cursor is not None and not isinstance(cursor, str):
        raise ValidationFailed(_("next must be a string."), details={"field": "next"})
    count = count or cache_settings.LIST_PAGE_SIZE
    operations = get_operations(alias)
    with _backend_errors():
        keys, next_cursor = operations.list_page(pattern, cursor or None, count)
        values = operations.cache.get_many([_namespaced(key) for key in keys])
    data = [
        {"key": key, "value": values[_namespaced(key)]}
        for key in keys
        if _namespaced(key) in values
    ]
    return {"data": data, "next": next_cursor}


def list_keys(pattern: str = "*", *, count: int = 100, alias: str | None = None) -> list[dict[str, Any]]:
    """Every ``{"key", "value"}`` matching ``pattern``, fetched ``count`` at a time."""
    entries: dict[str, Any] = {}  # SCAN may return a key twice
    cursor = None
    while True:
        page = list_keys_page(pattern, cursor=cursor, count=count, alias=alias)
        entries.update((entry["key"], entry["value"]) for entry in page["data"])
        cursor = page["next"]
        if cursor is None:
            return [{"key": key, "value": value} for key, value in entries.items()]
