from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from agnost_django.core import modules


class StorageConfig(modules.ModuleConfig):
    name = "agnost_django.storage"
    label = "agnost_storage"
    verbose_name = _("Agnost storage")
    default_auto_field = "django.db.models.BigAutoField"
    wire_name = "storage"
    api_urls = "agnost_django.storage.urls"
    api_root = "agnost_storage:stats"
    browser_urls = ("_storage/", "agnost_django.storage.public_urls")
    accessors = {"storage": modules.Accessor("agnost_django.storage.facade.get_manager", default="default",
                            doc="Buckets and files on the STORAGES alias name.")}
    facade_settings = ("STORAGES",)

    def ready(self) -> None:
        from agnost_django.storage import checks, receivers  # noqa: F401 (registers checks, receivers)
