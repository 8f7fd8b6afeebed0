"""Error codes and exceptions of the cache module."""

from __future__ import annotations

from enum import Enum

from django.utils.translation import gettext_lazy as _
from rest_framework import status

from agnost_django.core.exceptions import AgnostAPIError


class CacheErrorCode(str, Enum):
    CACHE_NOT_FOUND = "cache_not_found"
    INVALID_CACHE_KEY = "invalid_cache_key"
    CACHE_KEY_SIZE_EXCEEDED = "cache_key_size_exceeded"
    CACHE_VALUE_SIZE_EXCEEDED = "cache_value_size_exceeded"
    CACHE_VALUE_NOT_INTEGER = "cache_value_not_integer"
    INVALID_CACHE_PATTERN = "invalid_cache_pattern"
    INVALID_CURSOR = "invalid_cursor"
    CACHE_QUOTA_EXCEEDED = "cache_quota_exceeded"


class CacheQuotaExceeded(AgnostAPIError):
    """A client wrote more bytes this hour than its quota allows (429, ``details.wait``)."""

    status_code = status.HTTP_429_TOO_MANY_REQUESTS
    default_detail = _("The cache write quota is used up for this hour.")
    default_code = CacheErrorCode.CACHE_QUOTA_EXCEEDED.value


class CacheNotFound(AgnostAPIError):
    """The cache alias is not in ``settings.CACHES`` (404)."""

    status_code = status.HTTP_404_NOT_FOUND
    default_detail = _("No such cache.")
    default_code = CacheErrorCode.CACHE_NOT_FOUND.value


class InvalidCacheKey(AgnostAPIError):
    """A key that is empty, not a string, or has characters that cannot travel in a URL (400)."""

    default_detail = _("The cache key is not valid.")
    default_code = CacheErrorCode.INVALID_CACHE_KEY.value


class CacheKeySizeExceeded(AgnostAPIError):
    """A key longer than ``AGNOST_CACHE_MAX_KEY_LENGTH`` (400)."""

    default_detail = _("The cache key is too long.")
    default_code = CacheErrorCode.CACHE_KEY_SIZE_EXCEEDED.value


class CacheValueSizeExceeded(AgnostAPIError):
    """A value larger than ``AGNOST_CACHE_MAX_VALUE_SIZE`` (413)."""

    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_detail = _("The cache value is too large.")
    default_code = CacheErrorCode.CACHE_VALUE_SIZE_EXCEEDED.value


class CacheValueNotInteger(AgnostAPIError):
    """Increment or decrement of a value that is not an integer, or would overflow (400)."""

    default_detail = _("The stored value is not an integer.")
    default_code = CacheErrorCode.CACHE_VALUE_NOT_INTEGER.value


class InvalidCachePattern(AgnostAPIError):
    """A list-keys pattern that is not a valid glob (400)."""

    default_detail = _("The key pattern is not valid.")
    default_code = CacheErrorCode.INVALID_CACHE_PATTERN.value


class InvalidCursor(AgnostAPIError):
    """A list-keys ``next`` cursor that this server did not produce (400)."""

    default_detail = _("The cursor is not valid.")
    default_code = CacheErrorCode.INVALID_CURSOR.value
