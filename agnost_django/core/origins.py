"""Which browser origins the active client keys allow (CORS and the websocket handshake).

Asked on every cross-origin request, so the answer comes from one cache entry holding every
active key's origins, refilled from the database on a miss. Any change of a key (save,
delete, the admin's bulk actions) replaces the entry's *generation* token, so the very next
request reloads: an entry filled by a reader that raced with the change carries the old
token and is ignored. A cache that lives in one process (local memory) cannot hear of a
change made in another (the shell, a worker): there the entry lives :data:`LOCAL_TIMEOUT`
seconds. Under ASGI, :func:`aallowed` reaches the cache and the
database off the event loop; ``AgnostMiddleware`` awaits it and leaves the answer on the
request for django-cors-headers' (synchronous) signal.
"""

from __future__ import annotations

import secrets
import time

from asgiref.sync import sync_to_async
from django.core.cache import caches

from agnost_django.core.conf import core_settings

DATA_KEY = "agnost:core:key-origins"
GENERATION_KEY = "agnost:core:key-origins:generation"
TIMEOUT = 24 * 3600  # an idle entry is dropped after a day; changes never wait for it
LOCAL_TIMEOUT = 5
_LOCAL_BACKENDS = ("LocMemCache", "DummyCache")

# (key hash, origin patterns, expiry as a UNIX time or None) of every active key that lists
# origins.
Entries = list[tuple[str, list[str], float | None]]


def _cache():
    return caches[core_settings.CACHE]


def _load() -> Entries:
    from agnost_django.core.models import ClientKey

    rows = ClientKey.objects.filter(active=True).exclude(allowed_origins=[]).values_list(
        "key_hash", "allowed_origins", "expires_at")
    return [(key_hash, list(origins), expires.timestamp() if expires else None)
            for key_hash, origins, expires in rows]


def entries() -> Entries:
    cache = _cache()
    found = cache.get_many([GENERATION_KEY, DATA_KEY])
    generation = found.get(GENERATION_KEY)
    data = found.get(DATA_KEY)
    if generation is not None and data is not None and data[0] == generation:
        return data[1]
    if generation is None:
        generation = secrets.token_hex(8)
        if not cache.add(GENERATION_KEY, generation, TIMEOUT):
            generation = cache.get(GENERATION_KEY) or generation
    loaded = _load()
    local = type(cache).__name__ in _LOCAL_BACKENDS
    cache.set(DATA_KEY, (generation, loaded), LOCAL_TIMEOUT if local else TIMEOUT)
    return loaded


def invalidate() -> None:
    """Drop the cached origins: call after any change of a client key (done for saves and
    deletes by the core app's receivers)."""
    _cache().set(GENERATION_KEY, secrets.token_hex(8), TIMEOUT)


def normalise_origin(origin: str) -> str:
    return origin.strip().lower().rstrip("/")


def matches(pattern: str, origin: str) -> bool:
    """``https://*.example.com`` matches every subdomain (not the bare domain); a bare ``*``
    (refused: it would open CORS with credentials to every site) matches nothing."""
    if pattern == origin:
        return True
    scheme, wildcard, host = pattern.partition("://*.")
    return bool(wildcard) and origin.startswith(scheme + "://") and origin.endswith("." + host)


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


def request_origin(request) -> str | None:
    """The browser origin a client-key check applies to: the ``Origin`` header, or, for a
    same-origin request without one (browsers send none on same-origin GETs), the request's
    own origin as the browser states it in ``Sec-Fetch-Site``."""
    origin = request.headers.get("Origin")
    if origin:
        return origin
    if request.headers.get("Sec-Fetch-Site") == "same-origin":
        return f"{request.scheme}://{request.get_host()}"
    return None
