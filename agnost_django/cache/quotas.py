"""What one client may write through the client API: a write rate and a budget of bytes per
hour, for each signed-in user (or, without a session, each address using a client key) and
for each client key as a whole, so that no client can fill the cache that the host, the
throttles, the channel layer and the broker share. The server library is not limited.

Counters are fixed one-hour windows in the ``AGNOST_CORE_CACHE`` cache (shared by every
process with Redis); a write that would pass the budget is refused and not counted.
"""

from __future__ import annotations

import time

from django.core.cache import caches
from django.utils.translation import gettext as _

from agnost_django.cache.conf import cache_settings
from agnost_django.cache.exceptions import CacheQuotaExceeded
from agnost_django.core.clients import ClientRateThrottle, client_ip
from agnost_django.core.conf import core_settings

WINDOW = 3600


def who(request) -> str:
    """The signed-in user, or the address of a client without a session."""
    user = getattr(request, "user", None)
    return f"user:{user.pk}" if user is not None and user.is_authenticated else f"ip:{client_ip(request)}"


def identities(request) -> list[tuple[str, str, int | None]]:
    """(scope, identity, bytes per hour) of the budgets a request draws on."""
    key = getattr(request, "client_key", None)
    budgets = [("client", f"{key.pk if key else '-'}:{who(request)}", cache_settings.CLIENT_WRITE_QUOTA)]
    if key is not None:
        budgets.append(("key", str(key.pk), cache_settings.KEY_WRITE_QUOTA))
    return budgets


def charge(request, size: int) -> None:
    """Count ``size`` bytes against the request's budgets, or raise ``CacheQuotaExceeded``
    (nothing counted) when one of them would pass its limit."""
    cache = caches[core_settings.CACHE]
    window = int(time.time() // WINDOW)
    counted: list[str] = []
    for scope, identity, limit in identities(request):
        if limit is None:
            continue
        counter = f"agnost:cache-quota:{scope}:{identity}:{window}"
        cache.add(counter, 0, WINDOW + 60)
        try:
            total = cache.incr(counter, size)
        except ValueError:  # expired between add and incr
            cache.set(counter, size, WINDOW + 60)
            total = size
        counted.append(counter)
        if total > limit:
            for name in counted:
                cache.decr(name, size)
            retry = int((window + 1) * WINDOW - time.time()) + 1
            raise CacheQuotaExceeded(
                _("This %(scope)s has written its %(limit)s bytes for this hour.") % {"scope": _scope(scope), "limit": limit},
                details={"limit": limit, "scope": scope, "wait": retry},
            )


def _scope(scope: str) -> str:
    return _("client") if scope == "client" else _("client key")


class CacheWriteThrottle(ClientRateThrottle):
    """``AGNOST_CACHE_WRITE_RATE`` writes per signed-in user, or per address without a session."""

    scope = "agnost_cache_write"

    def get_rate(self):
        return cache_settings.WRITE_RATE

    def get_cache_key(self, request, view):
        return self.cache_format % {"scope": self.scope, "ident": who(request)}
