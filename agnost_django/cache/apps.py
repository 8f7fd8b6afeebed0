from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from agnost_django.core import modules


class CacheConfig(modules.ModuleConfig):
    name = "agnost_django.cache"
    label = "agnost_cache"
    verbose_name = _("Agnost cache")
    default_auto_field = "django.db.models.BigAutoField"
    wire_name = "cache"
    api_urls = "agnost_django.cache.urls"
    direct_urls = True
    api_root = "agnost_cache:cache-stats"
    accessors = {"cache": modules.Accessor("agnost_django.cache.facade.get_manager", default="default",
                          doc="Key-value operations on the CACHES alias name.")}
    facade_settings = ("CACHES",)

    def ready(self) -> None:
        from agnost_django.cache import checks  # noqa: F401 (registers checks)
