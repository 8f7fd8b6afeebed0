from __future__ import annotations

from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _

from agnost_django.core import modules


class SchedulesConfig(modules.ModuleConfig):
    name = "agnost_django.schedules"
    label = "agnost_schedules"
    verbose_name = _("Agnost schedules")
    default_auto_field = "django.db.models.BigAutoField"
    wire_name = "task"
    api_urls = "agnost_django.schedules.urls"
    api_root = "agnost_schedules:task"
    accessors = {"task": modules.Accessor("agnost_django.schedules.facade.get_manager", doc="The scheduled task registered as name.")}

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
