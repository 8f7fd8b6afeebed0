from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CacheConfig(AppConfig):
    name = "agnost_django.cache"
    label = "agnost_cache"
    verbose_name = _("Agnost cache")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from agnost_django.cache import checks  # noqa: F401 (registers checks)
