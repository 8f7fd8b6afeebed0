"""What the auth module offers other apps: sessions and the client's user and session shapes.

Other apps import this module (or ``signals``), never auth's other modules; "which user is
this session token" they ask through core's caller contract (:mod:`agnost_django.core.callers`),
which :meth:`AuthConfig.agnost_session_user` answers with :func:`session_user`.
"""

from __future__ import annotations

from typing import Any

from agnost_django.auth.sessions import find_session, session_payload
from agnost_django.auth.users import user_payload

__all__ = ["find_session", "session_payload", "session_user", "user_payload"]


def session_user(token: str) -> Any:
    """The active user of the live session ``token`` (renewed when sliding), else ``None``."""
    session = find_session(token)
    return session.user if session is not None else None
