"""Sessions as every signed-in request reads them: from the cache, not the database.

An entry (the session with its user, by token hash) is dropped when the session is saved or
deleted (sign-out, revocation, the admin, a cascade from its user) and when its user is
saved, so a revoked session or a deactivated user is refused on the next request. A change
that sends no signal (a queryset ``update()`` of users) is seen within :data:`TIMEOUT`
seconds; a cache that lives in one process (local memory) cannot hear of changes made in
another (the shell), so there entries live ``keycache.LOCAL_TIMEOUT`` seconds. On Redis,
each process also keeps the entries it read (:mod:`~agnost_django.core.nearcache`, as the
pickled bytes: each request gets its own copy, as from the shared cache), told of every
change at once.
"""

from __future__ import annotations

import pickle

from django.contrib.auth import get_user_model
from django.core.cache import caches
from django.db import transaction
from django.db.models.signals import post_delete, post_save

from agnost_django.core import nearcache
from agnost_django.core.conf import core_settings
from agnost_django.core.keycache import entry_timeout

PREFIX = "agnost:auth:session:"
TIMEOUT = 60


def _cache():
    return caches[core_settings.CACHE]


def get(key_hash: str):
    """The cached session (with ``.user``) for this token hash, or ``None`` on a miss."""
    name = PREFIX + key_hash
    kept = nearcache.get(name)
    if kept is not nearcache.MISS:
        return pickle.loads(kept)
    epoch = nearcache.epoch()
    session = _cache().get(name)
    if session is not None:
        nearcache.put(name, pickle.dumps(session, pickle.HIGHEST_PROTOCOL), epoch, TIMEOUT)
    return session


def put(session) -> None:
    cache = _cache()
    cache.set(PREFIX + session.key_hash, session, entry_timeout(cache, TIMEOUT))
    nearcache.publish(PREFIX + session.key_hash)  # a renewal: processes keeping the old copy reload


def forget(*key_hashes: str) -> None:
    """Drop the entries now and again when the transaction commits (a reader inside it must
    not keep the old one, nor one filled before the commit)."""
    names = [PREFIX + key_hash for key_hash in key_hashes]
    if names:
        _drop(names)
        transaction.on_commit(lambda: _drop(names))


def _drop(names: list[str]) -> None:
    _cache().delete_many(names)
    nearcache.publish(*names)


def _session_changed(sender, instance, **kwargs) -> None:
    forget(instance.key_hash)


def _user_changed(sender, instance, **kwargs) -> None:
    from agnost_django.auth.models import Session

    forget(*Session.objects.filter(user_id=instance.pk).values_list("key_hash", flat=True))


def connect() -> None:
    from agnost_django.auth.models import Session

    post_save.connect(_session_changed, sender=Session, dispatch_uid="agnost_auth_session_saved")
    post_delete.connect(_session_changed, sender=Session, dispatch_uid="agnost_auth_session_deleted")
    post_save.connect(_user_changed, sender=get_user_model(), dispatch_uid="agnost_auth_user_saved")
