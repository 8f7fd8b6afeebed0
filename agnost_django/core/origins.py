"""Which browser origins the active client keys allow (CORS and the websocket handshake).

Asked on every cross-origin request, so the answer comes from one cache entry holding every
active key's origins (:mod:`~agnost_django.core.keycache`: dropped on any key change). Under
ASGI, :func:`aallowed` reaches the cache and the database off the event loop;
``AgnostMiddleware`` awaits it and leaves the answer on the request for django-cors-headers'
(synchronous) signal.
"""

from __future__ import annotations

import time

from asgiref.sync import sync_to_async

from agnost_django.core import keycache
from agnost_django.core.origin_patterns import matches, normalise_origin
ORIGINS_KEY = "agnost:core:key-origins"

# (key hash, origin patterns, expiry as a UNIX time or None) of every active key that lists
# origins.
Entries = list[tuple[str, list[str], float | None]]


def _load() -> Entries:
    from agnost_django.core.models import ClientKey

    rows = ClientKey.objects.filter(active=True).exclude(allowed_origins=[]).values_list(
        "key_hash", "allowed_origins", "expires_at")
    return [(key_hash, list(origins), expires.timestamp() if expires else None)
            for key_hash, origins, expires in rows]


def entries() -> Entries:
    return keycache.cached(ORIGINS_KEY, _load)


def allowed(origin: str, secret: str | None = None) -> bool:
    """Whether the key ``secret`` (or, without one, e.g. in a CORS preflight, any key) is
    active, unexpired and lists ``origin``. Synchronous: under ASGI call :func:`aallowed`."""
    from agnost_django.core.models import hash_secret

    origin = normalise_origin(origin)
    key_hash = hash_secret(secret) if secret else None
    now = time.time()
    return any(
        (key_hash is None or key_hash == entry_hash) and (expires is None or expires > now)
        and any(matches(pattern, origin) for pattern in patterns)
        for entry_hash, patterns, expires in entries()
    )


async def aallowed(origin: str, secret: str | None = None) -> bool:
    return await sync_to_async(allowed)(origin, secret)


def own_origin(request) -> str:
    """``scheme://host`` of the request itself (may raise ``DisallowedHost``)."""
    return f"{request.scheme}://{request.get_host()}"


def request_origin(request) -> str | None:
    """The browser origin a client-key check applies to: the ``Origin`` header, or, for a
    same-origin request without one (browsers send none on same-origin GETs), the request's
    own origin as the browser states it in ``Sec-Fetch-Site``."""
    origin = request.headers.get("Origin")
    if origin:
        return origin
    if request.headers.get("Sec-Fetch-Site") == "same-origin":
        return own_origin(request)
    return None
