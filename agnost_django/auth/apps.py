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
