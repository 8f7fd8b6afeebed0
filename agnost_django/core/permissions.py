"""DRF permission classes of the agnost views."""

from __future__ import annotations

from rest_framework.permissions import BasePermission

from agnost_django.core import requestlog, services
from agnost_django.core.authentication import StaffSessionAuthentication
from agnost_django.core.conf import core_settings
from agnost_django.core.exceptions import AgnostAPIError


class HasClientKey(BasePermission):
    """Every client call needs a valid ``X-Client-Key`` that allows the view's operation.

    Staff signed in to the admin (through :class:`StaffSessionAuthentication`) may use the
    browsable API without a key. Failures raise the specific error (missing, invalid,
    inactive, expired, origin, operation) rather than a generic 403."""

    def has_permission(self, request, view) -> bool:
        if isinstance(request.successful_authenticator, StaffSessionAuthentication):
            return True
        try:
            request.client_key = services.check_client_key(
                request.headers.get(core_settings.CLIENT_KEY_HEADER),
                operation=view.get_operation(),
                origin=services.request_origin(request),
            )
        except AgnostAPIError as exc:
            requestlog.annotate(request, client_key=getattr(exc, "client_key", None))
            raise
        return True
