"""Sessions: created at sign-in, found by token, revoked at sign-out."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

from django.utils import timezone

from agnost_django.auth import session_cache, signals
from agnost_django.auth.conf import auth_settings
from agnost_django.auth.models import AuthProfile, Session
from agnost_django.auth.secrets import hash_token, new_token
from agnost_django.auth.useragent import parse_user_agent
from agnost_django.core.clients import client_ip as core_client_ip

TOKEN_PREFIX = "ast_"
# Sliding renewal writes at most this often per session, not on every request.
RENEW_EVERY = timedelta(minutes=1)


def client_ip(request) -> str | None:
    return core_client_ip(request) if request is not None else None


def create_session(user, request=None) -> tuple[Session, str]:
    """Create a session for ``user`` and return it with its token (shown only now)."""
    token = new_token(TOKEN_PREFIX)
    header = request.META.get("HTTP_USER_AGENT", "") if request is not None else ""
    now = timezone.now()
    session = Session.objects.create(
        user=user,
        key_hash=hash_token(token),
        expires_at=now + timedelta(seconds=auth_settings.SESSION_TTL),
        ip=client_ip(request),
        user_agent=parse_user_agent(header[:500]),
        user_agent_raw=header[:500],
    )
    AuthProfile.objects.filter(user=user).update(last_login_at=now)
    if hasattr(user, "agnost_profile"):
        user.agnost_profile.last_login_at = now
    return session, token


def find_session(token: str | None) -> Session | None:
    """The live session of an active user for ``token``, renewed when sliding; else None."""
    if not token or not isinstance(token, str) or len(token) > 200:
        return None
    key_hash = hash_token(token)
    session = session_cache.get(key_hash)
    if session is None:
        session = Session.objects.select_related("user").filter(key_hash=key_hash).first()
        if session is None:
            return None
        session_cache.put(session)
    if session.is_expired or not session.user.is_active:
        return None
    now = timezone.now()
    if now - session.last_used_at >= RENEW_EVERY:
        fields: dict[str, Any] = {"last_used_at": now}
        if auth_settings.SESSION_SLIDING:
            fields["expires_at"] = now + timedelta(seconds=auth_settings.SESSION_TTL)
        Session.objects.filter(pk=session.pk).update(**fields)
        for name, value in fields.items():
            setattr(session, name, value)
        session_cache.put(session)
    return session


def session_payload(session: Session, token: str | None = None) -> dict[str, Any]:
    """The client's Session object. ``token`` is the secret when known (at sign-in, or the
    caller's own session); other sessions show their public id there, which ``signOut``
    accepts but which is no credential."""
    return {
        "userId": str(session.user_id),
        "token": token or str(session.public_id),
        "id": str(session.public_id),
        "creationDtm": session.created_at.isoformat(),
        "expiresAt": session.expires_at.isoformat(),
        "lastUsedAt": session.last_used_at.isoformat(),
        "accessGroupKeys": list(session.access_group_keys),
        "userAgent": session.user_agent or parse_user_agent(""),
        "ip": session.ip,
    }


def revoke(sessions, *, user) -> int:
    """Delete the given sessions (a queryset) of ``user``; send ``user_signed_out`` each."""
    revoked = list(sessions.filter(user=user))
    Session.objects.filter(pk__in=[s.pk for s in revoked]).delete()
    for session in revoked:
        signals.user_signed_out.send(sender=Session, user=user, session=session)
    return len(revoked)


def find_user_session(user, token_or_id: str) -> Session | None:
    """One of ``user``'s sessions by its token or its public id."""
    by_token = Session.objects.filter(user=user, key_hash=hash_token(token_or_id)).first()
    if by_token is not None:
        return by_token
    try:
        public_id = uuid.UUID(token_or_id)
    except ValueError:
        return None
    return Session.objects.filter(user=user, public_id=public_id).first()
