from __future__ import annotations

from django.apps import AppConfig, apps
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "agnost_django.core"
    label = "agnost_core"
    verbose_name = _("Agnost core")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from agnost_django.core import checks, receivers  # noqa: F401 (registers checks)
        from agnost_django.core.registry import autodiscover

        receivers.connect()
        autodiscover()
        if apps.is_installed("django.contrib.admin"):
            from agnost_django.core import admin_site

            admin_site.apply()  # the user model or django-q2 may have registered after our admin.py
