"""Random secrets and how they are stored.

Session tokens and link tokens carry 256 random bits, so a plain SHA-256 is enough to
store them. Six-digit SMS codes are keyed with ``SECRET_KEY`` (HMAC) so that a copy of
the table alone cannot be brute-forced offline; comparisons are constant-time."""

from __future__ import annotations

import hashlib
import hmac
import secrets

from django.conf import settings


def new_token(prefix: str) -> str:
    return prefix + secrets.token_urlsafe(32)


def new_code() -> str:
    return f"{secrets.randbelow(10**6):06d}"


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def hash_code(code: str, target: str) -> str:
    message = f"{target}:{code}".encode()
    return hmac.new(settings.SECRET_KEY.encode(), message, hashlib.sha256).hexdigest()


def same(a: str, b: str) -> bool:
    return hmac.compare_digest(a.encode(), b.encode())
