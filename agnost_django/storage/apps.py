from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class StorageConfig(AppConfig):
    name = "agnost_django.storage"
    label = "agnost_storage"
    verbose_name = _("Agnost storage")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from agnost_django.storage import checks, receivers  # noqa: F401 (registers checks, receivers)
