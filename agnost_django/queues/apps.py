from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class QueuesConfig(AppConfig):
    name = "agnost_django.queues"
    label = "agnost_queues"
    verbose_name = _("Agnost queues")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from django_q.signals import post_spawn

        from agnost_django.queues import checks, dispatcher  # noqa: F401 (registers checks)

        post_spawn.connect(dispatcher.start, dispatch_uid="agnost_queues_dispatcher")
