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
        from django.apps import apps

        post_migrate.connect(_sync, sender=self, dispatch_uid="agnost_schedules_sync")
        if apps.is_installed("agnost_django.queues"):  # its worker leases end the runs of dead workers
            from agnost_django.queues.signals import workers_lost

            workers_lost.connect(_workers_lost, dispatch_uid="agnost_schedules_workers_lost")


def _sync(sender, using="default", **kwargs) -> None:
    from agnost_django.schedules.services import sync_all

    sync_all()


def _workers_lost(sender, workers, clusters, **kwargs) -> None:
    from agnost_django.schedules.services import recover_runs

    recover_runs(workers, clusters=clusters)
