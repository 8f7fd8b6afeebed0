"""``Argon2PasswordHasher``: Argon2id at a sound, bounded cost.

Django's Argon2 hasher asks 100 MiB and 8 lanes per hash (about 300 ms of CPU here), so a
burst of sign-ins is slow and can exhaust memory. This one uses OWASP's recommended Argon2id
parameters (19 MiB, 2 passes, 1 lane; ``AGNOST_AUTH_ARGON2``) and lets at most
``AGNOST_AUTH_HASHING_CONCURRENCY`` hashes run at once per process: others wait their turn,
so memory stays below concurrency × memory cost. Stored hashes with other parameters still
verify and are re-hashed at the next successful sign-in (Django's ``must_update``).

``PASSWORD_HASHERS = ["agnost_django.auth.hashers.Argon2PasswordHasher", ...]`` in place of
Django's (they share the ``argon2`` algorithm name, so list only one of them).
"""

from __future__ import annotations

import threading
from contextlib import contextmanager

from django.contrib.auth import hashers

from agnost_django.auth.conf import auth_settings

_lock = threading.Lock()
_slots: tuple[int, threading.BoundedSemaphore] | None = None
_active = 0  # hashes running now in this process (for tests and monitoring)


def active_hashes() -> int:
    return _active


@contextmanager
def hashing_slot():
    """Wait for one of the process's ``HASHING_CONCURRENCY`` hashing slots."""
    global _slots, _active
    size = auth_settings.HASHING_CONCURRENCY
    with _lock:
        if _slots is None or _slots[0] != size:
            _slots = (size, threading.BoundedSemaphore(size))
        semaphore = _slots[1]
    with semaphore:
        with _lock:
            _active += 1
        try:
            yield
        finally:
            with _lock:
                _active -= 1


class Argon2PasswordHasher(hashers.Argon2PasswordHasher):
    @property
    def time_cost(self) -> int:
        return auth_settings.ARGON2["time_cost"]

    @property
    def memory_cost(self) -> int:
        return auth_settings.ARGON2["memory_cost"]

    @property
    def parallelism(self) -> int:
        return auth_settings.ARGON2["parallelism"]

    def encode(self, password, salt):
        with hashing_slot():
            return super().encode(password, salt)

    def verify(self, password, encoded):
        with hashing_slot():
            return super().verify(password, encoded)
