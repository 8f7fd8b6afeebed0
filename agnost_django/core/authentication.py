"""DRF authentication classes of the agnost views."""

from __future__ import annotations

from rest_framework import exceptions as drf_exceptions
from rest_framework.authentication import SessionAuthentication

from agnost_django.core.conf import core_settings
from agnost_django.core.exceptions import CsrfFailed


class StaffSessionAuthentication(SessionAuthentication):
    """The admin's Django session, for staff using the browsable API without a client key.

    It only applies when the request carries no client key, so a browser app calling the
    API with a key is never subject to CSRF because its user is also signed in to the
    admin (the client API is CSRF-exempt). Cookie-authenticated unsafe requests must carry
    the CSRF token, as the browsable API's forms do."""

    def authenticate(self, request):
        if not core_settings.STAFF_BROWSABLE_API:
            return None
        if request.headers.get(core_settings.CLIENT_KEY_HEADER):
            return None
        user = getattr(request._request, "user", None)
        if not (user and user.is_active and user.is_staff):
            return None
        self.enforce_csrf(request)
        return (user, None)

    def enforce_csrf(self, request) -> None:
        try:
            super().enforce_csrf(request)
        except drf_exceptions.PermissionDenied as exc:
            raise CsrfFailed(str(exc.detail)) from exc
