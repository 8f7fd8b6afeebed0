from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RealtimeConfig(AppConfig):
    name = "agnost_django.realtime"
    label = "agnost_realtime"
    verbose_name = _("Agnost realtime")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from agnost_django.realtime import checks, receivers  # noqa: F401 (registers checks, receivers)
