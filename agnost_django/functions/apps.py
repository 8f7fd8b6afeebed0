from __future__ import annotations

from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class FunctionsConfig(AppConfig):
    name = "agnost_django.functions"
    label = "agnost_functions"
    verbose_name = _("Agnost functions")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from agnost_django.functions import checks  # noqa: F401 (registers checks)

        post_migrate.connect(_sync, sender=self, dispatch_uid="agnost_functions_sync")


def _sync(sender, **kwargs) -> None:
    from agnost_django.functions.services import sync_all

    sync_all()
