"""The caller contract: who is calling, and are they signed in.

Apps ask here instead of importing the app that keeps sessions (``agnost_django.auth``),
so that each works with ``core`` alone. The app that keeps sessions fills the contract in:

- its ``AppConfig`` defines ``agnost_session_user(token)``: the user of a live session
  token, else ``None``; :func:`session_user` asks it (without such an app, tokens are
  ignored);
- its DRF authentication class calls :func:`mark_signed_in` or :func:`mark_not_signed_in`
  on every request it looks at; :class:`IsSignedIn` and :func:`require_signed_in` read that.

A missing session answers ``missing_session_token``, a bad one ``invalid_session_token``
(both 401: the codes on which the altogic client drops its stored session).
"""

from __future__ import annotations

from typing import Any

from django.apps import apps
from django.utils.translation import gettext_lazy as _
from rest_framework import status
from rest_framework.permissions import BasePermission

from agnost_django.core.exceptions import AgnostAPIError

MISSING, INVALID = "missing", "invalid"


class MissingSessionToken(AgnostAPIError):
    """No session token on a route that needs one (401; the client signs out)."""

    status_code = status.HTTP_401_UNAUTHORIZED
    default_code = "missing_session_token"
    default_detail = _("This request needs a session: send the Session header.")


class InvalidSessionToken(AgnostAPIError):
    """Unknown, revoked or expired session, or inactive user (401; the client signs out)."""

    status_code = status.HTTP_401_UNAUTHORIZED
    default_code = "invalid_session_token"
    default_detail = _("The session is not valid or has expired.")


def session_user(token: Any):
    """The user of a session token, asked of the installed app that keeps sessions.

    ``None`` when no installed app keeps sessions (the token is ignored); raises
    :class:`InvalidSessionToken` when the token names no live session."""
    for config in apps.get_app_configs():
        resolve = getattr(config, "agnost_session_user", None)
        if resolve is not None:
            user = resolve(token) if isinstance(token, str) else None
            if user is None:
                raise InvalidSessionToken()
            return user
    return None


def mark_signed_in(request, token: str) -> None:
    """Note on the (Django) request that it carries the live session ``token``."""
    request.agnost_session_problem = None
    request.agnost_session_token = token


def mark_not_signed_in(request, problem: str) -> None:
    """Note on the (Django) request why it has no session: :data:`MISSING` or :data:`INVALID`."""
    request.agnost_session_problem = problem


def require_signed_in(request) -> None:
    """Raise unless the DRF ``request`` was authenticated by a session."""
    request.auth  # noqa: B018 - authenticates the request (DRF does it lazily)
    problem = getattr(request._request, "agnost_session_problem", MISSING)
    if problem is None:
        return
    if problem == INVALID:
        raise InvalidSessionToken()
    raise MissingSessionToken()


def require_session(signed_in: bool) -> None:
    """For services that know the caller: raise :class:`MissingSessionToken` for an anonymous one."""
    if not signed_in:
        raise MissingSessionToken()


class IsSignedIn(BasePermission):
    """Requires a session (with the auth app: the ``Session`` header or ``session_token``
    cookie); answers ``missing_session_token`` or ``invalid_session_token`` (401)."""

    requires_session = True  # read by the OpenAPI schema (security: the Session header)

    def has_permission(self, request, view) -> bool:
        require_signed_in(request)
        return True
