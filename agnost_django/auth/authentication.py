"""DRF authentication by agnost session token, usable by any view of the host.

``SessionTokenAuthentication`` reads the ``Session`` header, else the ``session_token``
cookie. It never fails a request by itself (routes that do not need a session ignore a
bad token, spec 2.4): it notes on the request what it found (core's caller contract,
:mod:`agnost_django.core.callers`), and :class:`~agnost_django.core.callers.IsSignedIn` turns a
missing or bad token into ``missing_session_token`` / ``invalid_session_token``.
"""

from __future__ import annotations

from rest_framework.authentication import BaseAuthentication

from agnost_django.auth.sessions import find_session
from agnost_django.core import callers

HEADER = "Session"
COOKIE = "session_token"


class SessionTokenAuthentication(BaseAuthentication):
    def get_token(self, request) -> str | None:
        """The token of this request: the header wins over the cookie."""
        return request.headers.get(HEADER) or request.COOKIES.get(COOKIE) or None

    def authenticate(self, request):
        token = self.get_token(request)
        django_request = request._request
        callers.mark_not_signed_in(django_request, callers.MISSING)
        if not token:
            return None
        session = find_session(token)
        if session is None:
            callers.mark_not_signed_in(django_request, callers.INVALID)
            return None
        callers.mark_signed_in(django_request, token)
        return (session.user, session)

    def authenticate_header(self, request) -> str:
        return HEADER
