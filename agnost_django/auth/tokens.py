"""Single-use secrets: emailed link tokens, SMS codes and grant access tokens.

Issuing a secret voids the earlier unused ones of the same purpose and target, so only
the newest link or code works. Consuming marks it used in the same UPDATE that checks it
is still unused, so two concurrent requests cannot both use one secret.
"""

from __future__ import annotations

from datetime import timedelta

from django.db.models import F
from django.utils import timezone

from agnost_django.auth import exceptions
from agnost_django.auth.conf import auth_settings
from agnost_django.auth.models import AuthToken
from agnost_django.auth.secrets import hash_code, hash_token, new_code, new_token, same

Purpose = AuthToken.Purpose
LINK_PREFIX = "alt_"
GRANT_PREFIX = "agt_"


def void_pending(user, purpose: str, target: str) -> None:
    """Void the unused secrets of ``user`` for ``purpose`` and ``target`` (a new one was
    issued, or sending it failed)."""
    AuthToken.objects.filter(
        user=user, purpose=purpose, target=target, used_at__isnull=True
    ).update(used_at=timezone.now())


def issue_link(user, purpose: str, target: str = "", *, action: str = "") -> str:
    """A link or grant token for ``user``; returns the secret."""
    prefix = GRANT_PREFIX if purpose in (Purpose.GRANT, Purpose.RESET_GRANT) else LINK_PREFIX
    ttl = auth_settings.GRANT_TTL if prefix == GRANT_PREFIX else auth_settings.LINK_TTL
    if prefix == LINK_PREFIX:
        void_pending(user, purpose, target)
    secret = new_token(prefix)
    AuthToken.objects.create(
        user=user, purpose=purpose, target=target, action=action,
        secret_hash=hash_token(secret), expires_at=timezone.now() + timedelta(seconds=ttl),
    )
    return secret


def peek_link(secret: str | None, purposes: tuple[str, ...]) -> AuthToken:
    """The valid, unused token for ``secret``, without using it. Missing →
    ``missing_access_token``; unknown, used or expired → ``invalid_access_token``; another
    purpose → ``invalid_token_type``."""
    if not secret:
        raise exceptions.MissingAccessToken()
    token = AuthToken.objects.select_related("user").filter(secret_hash=hash_token(secret)).first()
    if token is None or token.used_at is not None or token.expires_at <= timezone.now():
        raise exceptions.InvalidAccessToken()
    if token.purpose not in purposes:
        raise exceptions.InvalidTokenType()
    return token


def consume_link(secret: str | None, purposes: tuple[str, ...]) -> AuthToken:
    """Use a link or grant token once (errors as :func:`peek_link`)."""
    token = peek_link(secret, purposes)
    _mark_used(token)
    return token


def issue_code(user, purpose: str, target: str) -> str:
    """A six-digit code for ``target`` (a phone); returns the code."""
    void_pending(user, purpose, target)
    code = new_code()
    AuthToken.objects.create(
        user=user, purpose=purpose, target=target, secret_hash=hash_code(code, target),
        expires_at=timezone.now() + timedelta(seconds=auth_settings.CODE_TTL),
    )
    return code


def consume_code(target: str, code: str | None, purposes: tuple[str, ...]) -> AuthToken:
    """Use the newest pending code sent to ``target`` for one of ``purposes``. A wrong code
    counts an attempt; after ``CODE_MAX_ATTEMPTS`` the code is void."""
    if not code:
        raise exceptions.MissingSmsCode()
    token = (
        AuthToken.objects.select_related("user")
        .filter(purpose__in=purposes, target=target, used_at__isnull=True,
                expires_at__gt=timezone.now(), attempts__lt=auth_settings.CODE_MAX_ATTEMPTS)
        .order_by("-created_at")
        .first()
    )
    if token is None:
        raise exceptions.InvalidAccessToken()
    if not same(token.secret_hash, hash_code(str(code), target)):
        AuthToken.objects.filter(pk=token.pk).update(attempts=F("attempts") + 1)
        raise exceptions.InvalidAccessToken()
    _mark_used(token)
    return token


def _mark_used(token: AuthToken) -> None:
    updated = AuthToken.objects.filter(pk=token.pk, used_at__isnull=True).update(used_at=timezone.now())
    if not updated:  # a concurrent request used it first
        raise exceptions.InvalidAccessToken()
