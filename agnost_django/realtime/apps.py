from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from agnost_django.core import modules


class RealtimeConfig(modules.ModuleConfig):
    name = "agnost_django.realtime"
    label = "agnost_realtime"
    verbose_name = _("Agnost realtime")
    default_auto_field = "django.db.models.BigAutoField"
    wire_name = "realtime"
    api_urls = "agnost_django.realtime.urls"
    api_root = "agnost_realtime:get-members"
    accessors = {"realtime": modules.Accessor("agnost_django.realtime.facade.get_manager", default="default", attribute=True,
                             doc="Publishing to realtime channels.")}

    def ready(self) -> None:
        from agnost_django.realtime import checks, receivers  # noqa: F401 (registers checks, receivers)
