from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from agnost_django.core import modules


class DataConfig(modules.ModuleConfig):
    name = "agnost_django.data"
    label = "agnost_data"
    verbose_name = _("Agnost data")
    default_auto_field = "django.db.models.BigAutoField"
    wire_name = "db"
    api_urls = "agnost_django.data.urls"
    direct_urls = True
    api_root = "agnost_data:stats"
    accessors = {"db": modules.Accessor("agnost_django.data.facade.get_manager", default="default",
                       doc="Database operations on the DATABASES alias name.")}

    def ready(self) -> None:
        from agnost_django.data import checks  # noqa: F401 (registers checks)
