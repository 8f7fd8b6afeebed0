"""DRF permission classes of the auth module, usable by any view of the host."""

from __future__ import annotations

from rest_framework.permissions import BasePermission

from agnost_django.auth import exceptions
from agnost_django.auth.models import Session


class IsSignedIn(BasePermission):
    """Requires an agnost session (``Session`` header or ``session_token`` cookie);
    answers ``missing_session_token`` or ``invalid_session_token`` (401), the codes on
    which the altogic client drops its stored session."""

    requires_session = True  # read by the OpenAPI schema (security: the Session header)

    def has_permission(self, request, view) -> bool:
        if isinstance(request.auth, Session):
            return True
        if getattr(request._request, "agnost_session_problem", "missing") == "invalid":
            raise exceptions.InvalidSessionToken()
        raise exceptions.MissingSessionToken()
