from __future__ import annotations

from django.apps import AppConfig
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
