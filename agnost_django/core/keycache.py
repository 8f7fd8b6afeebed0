"""Client keys as every request reads them: from the cache, not the database.

Entries (one per key hash, and one with every active key's origins for CORS) are filled from
the database on a miss and tagged with a *generation* token. Any change of a key (save,
delete, the admin's bulk actions) replaces the token (:func:`invalidate`), so the very next
request reloads: an entry filled by a reader that raced with the change carries the old
token and is ignored. A cache that lives in one process (local memory) cannot hear of a
change made in another (the shell, a worker): there entries live :data:`LOCAL_TIMEOUT`
seconds. Unknown hashes are cached too (as ``None``), so a flood of bad keys costs no queries.
On Redis, each process also keeps what it read in memory (:mod:`.nearcache`), and
:func:`invalidate` tells every process at once.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from typing import Any

from django.core.cache import caches

from agnost_django.core import nearcache
from agnost_django.core.conf import core_settings

GENERATION_KEY = "agnost:core:keys:generation"
TIMEOUT = 24 * 3600  # an idle entry is dropped after a day; changes never wait for it
LOCAL_TIMEOUT = 5
_LOCAL_BACKENDS = ("LocMemCache", "DummyCache")
# What a request needs of a key; the rest (timestamps) stays in the database.
KEY_FIELDS = ("pk", "name", "prefix", "key_hash", "active", "expires_at", "allowed_origins", "allowed_operations")


def _cache():
    return caches[core_settings.CACHE]


def entry_timeout(cache, timeout: int) -> int:
    """``timeout``, or :data:`LOCAL_TIMEOUT` on a cache that lives in one process (other
    processes' changes cannot drop its entries)."""
    return LOCAL_TIMEOUT if type(cache).__name__ in _LOCAL_BACKENDS else timeout


def cached(name: str, load: Callable[[], Any]) -> Any:
    """The value of entry ``name`` for the current generation, loaded (and stored) on a miss."""
    value = nearcache.get(name)
    if value is not nearcache.MISS:
        return value
    epoch = nearcache.epoch()
    cache = _cache()
    found = cache.get_many([GENERATION_KEY, name])
    generation, entry = found.get(GENERATION_KEY), found.get(name)
    if generation is not None and entry is not None and entry[0] == generation:
        nearcache.put(name, entry[1], epoch, TIMEOUT)
        return entry[1]
    if generation is None:
        generation = secrets.token_hex(8)
        if not cache.add(GENERATION_KEY, generation, TIMEOUT):
            generation = cache.get(GENERATION_KEY) or generation
    value = load()
    cache.set(name, (generation, value), entry_timeout(cache, TIMEOUT))
    nearcache.put(name, value, epoch, TIMEOUT)
    return value


def invalidate() -> None:
    """Drop every cached key entry: call after any change of a client key (done for saves
    and deletes by the core app's receivers, and by the admin's bulk actions)."""
    _cache().set(GENERATION_KEY, secrets.token_hex(8), TIMEOUT)
    nearcache.publish(nearcache.ALL)


def client_key(key_hash: str):
    """The ``ClientKey`` with this hash (an unsaved copy holding :data:`KEY_FIELDS`), or ``None``."""
    from agnost_django.core.models import ClientKey

    def load():
        return ClientKey.objects.filter(key_hash=key_hash).values(*KEY_FIELDS).first()

    fields = cached(f"agnost:core:key:{key_hash}", load)
    if fields is None:
        return None
    # from_db: Django's positional construction of a loaded row, the cheapest there is.
    names = [ClientKey._meta.pk.attname if name == "pk" else name for name in fields]
    return ClientKey.from_db(None, names, list(fields.values()))
