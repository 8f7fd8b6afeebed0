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
        from agnost_django.core import jobs
        from agnost_django.schedules import services
        from agnost_django.schedules.models import TaskRun

        post_migrate.connect(_sync, sender=self, dispatch_uid="agnost_schedules_sync")
        # Core's worker loop ends the runs of dead workers and runs past their lease.
        jobs.register(TaskRun, lost=services.end_lost_run, clusters_lost=services.requeue_pending)


def _sync(sender, using="default", **kwargs) -> None:
    from agnost_django.schedules.services import sync_all

    sync_all()
