"""Passwords are hashed with Argon2id at OWASP's cost, old hashes are upgraded at sign-in, and
at most HASHING_CONCURRENCY hashes run at once per process."""

from __future__ import annotations

import threading
import time

import pytest
from argon2 import extract_parameters
from django.contrib.auth import hashers as django_hashers
from django.contrib.auth.hashers import make_password

from agnost_django.auth import hashers
from agnost_django.core.testing import AgnostAPIClient

ARGON2 = ["agnost_django.auth.hashers.Argon2PasswordHasher", "django.contrib.auth.hashers.PBKDF2PasswordHasher"]


@pytest.fixture
def argon2(settings):
    settings.PASSWORD_HASHERS = ARGON2


def params(encoded: str):
    return extract_parameters("$" + encoded.split("$", 1)[1])


def test_new_hashes_are_argon2id_at_owasp_cost(argon2):
    p = params(make_password("correct horse battery staple"))
    assert (p.type.name, p.memory_cost, p.time_cost, p.parallelism) == ("ID", 19456, 2, 1)


def test_old_hashes_verify_and_are_upgraded_at_sign_in(argon2, user_factory, db):
    user = user_factory(email="old@example.com")
    # A hash made with Django's defaults (100 MiB, 8 lanes), as stored before this hasher.
    user.password = django_hashers.Argon2PasswordHasher().encode("correct horse battery staple", "saltsaltsalt")
    user.save()
    assert params(user.password).memory_cost == 102400
    response = AgnostAPIClient().post("/_api/rest/v1/auth/signin-email",
                                      {"email": "old@example.com", "password": "correct horse battery staple"},
                                      format="json")
    assert response.status_code == 200, response.content
    user.refresh_from_db()
    assert (params(user.password).memory_cost, params(user.password).parallelism) == (19456, 1)


def test_concurrent_hashing_is_capped(argon2, settings):
    settings.AGNOST_AUTH_HASHING_CONCURRENCY = 2
    settings.AGNOST_AUTH_ARGON2 = {"time_cost": 6}  # slow enough to overlap
    seen = []
    threads = [threading.Thread(target=make_password, args=(f"password {n}",)) for n in range(6)]
    for thread in threads:
        thread.start()
    while any(thread.is_alive() for thread in threads):
        seen.append(hashers.active_hashes())
        time.sleep(0.001)
    assert max(seen) == 2
