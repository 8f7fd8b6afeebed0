from __future__ import annotations

from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class SchedulesConfig(AppConfig):
    name = "agnost_django.schedules"
    label = "agnost_schedules"
    verbose_name = _("Agnost schedules")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        post_migrate.connect(_sync, sender=self, dispatch_uid="agnost_schedules_sync")


def _sync(sender, using="default", **kwargs) -> None:
    from agnost_django.schedules.services import sync_all

    sync_all()
