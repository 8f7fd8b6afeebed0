from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DataConfig(AppConfig):
    name = "agnost_django.data"
    label = "agnost_data"
    verbose_name = _("Agnost data")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from agnost_django.data import checks  # noqa: F401 (registers checks)
