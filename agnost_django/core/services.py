"""Client-key operations, shared by the REST permission, the admin and the command."""

from __future__ import annotations

import secrets
from collections.abc import Iterable
from datetime import datetime

from agnost_django.core import exceptions, keycache, origins
from agnost_django.core.models import ClientKey, hash_secret
from agnost_django.core.origins import request_origin  # noqa: F401 (for the apps' key checks)

KEY_PREFIX = "agk_"


def create_client_key(
    name: str,
    *,
    allowed_origins: Iterable[str] = (),
    allowed_operations: Iterable[str] = (),
    expires_at: datetime | None = None,
    active: bool = True,
) -> tuple[ClientKey, str]:
    """Create a key and return it with its secret, which is not stored and cannot be
    shown again. Raises Django's ``ValidationError`` on bad origins or operations."""
    key = ClientKey(
        name=name,
        allowed_origins=list(allowed_origins),
        allowed_operations=list(allowed_operations),
        expires_at=expires_at,
        active=active,
    )
    secret = assign_secret(key)
    key.full_clean()
    key.save()
    return key, secret


def assign_secret(key: ClientKey) -> str:
    """Give ``key`` a new random secret (not saved) and return the secret."""
    secret = KEY_PREFIX + secrets.token_urlsafe(30)
    key.prefix = secret[:12]
    key.key_hash = hash_secret(secret)
    return secret


def check_client_key(secret: str | None, *, operation: str, origin: str | None) -> ClientKey:
    """Return the active key matching ``secret`` if it allows ``operation`` from ``origin``;
    otherwise raise the matching error (missing, invalid, inactive, expired, origin,
    operation)."""
    if not secret:
        raise exceptions.MissingClientKey()
    key = keycache.client_key(hash_secret(secret))
    if key is None:
        raise exceptions.InvalidClientKey()
    refusal = None
    if not key.active:
        refusal = exceptions.InactiveClientKey()
    elif key.is_expired:
        refusal = exceptions.ExpiredClientKey()
    elif key.allowed_origins and not origin:
        refusal = exceptions.MissingRequestOrigin()
    elif key.allowed_origins and not key.allows_origin(origin):
        refusal = exceptions.DomainNotAuthorized(details={"origin": origin})
    elif not key.allows_operation(operation):
        refusal = exceptions.OperationNotAllowed(details={"operation": operation})
    if refusal is not None:
        refusal.client_key = key  # the request log names the key that was refused
        raise refusal
    return key


def origin_allowed_by_any_key(origin: str) -> bool:
    """Whether an active, unexpired key lists ``origin`` (CORS; answered from the cache)."""
    return origins.allowed(origin)
