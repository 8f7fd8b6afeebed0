"""``agnost.auth``: users and sessions for server code. Every method returns a Result."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model

from agnost_django.auth import exceptions
from agnost_django.auth.models import Session
from agnost_django.auth.sessions import create_session, find_session, revoke, session_payload
from agnost_django.auth.users import user_payload
from agnost_django.core.result import returns_result


def _user(user_or_id: Any):
    if isinstance(user_or_id, get_user_model()):
        return user_or_id
    user = get_user_model()._default_manager.filter(pk=user_or_id).first()
    if user is None:
        raise exceptions.UserNotFound(details={"userId": str(user_or_id)})
    return user


class AuthManager:
    @returns_result
    def get_user_from_session(self, token: str) -> dict[str, Any]:
        """``{"user", "session"}`` for a session token; ``invalid_session_token`` if it is
        unknown, revoked, expired or its user is inactive."""
        session = find_session(token)
        if session is None:
            raise exceptions.InvalidSessionToken()
        return {"user": user_payload(session.user), "session": session_payload(session, token)}

    @returns_result
    def get_user(self, user_or_id: Any) -> dict[str, Any]:
        """The client's User object of a user (instance or primary key)."""
        return user_payload(_user(user_or_id))

    @returns_result
    def create_session(self, user_or_id: Any, request: Any = None) -> dict[str, Any]:
        """Sign a user in from server code: ``{"user", "session"}`` with a new token."""
        user = _user(user_or_id)
        session, token = create_session(user, request)
        return {"user": user_payload(user), "session": session_payload(session, token)}

    @returns_result
    def list_sessions(self, user_or_id: Any) -> list[dict[str, Any]]:
        """The user's live sessions (tokens are not shown: only public ids)."""
        user = _user(user_or_id)
        return [session_payload(s) for s in Session.objects.filter(user=user)]

    @returns_result
    def revoke_session(self, user_or_id: Any, token_or_id: str) -> None:
        """Revoke one session, by token or public id."""
        from agnost_django.auth.sessions import find_user_session

        user = _user(user_or_id)
        session = find_user_session(user, token_or_id)
        if session is None:
            raise exceptions.SessionNotFound()
        revoke(Session.objects.filter(pk=session.pk), user=user)

    @returns_result
    def revoke_all_sessions(self, user_or_id: Any) -> int:
        """Revoke every session of the user; returns how many there were."""
        user = _user(user_or_id)
        return revoke(Session.objects.all(), user=user)


def get_manager(name: str) -> AuthManager:
    return AuthManager()
