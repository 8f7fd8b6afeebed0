from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AuthConfig(AppConfig):
    name = "agnost_django.auth"
    label = "agnost_auth"
    verbose_name = _("Agnost auth")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from agnost_django.auth import checks, session_cache  # noqa: F401 (registers checks)

        session_cache.connect()

    def agnost_session_user(self, token: str):
        """Core's caller contract (:func:`agnost_django.core.callers.session_user`)."""
        from agnost_django.auth.services import session_user

        return session_user(token)
