from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from agnost_django.core import modules


class AuthConfig(modules.ModuleConfig):
    name = "agnost_django.auth"
    label = "agnost_auth"
    verbose_name = _("Agnost auth")
    default_auto_field = "django.db.models.BigAutoField"
    wire_name = "auth"
    api_urls = "agnost_django.auth.urls"
    api_root = "agnost_auth:user"
    browser_urls = ("_auth/", "agnost_django.auth.link_urls")
    accessors = {"auth": modules.Accessor("agnost_django.auth.facade.get_manager", default="default", attribute=True,
                         doc="Users and sessions.")}
    authentication_classes = ("agnost_django.auth.authentication.SessionTokenAuthentication",)

    def ready(self) -> None:
        from agnost_django.auth import checks, session_cache  # noqa: F401 (registers checks)

        session_cache.connect()

    def agnost_session_user(self, token: str):
        """Core's caller contract (:func:`agnost_django.core.callers.session_user`)."""
        from agnost_django.auth.services import session_user

        return session_user(token)
