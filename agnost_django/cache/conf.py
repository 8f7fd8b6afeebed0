"""Settings of the cache module (``AGNOST_CACHE_*``), read at use time.

A host sets e.g. ``AGNOST_CACHE_ALIAS = "agnost"`` to serve the client API from another
``CACHES`` alias than ``default``.
"""

from __future__ import annotations

from agnost_django.core.conf import APISettings


class CacheSettings(APISettings):
    prefix = "AGNOST_CACHE_"

    @property
    def ALIAS(self) -> str:
        """Key of ``settings.CACHES`` used by the client REST API."""
        return self._get("ALIAS", "default")

    @property
    def NAMESPACE(self) -> str:
        """Prefix of every key set through agnost, so that clients never reach the host's
        own entries (sessions, throttles)."""
        return self._get("NAMESPACE", "agnost.client:")

    @property
    def MAX_KEY_LENGTH(self) -> int:
        """Longest key accepted, in characters (200 keeps namespaced keys under the
        250 characters memcached allows)."""
        return self._get("MAX_KEY_LENGTH", 200)

    @property
    def MAX_VALUE_SIZE(self) -> int:
        """Largest value accepted, in bytes of its JSON form."""
        return self._get("MAX_VALUE_SIZE", 1024 * 1024)

    @property
    def WRITE_RATE(self) -> str | None:
        """Writes (set, delete, increment, decrement, expire) per signed-in user, or per
        address without a session, through the client API (DRF rate; ``None``: unlimited)."""
        return self._get("WRITE_RATE", "600/min")

    @property
    def CLIENT_WRITE_QUOTA(self) -> int | None:
        """Bytes one user (or address) may write per hour through the client API."""
        return self._get("CLIENT_WRITE_QUOTA", 16 * 1024 * 1024)

    @property
    def KEY_WRITE_QUOTA(self) -> int | None:
        """Bytes all the clients of one client key may write per hour together."""
        return self._get("KEY_WRITE_QUOTA", 256 * 1024 * 1024)

    @property
    def LIST_PAGE_SIZE(self) -> int:
        """About how many keys one list-keys page returns (a SCAN batch may add a few)."""
        return self._get("LIST_PAGE_SIZE", 100)


cache_settings = CacheSettings()
